"""What every REST endpoint shares: who may call it and how errors look."""

from rest_framework import permissions


class IsVerifiedActiveOfficer(permissions.BasePermission):
    """A logged-in, active account whose session passed the second factor.

    The API takes session authentication only, so this is the same gate the browser
    passes through; there is no token that skips the second factor.
    """

    message = "Sign in with your password and second factor first."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_active
            and getattr(user, "is_verified", lambda: False)()
        )
