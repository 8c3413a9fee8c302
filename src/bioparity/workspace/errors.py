"""Errors of the workspace services (part of the one BioparityError hierarchy).

The API maps them to HTTP statuses: NotFoundError 404 (also for objects the caller may not see, so that
their existence cannot be inferred), PermissionDeniedError 403 (the caller sees the object but their role
does not allow the action), AuthenticationError 401, ConflictError 409; InputError and DataFileError 422.
"""

from __future__ import annotations

from bioparity.errors import BioparityError


class WorkspaceError(BioparityError):
    """Base class of the workspace's refusals."""


class NotFoundError(WorkspaceError):
    """No such object, or one the caller is not allowed to see (the two are indistinguishable on purpose)."""

    def __init__(self, object_type: str, object_id: str) -> None:
        self.object_type = object_type
        self.object_id = object_id
        super().__init__(f"{object_type} {object_id!r} not found")


class PermissionDeniedError(WorkspaceError):
    """The caller sees the object but their role does not allow this action."""


class AuthenticationError(WorkspaceError):
    """Missing, wrong or expired credentials."""


class ConflictError(WorkspaceError):
    """The action contradicts the current state (duplicate name, last owner, unsigned result, ...)."""


class AccountLockedError(AuthenticationError):
    """Too many failed password attempts on the account: refused until an administrator unlocks it."""


class ThrottledError(WorkspaceError):
    """Failed attempts from this account or client: wait ``retry_after`` seconds before the next one."""

    def __init__(self, message: str, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class PasswordChangeRequiredError(PermissionDeniedError):
    """The password was reset by an administrator: the user must choose a new one before anything else."""
