from django.urls import path

from .apis import (
    LogoutApi,
    MeApi,
    PasswordResetApi,
    PasswordResetConfirmApi,
    RegisterApi,
    TokenApi,
    TokenRefreshApi,
)

urlpatterns = [
    path("register/", RegisterApi.as_view(), name="register"),
    path("token/", TokenApi.as_view(), name="token"),
    path("token/refresh/", TokenRefreshApi.as_view(), name="token-refresh"),
    path("logout/", LogoutApi.as_view(), name="logout"),
    path("me/", MeApi.as_view(), name="me"),
    path("password-reset/", PasswordResetApi.as_view(), name="password-reset"),
    path(
        "password-reset/confirm/",
        PasswordResetConfirmApi.as_view(),
        name="password-reset-confirm",
    ),
]
