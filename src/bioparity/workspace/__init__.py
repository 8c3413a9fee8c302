"""The program workspace: organisations, users and roles, programs shared between partners, studies,
immutable content-addressed datasets, analysis runs with provenance, and electronic signatures. The
analyses a dataset can be run through are the kinds of :mod:`bioparity.analyses`.

Every service takes a SQLAlchemy session and the acting user, checks permissions first (deny by default;
objects the caller may not see are "not found"), records an audit row in the same transaction, and never
commits (the caller's unit of work does).
"""

from bioparity.workspace.access import Actor
from bioparity.workspace.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    WorkspaceError,
)
from bioparity.workspace.roles import Meaning, Permission, Role

__all__ = [
    "Actor",
    "AuthenticationError",
    "ConflictError",
    "Meaning",
    "NotFoundError",
    "Permission",
    "PermissionDeniedError",
    "Role",
    "WorkspaceError",
]
