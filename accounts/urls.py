from django.urls import path
from rest_framework_simplejwt.views import TokenRefreshView

from .apis import MeApi, RegisterApi, TokenApi

urlpatterns = [
    path("register/", RegisterApi.as_view(), name="register"),
    path("token/", TokenApi.as_view(), name="token"),
    path("token/refresh/", TokenRefreshView.as_view(), name="token-refresh"),
    path("me/", MeApi.as_view(), name="me"),
]
