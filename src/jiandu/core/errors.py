"""Errors that services raise; pages show `message` (Chinese), the API returns `code` and `field`."""

from django.core.exceptions import PermissionDenied


class ServiceError(Exception):
    """A request that the rules refuse; carries a user-facing Chinese message."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class NotAllowed(ServiceError, PermissionDenied):
    """The actor lacks the role or scope for this act."""

    code = "permission_denied"


class InvalidState(ServiceError):
    """The act is not possible in the object's current state."""

    code = "invalid_state"
