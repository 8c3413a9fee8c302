"""The one exception hierarchy of bioparity.

Every error a user can meet is a :class:`BioparityError`. Messages say what was wrong, where
(file, row, column when there is one) and what was expected, so that the user can fix the input
without reading the code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import KW_ONLY, dataclass, fields, replace
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


def _same(text: str) -> str:
    return text


#: A number written with a decimal comma (``2285,96``, ``-0,5``, ``1.234,5``, ``1,5e-3``): what a cell of a
#: file saved in a decimal-comma locale (or replicateBE's ``dec = ","`` files) holds.
_DECIMAL_COMMA = re.compile(r"[+-]?(\d+|\d{1,3}(\.\d{3})+),\d+([eE][+-]?\d+)?")
#: A number followed by a percent sign (``30%``, ``12.5 %``): a CV or a proportion typed as Excel shows it.
_PERCENT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)\s*%")


def looks_like_decimal_comma(value: object) -> bool:
    """Whether ``value`` is text that reads as a number with a comma as the decimal mark.

    Examples
    --------
    >>> [looks_like_decimal_comma(v) for v in ("2285,96", " 1.234,5 ", "1,234.5", "abc", "1,2,3", 1.5)]
    [True, True, False, False, False, False]
    """
    return isinstance(value, str) and _DECIMAL_COMMA.fullmatch(value.strip()) is not None


def looks_like_percent(value: object) -> bool:
    """Whether ``value`` is text that reads as a number with a percent sign after it.

    Examples
    --------
    >>> [looks_like_percent(v) for v in ("30%", " 12.5 % ", "%", "30", "30%%", 0.3)]
    [True, True, False, False, False, False]
    """
    return isinstance(value, str) and _PERCENT.fullmatch(value.strip()) is not None


class BioparityError(Exception):
    """Base class of every error raised by bioparity on purpose."""


class InputError(BioparityError, ValueError):
    """An argument has a value outside its domain (for example ``cv <= 0``)."""


class ScenarioError(InputError):
    """A vectorised input is out of its domain at one scenario: ``parameter`` and flat ``index`` say where."""

    def __init__(
        self, message: str, *, parameter: str, index: int | None, value: Any = None, expected: str = ""
    ) -> None:
        self.parameter = parameter
        self.index = index
        self.value = value
        self.expected = expected
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        # Default exception pickling calls cls(*args) and loses the required keyword arguments, so an
        # error raised in a worker process (job pool, Dask) could not be sent back to the caller.
        keywords = {"parameter": self.parameter, "index": self.index, "value": self.value}
        return partial(type(self), expected=self.expected, **keywords), self.args


class UnknownDesignError(InputError):
    """A study design name that bioparity does not know."""


@dataclass(eq=False, repr=False)  # an exception: hashed and shown as one (identity, message)
class DataFileError(InputError):
    """A problem in an input file, located by file, row and column.

    ``row`` is the 1-based data row (the first row after the header is row 1); for text files the
    message also gives the line of the file (``line = row + 1`` when the header is on line 1). A JSON
    file has no rows or lines: ``key`` is the place in it (``rows[3][2]``, RFC 9535 JSON path notation).

    Every reader's "not a number" cell comes here, so the hints for a decimal comma (``2285,96``) and a
    percent sign (``30%``) are given once, for all of them (:func:`looks_like_decimal_comma`,
    :func:`looks_like_percent`).
    """

    problem: str
    _: KW_ONLY
    file: str | None = None
    row: int | None = None
    line: int | None = None
    column: str | None = None
    value: Any = None
    expected: str | None = None
    key: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message())

    def message(self, _: Callable[[str], str] = _same, note: Callable[[str], str] = _same) -> str:
        """The message, its labels (row, line, column, got, expected) worded by ``_`` (a gettext: the
        command line passes :func:`bioparity.i18n.gettext`) and the problem and what was expected by
        ``note`` (the pages pass :func:`bioparity.i18n.notes.note_text`: the readers' usual texts,
        :mod:`bioparity.problems`, in the reader's language); the file name, column name and value are
        printed as they are. ``str(error)`` is the English message.

        Examples
        --------
        >>> DataFileError("not a number", file="pk.csv", row=3, line=4, column="conc", value="x").message()
        "pk.csv, row 3 (line 4), column 'conc': not a number (got 'x')"
        >>> DataFileError("not a number", file="cp.json", key="rows[0][2]", column="cut_point").message()
        "cp.json, at rows[0][2], column 'cut_point': not a number"
        """
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.row is not None:
            where.append(
                _("row %(row)s (line %(line)s)") % {"row": self.row, "line": self.line}
                if self.line is not None
                else _("row %(row)s") % {"row": self.row}
            )
        if self.key is not None:
            where.append(_("at %(key)s") % {"key": self.key})
        if self.column is not None:
            where.append(_("column '%(column)s'") % {"column": self.column})
        text = _(", ").join(where)
        text = (
            _("%(where)s: %(problem)s") % {"where": text, "problem": note(self.problem)}
            if text
            else note(self.problem)
        )
        if self.value is not None:
            value = self.value
            plain = value.item() if type(value).__module__ == "numpy" and hasattr(value, "item") else value
            text += _(" (got %(value)s)") % {"value": repr(plain)}  # -5.0, not np.float64(-5.0)
        if self.expected:
            text += _("; expected %(expected)s") % {"expected": note(self.expected)}
        if self.problem.startswith("not a number") and looks_like_decimal_comma(self.value):
            text += _("; a decimal comma? save the file with '.' as the decimal mark")
        if self.problem.startswith("not a number") and looks_like_percent(self.value):
            text += _(
                "; a percent sign? write the number without '%' (a CV or proportion as a ratio: 0.3 for 30%)"
            )
        return text

    def relocated(
        self, file: str | None, *, row: int | None, line: int | None, key: str | None = None
    ) -> DataFileError:
        """The same problem (column, value, expectation) at another place: ``file``, ``row``, ``line``
        (and ``key``, the place in a JSON file, when given).

        For a reader that worked on a copy or a part of the user's file (a temporary file, one partition
        of a batch) and must point at the user's own file and row. Raise it ``from`` this error.
        """
        return replace(self, file=file, row=row, line=line, key=self.key if key is None else key)


def require_columns(
    columns: Collection[object], need: Sequence[str], *, file: str | None, context: str = ""
) -> None:
    """Check that a table has the columns ``need``: :func:`require_columns_found` (the same arguments and
    message) with all of ``need`` as what was expected (``columns subject, period, ...``). A table of no
    file (a frame given to a core) says which table it is by ``context`` (``" in the ADA table"``).

    Examples
    --------
    >>> try:
    ...     require_columns(["Time", "conc"], ["time", "conc"], file="pk.csv")
    ... except DataFileError as exc:
    ...     print(exc)
    pk.csv: missing column(s) 'time'; columns found: Time, conc; expected columns time, conc
    """
    require_columns_found(columns, need, file=file, expected=f"columns {', '.join(need)}", context=context)


def require_columns_found(
    columns: Collection[object], need: Iterable[str], *, file: str | None, expected: str, context: str = ""
) -> None:
    """Check that a table has the columns ``need``, naming the missing ones quoted and the ones found.

    Parameters
    ----------
    columns : collection
        The table's columns (``frame.columns``).
    need : iterable of str
        The columns it must have.
    file : str or None
        The table's file, for the message.
    expected : str
        What the message says was expected (e.g. ``"columns subject, time, conc"``).
    context : str, default ""
        Said after the missing columns (e.g. ``" for the plate layout"``).

    Raises
    ------
    DataFileError
        ``missing column(s) 'a', 'b'{context}; columns found: ...``, naming ``file``.

    Examples
    --------
    >>> try:
    ...     require_columns_found(["time"], ["time", "conc"], file="pk.csv", expected="columns time, conc")
    ... except DataFileError as exc:
    ...     print(exc.problem)
    missing column(s) 'conc'; columns found: time
    """
    missing = [c for c in need if c not in columns]
    if missing:  # the words of bioparity.problems.MISSING_COLUMNS_FOUND and COLUMNS (not imported: see there)
        raise DataFileError(
            f"missing column(s) {', '.join(repr(m) for m in missing)}{context}; "
            f"columns found: {', '.join(map(str, columns))}",
            file=file,
            expected=expected,
        )


def refuse_first_row(
    bad: npt.NDArray[np.bool_],
    problem: str,
    column: str,
    values: Sequence[Any] | npt.NDArray[Any],
    expected: str,
    *,
    file: str | None,
    line_offset: int | None = None,
) -> None:
    """Raise a :class:`DataFileError` at the first row of a table where ``bad`` is True (nothing when no row
    is): a reader's check of one column, row by row.

    The error names the 1-based data row ``i + 1``, its file line ``i + 1 + line_offset`` when the reader
    knows how many lines stand before the data (``line_offset``; no line otherwise), the ``column`` and its
    value ``values[i]`` as read, with ``problem`` and ``expected`` (note templates of
    :mod:`bioparity.problems`).

    Examples
    --------
    >>> import numpy as np
    >>> refuse_first_row(np.array([False, False]), "not a number", "PK", ["1", "2"], "a number", file="a.csv")
    >>> try:
    ...     refuse_first_row(np.array([False, True, True]), "not a number", "PK", ["1", "x", "y"], "a number",
    ...                      file="be.csv", line_offset=1)
    ... except DataFileError as exc:
    ...     print(exc)
    be.csv, row 2 (line 3), column 'PK': not a number (got 'x'); expected a number
    """
    if bad.any():
        i = int(bad.argmax())  # the first True
        raise DataFileError(
            problem,
            file=file,
            row=i + 1,
            line=None if line_offset is None else i + 1 + line_offset,
            column=column,
            value=values[i],
            expected=expected,
        )


@dataclass(eq=False, repr=False)  # as DataFileError
class RuleFileError(InputError):
    """A regulatory rule file that breaks the rule schema, located by file, rule id and field."""

    problem: str
    _: KW_ONLY
    file: str
    rule_id: str | None = None
    field: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message())

    def __reduce__(self) -> tuple[Any, ...]:
        # As ScenarioError: ``file`` is a required keyword, which default exception pickling cannot pass.
        keywords = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "problem"}
        return partial(type(self), **keywords), (self.problem,)

    def message(self, _: Callable[[str], str] = _same) -> str:
        """The message, its labels (rule, field) worded by ``_`` (see :meth:`DataFileError.message`)."""
        where = [self.file]
        if self.rule_id is not None:
            where.append(_("rule %(rule)s") % {"rule": self.rule_id})
        if self.field is not None:
            where.append(_("field '%(field)s'") % {"field": self.field})
        return _("%(where)s: %(problem)s") % {"where": _(", ").join(where), "problem": self.problem}


class SearchError(BioparityError):
    """A numerical search (for example a sample size) did not reach its target within its bounds."""


class BioparityWarning(UserWarning):
    """A result was computed but something in the input deserves a second look."""
