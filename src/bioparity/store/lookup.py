"""Rows by primary key through statements built once: ``Session.get`` for the paths every page view takes.

``Session.get`` builds a new SELECT each time the row is not loaded yet, and SQLAlchemy then walks the
new statement to compute its cache key (SQLAlchemy 2.x, "SQL Compilation Caching": the key is generated
for every execution of a statement object that is not the same object). For a one-row query of a page
view that is most of its CPU time. A statement built once and executed with a bound parameter keeps its
cache key (memoised on the object), so only the query itself is left. Statements are immutable and may be
shared between threads (SQLAlchemy Core constructs are safe to reuse once built).

The same applies to the other statements of page views: they are module constants with
:func:`sqlalchemy.bindparam` parameters, next to the code that runs them.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, bindparam, inspect, select
from sqlalchemy.orm import Session, defer
from sqlalchemy.orm.util import identity_key

from bioparity.store.models import Base

M = TypeVar("M", bound=Base)
L = TypeVar("L", bound=Base)
R = TypeVar("R", bound=Base)


@cache
def _by_id(model: type[Base], deferred: tuple[str, ...]) -> Select[Any]:
    """``SELECT model WHERE <primary key> = :ident``, with the ``deferred`` columns left unloaded."""
    (key,) = inspect(model).primary_key  # every model of the store has a one-column primary key
    statement = select(model).where(key == bindparam("ident"))
    if deferred:
        statement = statement.options(*(defer(getattr(model, name)) for name in deferred))
    return statement


def by_id(session: Session, model: type[M], ident: str | None, *, deferred: tuple[str, ...] = ()) -> M | None:
    """``session.get(model, ident)``: the row already loaded in ``session`` when it is there (the
    session's own answer), else one query through a statement built once per model and ``deferred``.

    ``deferred`` names columns not to load now (a large result text the caller does not show); reading
    such an attribute later loads it then, as for any deferred column.
    """
    if ident is None:
        return None
    if identity_key(model, ident) in session.identity_map:
        return session.get(model, ident)
    found: M | None = session.scalars(_by_id(model, deferred), {"ident": ident}).one_or_none()
    return found


def joined_pairs(
    session: Session, left: type[L], right: type[R], *where: ColumnElement[bool], order_by: Any
) -> list[tuple[L, R]]:
    """The rows of ``left`` with the ``right`` row their foreign key names, as ``(left, right)`` pairs.

    Parameters
    ----------
    session : Session
        The unit of work to read in.
    left, right : type
        The two models; ``left`` has exactly one foreign key to ``right`` (the join follows it).
    *where : ColumnElement[bool]
        The conditions every pair meets (all of them).
    order_by : Any
        The column (or expression) the pairs are sorted by.

    Returns
    -------
    list[tuple[L, R]]
        ``SELECT left, right FROM left JOIN right ON <foreign key> WHERE where ORDER BY order_by``.
    """
    rows = session.execute(select(left, right).join(right).where(*where).order_by(order_by))
    return [(a, b) for a, b in rows]
