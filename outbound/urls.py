from django.urls import path

from .apis import EndpointDetailApi, EndpointListApi, EventFeedApi, EventSchemaListApi

urlpatterns = [
    path("outbound/endpoints/", EndpointListApi.as_view(), name="outbound-endpoints"),
    path("outbound/endpoints/<int:pk>/", EndpointDetailApi.as_view(), name="outbound-endpoint"),
    path("events/", EventFeedApi.as_view(), name="outbound-events"),
    path("events/schemas/", EventSchemaListApi.as_view(), name="outbound-event-schemas"),
]
