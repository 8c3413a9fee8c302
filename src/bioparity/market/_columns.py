"""Finding the columns of a downloaded file by name, accepting the aliases of older releases.

Public files change their headers between releases (the Purple Book's ``BLA Type`` became
``License Type``; EMA's ``Name of medicine`` became ``Medicine name``). Columns are located by
name, never by position, and a missing required column fails with the list of columns found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bioparity.errors import DataFileError


@dataclass(frozen=True)
class ColumnAlias:
    """One logical column: its canonical header, aliases from other releases, and whether it is needed."""

    canonical: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        return (self.canonical, *self.aliases)


def _key(header: str) -> str:
    """Comparison key of a header: case, surrounding spaces and repeated spaces do not matter."""
    return " ".join(str(header).split()).casefold()


def resolve_columns(
    header: Sequence[object], specs: Sequence[ColumnAlias], *, file: str, line: int | None = None
) -> dict[str, int]:
    """Map each canonical column name to its position in ``header``.

    Optional columns that are absent are left out of the mapping. Raises :class:`DataFileError`
    naming the missing columns and listing the columns found when a required one is absent, or
    when two headers of the file match the same logical column.
    """
    found = [str(h).strip() if h is not None else "" for h in header]
    positions: dict[str, int] = {}
    for i, name in enumerate(found):
        if name:
            positions.setdefault(_key(name), i)
    mapping: dict[str, int] = {}
    missing: list[str] = []
    for spec in specs:
        hits = [positions[_key(n)] for n in spec.names if _key(n) in positions]
        if len(set(hits)) > 1:
            raise DataFileError(
                f"two columns mean the same thing ({' and '.join(repr(found[h]) for h in hits)})",
                file=file,
                line=line,
                expected=f"only one of {', '.join(repr(n) for n in spec.names)}",
            )
        if hits:
            mapping[spec.canonical] = hits[0]
        elif spec.required:
            missing.append(spec.canonical)
    if missing:
        names = [f"'{m}'" + _alias_text(specs, m) for m in missing]
        where = f" (header on line {line})" if line is not None else ""
        raise DataFileError(
            f"missing column(s) {', '.join(names)}{where}; columns found: "
            + ", ".join(repr(f) for f in found if f),
            file=file,
            expected="the layout of a current release (the file's layout may have changed)",
        )
    return mapping


def _alias_text(specs: Sequence[ColumnAlias], canonical: str) -> str:
    for spec in specs:
        if spec.canonical == canonical and spec.aliases:
            return " (also accepted: " + ", ".join(repr(a) for a in spec.aliases) + ")"
    return ""


def pick(row: Sequence[object], mapping: Mapping[str, int], name: str) -> str:
    """The stripped text of column ``name`` in ``row`` ('' when the column is absent or the row is short)."""
    position = mapping.get(name)
    if position is None or position >= len(row):
        return ""
    value = row[position]
    return "" if value is None else str(value).strip()
