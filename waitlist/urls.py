from django.urls import path

from .apis import WaitlistApi, WaitlistEntryApi

urlpatterns = [
    path("", WaitlistApi.as_view(), name="waitlist"),
    path("<str:token>/", WaitlistEntryApi.as_view(), name="waitlist-entry"),
]
