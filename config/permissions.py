"""API permissions every app shares."""

from rest_framework.permissions import BasePermission


def needs_permission(codename: str) -> type[BasePermission]:
    """Only a user (a staff token) holding the model permission `codename`."""

    class HasPermission(BasePermission):
        message = f"You need the {codename} permission."

        def has_permission(self, request, view):
            return bool(request.user and request.user.has_perm(codename))

    return HasPermission
