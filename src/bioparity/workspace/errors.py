"""Errors of the workspace services (part of the one BioparityError hierarchy).

Messages are written in the language of the request (:func:`bioparity.i18n.gettext`): English for the
API and the command line unless told otherwise, the reader's language on a page.

The API maps them to HTTP statuses: NotFoundError 404 (also for objects the caller may not see, so that
their existence cannot be inferred), PermissionDeniedError 403 (the caller sees the object but their role
does not allow the action), AuthenticationError 401, ConflictError 409; InputError and DataFileError 422.
"""

from __future__ import annotations

from bioparity.errors import BioparityError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop

#: The kinds of object a :class:`NotFoundError` names (translated in its message; the attribute stays).
OBJECT_TYPES = frozenset(
    {
        gettext_noop("program"),
        gettext_noop("study"),
        gettext_noop("dataset"),
        gettext_noop("analysis run"),
        gettext_noop("organisation"),
        gettext_noop("user"),
        gettext_noop("member"),
        gettext_noop("invitation"),
        gettext_noop("share"),
        gettext_noop("share invitation"),
        gettext_noop("api token"),
        gettext_noop("validation report"),
    }
)


class WorkspaceError(BioparityError):
    """Base class of the workspace's refusals."""


class NotFoundError(WorkspaceError):
    """No such object, or one the caller is not allowed to see (the two are indistinguishable on purpose)."""

    def __init__(self, object_type: str, object_id: str) -> None:
        self.object_type = object_type
        self.object_id = object_id
        what = _(object_type) if object_type in OBJECT_TYPES else object_type
        super().__init__(_("%(what)s %(id)r not found") % {"what": what, "id": object_id})


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
