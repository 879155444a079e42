from django.urls import path

from .apis import (
    BookingDetailApi,
    BookingListApi,
    ServiceAvailabilityApi,
    ServiceDetailApi,
    ServiceListApi,
)

urlpatterns = [
    path("services/", ServiceListApi.as_view(), name="puja-services"),
    path("services/<id:pk>/", ServiceDetailApi.as_view(), name="puja-service-detail"),
    path(
        "services/<id:pk>/availability/",
        ServiceAvailabilityApi.as_view(),
        name="puja-service-availability",
    ),
    path("bookings/", BookingListApi.as_view(), name="bookings"),
    path("bookings/<id:pk>/", BookingDetailApi.as_view(), name="booking-detail"),
]
