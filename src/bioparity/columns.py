"""Finding a table's column by its name: the name as written, else the one column equal to it ignoring
letter case (``ARM`` or ``Arm`` for ``arm``), never one of two such columns picked silently.

An SDTM domain writes its variables in upper case (SDTMIG v3.4, section 2.2: ``ARM``, ``USUBJID``), a
spreadsheet often in title case (``Time``), the options and the grouping rules of bioparity in lower case:
every reader finds a column the same way, through :class:`Columns`. Two columns that differ only in letter
case (``ARM`` and ``Arm``) leave a name without an exact column ambiguous: which of them holds the arms? The
lookup refuses it, naming the file and both columns, instead of taking the first.

A neutral module (the errors and the problem texts only): the cores (:mod:`bioparity.nca.spec`, the NCA
grouping rule) and the edges (:mod:`bioparity.analyses.figures`, the arm of the figures and of the summary
statistics) use the one rule.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

from bioparity.errors import DataFileError
from bioparity.problems import COLUMNS_MATCH_ONE_NAME, ONE_COLUMN_PER_NAME

__all__ = ["AmbiguousColumnError", "Columns"]


class AmbiguousColumnError(DataFileError):
    """Two or more columns of a table equal a name ignoring letter case, and none is written as it."""


class Columns:
    """The column lookup of one table: the exact name, else the one name equal to it ignoring letter case.

    Parameters
    ----------
    names : iterable of hashable
        The table's column names (``frame.columns``), compared as text.
    file : str, optional
        The table's file, named in the error of an ambiguous name.

    Examples
    --------
    >>> find = Columns(["Subject", "TIME", "conc", "arm", "ARM"], file="pk.csv")
    >>> find.optional("subject"), find.optional("time"), find.optional("arm"), find.optional("dose")
    ('Subject', 'TIME', 'arm', None)
    >>> find.named("dose")
    'dose'
    >>> try:
    ...     Columns(["Time", "TIME"], file="pk.csv").optional("time")
    ... except AmbiguousColumnError as exc:
    ...     print(exc.file, exc.problem, sep=": ")
    pk.csv: columns 'Time', 'TIME' all match 'time' (letter case ignored)
    """

    def __init__(self, names: Iterable[Hashable], *, file: str | None = None) -> None:
        self.names = [str(c) for c in names]
        self.exact = set(self.names)
        self.file = file

    def optional(self, name: str) -> str | None:
        """The column ``name`` as written, else the one column equal to it ignoring case, else None.

        Raises
        ------
        AmbiguousColumnError
            Two or more columns equal to ``name`` ignoring letter case and none written as ``name``: the
            message names the file and those columns.
        """
        if name in self.exact:
            return name
        same = [c for c in self.names if c.casefold() == name.casefold()]
        if len(same) > 1:
            columns = ", ".join(repr(c) for c in same)
            raise AmbiguousColumnError(
                COLUMNS_MATCH_ONE_NAME.format(columns=columns, name=repr(name)),
                file=self.file,
                expected=ONE_COLUMN_PER_NAME,
            )
        return same[0] if same else None

    def named(self, name: str) -> str:
        """:meth:`optional`, or ``name`` itself when no column has it (reported as missing by the reader)."""
        return self.optional(name) or name

    def first(self, candidates: Sequence[str]) -> str | None:
        """The first of ``candidates`` written exactly as a column, else the first found ignoring letter case
        (:meth:`optional`: an ambiguous one is refused), else None."""
        exact = next((c for c in candidates if c in self.exact), None)
        return exact or next((c for c in map(self.optional, candidates) if c is not None), None)
