from django.urls import path

from .apis import ManageApi, ManageCancelApi, ManageDocumentApi, ManageLinksApi

urlpatterns = [
    path("links/", ManageLinksApi.as_view(), name="manage-links"),
    path("<str:token>/", ManageApi.as_view(), name="manage"),
    path("<str:token>/invoice/", ManageDocumentApi.as_view(), name="manage-invoice"),
    path(
        "<str:token>/credit-notes/<id:credit_note_id>/",
        ManageDocumentApi.as_view(),
        name="manage-credit-note",
    ),
    path("<str:token>/cancel/", ManageCancelApi.as_view(), name="manage-cancel"),
]
