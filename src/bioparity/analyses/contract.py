"""The analysis contract: everything the front ends need to know about one kind of analysis.

An :class:`Analysis` bundles, for one kind (``nca``, ``pk-similarity``, ``caa``, ...):

* the **input**: the columns a file must have (:class:`InputColumn`, offered for mapping at upload) and
  a validating reader ``read(path) -> DataFrame`` that raises :class:`~bioparity.errors.DataFileError`
  naming the file, row and column;
* the **options schema** (:class:`Option`: name, help, default, choices, type), which drives the
  command line (``bioparity run KIND FILE --option name=value``), the API schema
  (``GET /analysis-kinds``) and the web form, and is checked by
  :func:`bioparity.analyses.registry.effective_options` before anything runs. An option of type
  ``dataset`` names a second input file: the id of another dataset of the study in the workspace (the
  run records its SHA-256 with the first one's), a file path on the command line; ``compute`` receives
  the path of that file. An option of type ``run`` names a stored run of one of the option's ``kinds`` in
  the same program (its result is the input: the workspace refuses a failed, unsigned or other-kind run
  and records the run's id in the options and its result's SHA-256 in the inputs), the path of a JSON
  result file on the command line; ``compute`` receives the path of that JSON;
* ``layout``: the file layouts the reader recognises by their columns and reads by their own rules
  (e.g. an SDTM PC domain for NCA): such a file is not mapped to the input columns at upload;
* ``compute(frame, options) -> dict``: deterministic, JSON values only (a tabular result uses
  :func:`bioparity.analyses.frames.frame_result`), so that a stored result is reproducible byte for byte;
* the **presentation** of a stored result: ``tables`` (main tables in a regulator-style layout and the
  appendix), ``summary`` (one readable line), ``statement`` (how the result was judged, with its
  sources, for a result without a table whose note could say it), ``flags`` (counts shown with the
  notes), ``figures`` (plot data once, drawn by the report's matplotlib renderer and the web's Plotly
  renderer), ``units`` of the input columns;
* the **chaining**: ``follows`` names the kinds whose result table this kind takes as input (the web
  offers this kind next for their results); ``actions`` are pages of the web workspace for a run;
* the **qualification**: ``validation`` names the reference sets of ``bioparity validate`` (ids of
  ``bioparity/validation/reference/MANIFEST.yaml``) whose cases recompute the kind's numbers against values
  computed elsewhere; the validation report shows per kind the cases that cover it
  (:mod:`bioparity.validation.coverage`).

Front ends never branch on kind names: they read this object from the registry
(:func:`bioparity.analyses.registry.get_analysis`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd

from bioparity.analyses.figures import Figure
from bioparity.analyses.frames import frame_records
from bioparity.analyses.tables import ReportTables, generic_tables
from bioparity.errors import InputError
from bioparity.fraction_text import fraction_value, percent_value
from bioparity.i18n import gettext as _

#: How an option's value is typed: free text, a number, a whole number, a yes/no flag, or a
#: comma-separated list (stored as the text, e.g. ``test,eu-ref,us-ref``).
OptionType = Literal["text", "number", "integer", "flag", "list", "dataset", "run"]
OPTION_TYPES: tuple[str, ...] = get_args(OptionType)

#: How ``compute`` finds the file an uploaded table was read from (its file name, as messages name it) and
#: the first data row's line (CSV: 1; other formats: None), when the reader records them in
#: ``DataFrame.attrs`` (the NCA kind does, to read an SDTM domain by the command line's rules).
SOURCE_FILE, SOURCE_LINE_OFFSET = "bioparity_file", "bioparity_line_offset"

#: Words accepted for a flag typed in a form or on the command line.
FLAG_WORDS = {
    "true": True,
    "1": True,
    "yes": True,
    "on": True,
    "false": False,
    "0": False,
    "no": False,
    "off": False,
}


#: Number options whose value is a fraction or a ratio (a level, a rate, a confidence level, a limit), by
#: name in every kind: typed as the fraction (``alpha=0.05``); a percentage (``alpha=5%``) is refused with
#: the fraction to give, by the command line's rule for its flags
#: (:func:`~bioparity.fraction_text.fraction_value`). A test (tests/cli/test_option_units.py) keeps every
#: number option named in one of these sets or in :data:`PLAIN_NUMBER_OPTIONS`.
FRACTION_OPTIONS = frozenset(
    {"alpha", "alpha_pool", "slope_alpha", "fpr", "confirm_fpr", "titration_fpr", "conf", "conf_level"}
) | frozenset({"confidence", "equivalence_level", "theta1", "min_r2"})
#: Number options whose unit is percent: the number or the same number with a ``%`` sign (``20%`` is 20,
#: :func:`~bioparity.fraction_text.percent_value`), as the command line's percent flags.
PERCENT_OPTIONS = frozenset({"confirmatory_cut_point"})
#: Number options in the data's own unit (a cut point in signal units, a time, a criterion, a multiple):
#: a ``%`` sign is not a number.
PLAIN_NUMBER_OPTIONS = frozenset(
    {"cut_point", "screening_cut_point", "normalization_factor", "boost_fold", "lower", "upper"}
) | frozenset({"slope_margin", "max_time", "target", "tau", "max_ci_ratio", "k", "total"})
PLAIN_NUMBER_OPTIONS |= frozenset({"closure_tolerance", "zero_replacement"})


def _shown(value: Any) -> str:
    return "'' (empty)" if value == "" else str(value).lower() if isinstance(value, bool) else str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Option:
    """One option of an analysis: its name, a one-line help, the default and what values it accepts.

    ``choices`` (when given) are the only values accepted (a web select). ``type`` says how text typed
    in a form or on the command line is converted (:meth:`parse`) and what a value must be
    (:meth:`error`): ``number``/``integer`` options refuse anything but numbers, ``flag`` takes
    true/false (yes/no, 1/0, on/off); ``text`` and ``list`` values are checked by the kind's compute.
    A ``dataset`` option names a second input (``''``: none): a dataset id of the same study in the
    workspace, which resolves it and gives ``compute`` the path of a copy of its file; a path on the
    command line (``bioparity run``). A ``run`` option names a stored run of one of ``kinds`` (``''``: none)
    whose stored result ``compute`` reads: a run id in the workspace, which checks it (same program,
    succeeded, signed) and gives ``compute`` the path of a copy of the result (JSON); the path of such a
    JSON file on the command line.
    ``label`` is the short title of a form field (the name when empty). A number option whose default is
    ``''`` is :attr:`optional`: the empty value means "not given" (as the empty choice of a text option),
    e.g. a confirmatory false-positive rate or a specification limit that a command takes without a default.

    Attributes
    ----------
    name : str
        Option name as typed on the command line (``--option name=value``) and stored with a run.
    help : str
        One-line help shown in ``bioparity kinds``, the API schema and the web form.
    default : Any, default ""
        Value used when the option is not given; must be one of ``choices`` when they are set, and
        of the option's type otherwise (``''`` for an optional number).
    choices : tuple or None, default None
        The only values accepted (a select in the web form); ``None`` accepts any value of the type.
    type : str, default "text"
        ``text``, ``number``, ``integer``, ``flag``, ``list`` (comma-separated text) or ``dataset``
        (another input file; its default must be ``''``).
    label : str, default ""
        Short title of the form field; the name when empty.
    kinds : tuple of str, default ()
        For a ``run`` option, the kinds whose runs it may name (at least one).
    aliases : tuple of str, default ()
        Earlier names of a renamed option: a run asked for under one gets the option under its name
        (:func:`bioparity.analyses.registry.effective_options`); the options stored with earlier runs keep
        the name they had, so ``compute`` reads the old name when the new one is missing.

    Raises
    ------
    ValueError
        When the type is unknown or the default is not acceptable (a programming error in a kind).

    Examples
    --------
    >>> alpha = Option("alpha", "significance level of each one-sided test", 0.05, type="number")
    >>> alpha.parse("0.1"), alpha.error("ten")
    (0.1, "'ten' is not a number (e.g. 0.05)")

    A fraction typed as a percentage is refused with the fraction to give (:data:`FRACTION_OPTIONS`):

    >>> alpha.error(alpha.parse("5%"))
    '5% is a percentage; give a fraction: 0.05 for 5%'
    """

    name: str
    help: str
    default: Any = ""
    choices: tuple[Any, ...] | None = None
    type: OptionType = "text"
    label: str = ""
    kinds: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.type not in OPTION_TYPES:
            raise ValueError(f"option {self.name!r}: type {self.type!r} is not one of {OPTION_TYPES}")
        if self.type in ("dataset", "run") and self.default != "":
            raise ValueError(f"option {self.name!r}: a {self.type} option has the default '' (none)")
        if (self.type == "run") != bool(self.kinds):
            raise ValueError(f"option {self.name!r}: kinds are given for a run option, and only for one")
        if self.choices is not None and self.default not in self.choices:
            raise ValueError(f"option {self.name!r}: default {self.default!r} is not one of its choices")
        if self.choices is None and self.error(self.default) is not None:
            raise ValueError(f"option {self.name!r}: default {self.default!r} is not a {self.type}")

    @property
    def title(self) -> str:
        """The label of a form field."""
        return self.label or self.name

    @classmethod
    def optional_number(cls, name: str, help: str, label: str = "") -> Option:
        """A number option without a default: empty means "not given" (:attr:`optional`).

        Examples
        --------
        >>> Option.optional_number("max_time", "longest shelf life searched (empty = none)").optional
        True
        """
        return cls(name, help, "", type="number", label=label)

    @property
    def optional(self) -> bool:
        """Whether the option is a number that may be left empty (its default is ``''``: not given)."""
        return self.default == "" and self.type in ("number", "integer")

    def parse(self, text: str) -> Any:
        """A value typed as text (a form field, ``--option name=value``) as this option's type.

        Text that is not a value of the type is returned unchanged, so that :meth:`error` refuses it
        with a message naming the option.
        """
        text = text.strip()
        if self.type == "flag":
            return FLAG_WORDS.get(text.lower(), text)
        if self.type in ("number", "integer"):
            try:
                return int(text) if self.type == "integer" else self._number(text)
            except ValueError:
                return text
        return text

    def _number(self, text: str) -> float:
        """A number option's text as its number: a fraction (:data:`FRACTION_OPTIONS`) by
        :func:`~bioparity.fraction_text.fraction_value`, a percent (:data:`PERCENT_OPTIONS`) by
        :func:`~bioparity.fraction_text.percent_value`; ``ValueError`` saying why not."""
        if self.name in FRACTION_OPTIONS:
            return fraction_value(text)
        if self.name in PERCENT_OPTIONS:
            return percent_value(text)
        return float(text)

    def error(self, value: Any) -> str | None:
        """Why ``value`` is refused (not one of the choices, not a number where one is needed), or None."""
        example = "empty: not given" if self.optional else f"e.g. {self.default}"
        if value == "" and self.optional:
            return None
        if self.choices is not None:
            if value not in self.choices:
                return f"{value!r} is not accepted; choose one of {', '.join(map(_shown, self.choices))}"
            return None
        if self.type == "number" and not _is_number(value):
            if isinstance(value, str) and self.name in FRACTION_OPTIONS and value.strip().endswith("%"):
                try:
                    self._number(value)
                except ValueError as exc:
                    return str(exc)
            return f"{value!r} is not a number ({example})"
        if self.type == "integer" and not (isinstance(value, int) and not isinstance(value, bool)):
            return f"{value!r} is not a whole number ({example})"
        if self.type == "flag" and not isinstance(value, bool):
            return f"{value!r} is not true or false"
        if self.type == "dataset" and not isinstance(value, str):
            return f"{value!r} is not a dataset ('' for none)"
        if self.type == "run" and not isinstance(value, str):
            return f"{value!r} is not a run id ('' for none)"
        return None

    def text(self, value: Any) -> str:
        """A value as a form field shows it (flags as ``true``/``false``)."""
        return str(value).lower() if isinstance(value, bool) else str(value)

    def schema(self) -> dict[str, Any]:
        """The option as plain data (API schema, ``bioparity kinds --json``); a ``run`` option with the kinds
        whose runs it may name."""
        return {
            "name": self.name,
            "help": self.help,
            "type": self.type,
            "default": self.default,
            "choices": None if self.choices is None else list(self.choices),
            "label": self.title,
        } | ({"kinds": list(self.kinds)} if self.type == "run" else {})


@dataclass(frozen=True)
class InputColumn:
    """A column the reader expects. ``required`` columns must be present (a CSV whose header lacks one
    is mapped at upload); ``unit_option`` names the option that holds the column's unit.

    ``unit_columns`` lists the usual names of a column giving this column's unit row by row (e.g.
    ``conc_unit``, CDISC SDTM ``PCSTRESU``): a file may carry its units that way. One of these names
    in a file's header is proposed at upload (another column can be chosen in the mapping); each value
    is then converted from its row's unit into the unit of ``unit_option`` before the analysis, as
    ``bioparity nca --conc-unit-column`` does. Empty: one unit for every row (the option's).

    Attributes
    ----------
    name : str
        Column name in the input file (e.g. ``"conc"``).
    required : bool
        The reader refuses a file without it.
    help : str, default ""
        What the column holds, shown when columns are mapped at upload.
    unit_option : str or None, default None
        Name of the kind's option that holds the column's unit (e.g. ``conc_unit``); it must be one
        of the kind's options.
    unit_columns : tuple of str, default ()
        Usual names of a column giving this column's unit row by row (see above).
    """

    name: str
    required: bool
    help: str = ""
    unit_option: str | None = None
    unit_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    """A page of the web workspace that works on a succeeded run of the kind, linked from the run page
    as ``/ui/runs/<run id>/<path>`` (e.g. NCA's lambda_z review).

    Attributes
    ----------
    label : str
        Text of the link on the run page.
    path : str
        Path below the run's URL (no leading slash), e.g. ``"review"`` for NCA's lambda_z review.
    id : str, default ""
        Element id of the link (e.g. ``"nca-review"``); empty for none.
    note : callable or None, default None
        ``note(result) -> str``: a sentence shown beside the link for a stored result (in the current
        language; empty: none), e.g. what the page cannot do for this run and why.
    """

    label: str
    path: str
    id: str = ""
    note: Callable[[Any], str] | None = None

    def note_for(self, result: Any) -> str:
        """The sentence shown beside the link for a stored result (empty without one)."""
        return "" if self.note is None else self.note(result)


@dataclass(frozen=True)
class StoredInput:
    """One dataset of a run's provenance chain, as the figures of a kind may use it.

    ``load()`` gives the file as a plain table, read from any format an upload takes (None when it cannot
    be read as a table); ``produced_by`` and ``produced_options`` are the kind and options of the run
    whose result table the dataset is (empty for an uploaded file).

    Attributes
    ----------
    sha256 : str
        SHA-256 of the stored file (its identity in the store), hexadecimal.
    validated_for : str or None
        Kind the upload was validated for, or ``None``.
    load : callable
        ``load() -> pandas.DataFrame or None``: the file read as a table on demand.
    produced_by : str or None, default None
        Kind of the run that produced the dataset (``None`` for an upload).
    produced_options : mapping of str to Any, default {}
        Options of that run.
    """

    sha256: str
    validated_for: str | None
    load: Callable[[], pd.DataFrame | None]
    produced_by: str | None = None
    produced_options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunView:
    """A stored run as the presentation hooks see it: options, the result table (no columns when the
    result has none) and the provenance chain (the run's own dataset first, then those it came from).

    Attributes
    ----------
    kind : str
        Analysis kind of the run.
    options : mapping of str to Any
        Options the run used (defaults included).
    table : pandas.DataFrame
        The stored result table (an empty frame when the result has no table).
    chain : tuple of StoredInput, default ()
        Provenance: the run's own input first, then the datasets it was derived from.
    result : Any, default None
        The stored result (the mapping ``compute`` returned), when a hook needs more than the table;
        ``None`` when not loaded.
    """

    kind: str
    options: Mapping[str, Any]
    table: pd.DataFrame
    chain: tuple[StoredInput, ...] = ()
    result: Any = None

    @property
    def records(self) -> list[dict[str, Any]]:
        """The result table as one dictionary per row."""
        return frame_records(self.table)

    def input_frame(self, needed: Collection[str]) -> pd.DataFrame | None:
        """The run's own dataset as a table (headers stripped and lower-cased), or None when it is not
        stored, not a table, or lacks one of the ``needed`` columns (a figure is then left out)."""
        frame = self.chain[0].load() if self.chain else None
        if frame is None:
            return None
        frame = frame.rename(columns=lambda c: str(c).strip().lower())
        return frame if set(needed) <= set(frame.columns) else None


@dataclass(frozen=True)
class Example:
    """A small valid input of the kind: ``write(folder)`` writes the file and returns its path, to be run
    with ``options`` (documentation, ``bioparity kinds`` and the contract test over every kind).

    Attributes
    ----------
    write : callable
        ``write(folder: pathlib.Path) -> pathlib.Path``: writes the example file into ``folder``.
    options : mapping of str to Any, default {}
        Options to run the example with.
    """

    write: Callable[[Path], Path]
    options: Mapping[str, Any] = field(default_factory=dict)


def example_file(
    name: str, content: Callable[[], bytes], options: Mapping[str, Any] | None = None
) -> Example:
    """An example written as ``<folder>/<name>`` from ``content()``, run with ``options``."""

    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content())
        return path

    return Example(write, dict(options or {}))


def packaged_example(relative: str, options: Mapping[str, Any] | None = None) -> Example:
    """An example file shipped in the package (``relative`` to the ``bioparity`` folder)."""
    source = resources.files("bioparity").joinpath(*relative.split("/"))
    return example_file(relative.rsplit("/", 1)[-1], source.read_bytes, options)


Reader = Callable[[Path], pd.DataFrame]
Compute = Callable[[pd.DataFrame, Mapping[str, Any]], Mapping[str, Any]]
TablesHook = Callable[[pd.DataFrame, Mapping[str, Any]], ReportTables]
SummaryHook = Callable[[Mapping[str, Any], Mapping[str, Any]], str]
FlagsHook = Callable[[pd.DataFrame, Mapping[str, Any]], list[tuple[str, int]]]
FiguresHook = Callable[[RunView], list[Figure]]
UnitsHook = Callable[[Mapping[str, Any]], dict[str, str]]
LayoutHook = Callable[[Sequence[str]], str | None]


def table_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """The default summary line: how many rows a tabular result has, or which values it holds."""
    if isinstance(result.get("rows"), list):
        return _("%(rows)d result rows, %(columns)d columns") % {
            "rows": len(result["rows"]),
            "columns": len(result.get("columns") or []),
        }
    scalars = [k for k, v in result.items() if isinstance(v, (str, int, float, bool)) or v is None]
    return _("result: %(values)s") % {
        "values": ", ".join(f"{k} = {_value_text(result[k])}" for k in scalars[:6])
    }


def _value_text(value: Any) -> str:
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.6g}"
    return str(value)


def no_statement(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """The default: no statement (a kind with a result table states its rules in the table's note)."""
    return ""


def no_flags(table: pd.DataFrame, options: Mapping[str, Any]) -> list[tuple[str, int]]:
    """The default: no flag counts."""
    return []


def no_figures(run: RunView) -> list[Figure]:
    """The default: no plots."""
    return []


@dataclass(frozen=True, kw_only=True)
class Analysis:
    """One kind of analysis (see the module documentation); register it with
    :func:`bioparity.analyses.registry.register`.

    ``name`` is the kind's stable identifier (stored with every run), ``title`` the heading of its pages
    and reports, ``description`` one line for lists. ``units`` maps input columns to their units from
    the options (by default from the columns' ``unit_option``). ``example`` is a small valid input.
    ``study_kinds`` are the kinds of study (``pk``, ``caa``, ...) whose uploads are checked for this
    analysis unless the user chooses otherwise.

    Attributes
    ----------
    name : str
        Stable identifier of the kind, e.g. ``"pk-similarity"`` (keyword only, like every field).
    title : str
        Heading of its pages and reports.
    description : str
        One line for lists (``bioparity kinds``).
    read : callable
        ``read(path) -> pandas.DataFrame``: validating reader; raises ``DataFileError`` naming the
        file, row and column.
    compute : callable
        ``compute(frame, options) -> mapping``: deterministic, JSON values only.
    columns : tuple of InputColumn, default ()
        Input columns offered for mapping at upload.
    options : tuple of Option, default ()
        The options schema (names unique).
    tables : callable, default generic_tables
        ``tables(frame, options) -> ReportTables``: the report's main tables and appendix.
    summary : callable, default table_summary
        ``summary(result, options) -> str``: one readable line.
    statement : callable, default no_statement
        ``statement(result, options) -> str``: how the stored result was judged, in the reader's language
        (e.g. the acceptance range, its rounding and its guideline section), printed under the summary on
        the run page and in the report; empty for none. For a result without a table (a record such as
        ``be``'s), where no table note can carry it.
    flags : callable, default no_flags
        ``flags(frame, options) -> list of (label, count)``: flag counts shown with the notes.
    figures : callable, default no_figures
        ``figures(run: RunView) -> list of Figure``: the plots of a run.
    units : callable or None, default None
        ``units(options) -> dict``: unit per input column; ``None`` takes each column's
        ``unit_option``.
    follows : tuple of str, default ()
        Kinds whose result table this kind takes as input.
    actions : tuple of Action, default ()
        Web pages that work on a succeeded run.
    example : Example or None, default None
        A small valid input.
    study_kinds : tuple of str, default ()
        Study kinds whose uploads are checked for this analysis by default.
    layout : callable or None, default None
        ``layout(columns) -> str or None``: the name of a file layout the reader reads by its own
        rules, recognised by the file's columns (e.g. ``"SDTM PC"``), else ``None``. An upload in
        such a layout maps no column and gives no unit column (the layout says where everything is).
    labels : mapping of str to str, default {}
        The kind's words for its option names and the stored keys its pages print in a key/value layout
        (marked with ``gettext_noop``; a zh-CN entry in the reports catalogue). They come before the
        shared :data:`bioparity.analyses.terms.LABELS`, which every kind reads: a key another kind
        labelled first keeps this kind's meaning on its own pages and reports.
    separators : tuple of str, default (",",)
        The column separators ``read`` accepts in a delimited text file. Most readers apply the rule of
        :mod:`bioparity.delimited` (comma only: a semicolon- or tab-separated file is refused, saying how
        to save it); the upload refuses such a file before its columns are mapped.
    validation : tuple of str, default ()
        Ids of the reference sets of ``bioparity validate`` (``bioparity/validation/reference/MANIFEST.yaml``)
        whose cases recompute this kind's numbers against values computed elsewhere (R, published tables);
        the validation report lists them per kind with their cases. A registered kind with none has no
        reference case: ``bioparity validate`` reports it as not covered, and the test suite fails unless
        the kind is a pure data summary exempted, with its reason, in
        :data:`bioparity.validation.coverage.EXEMPT`.

    Raises
    ------
    ValueError
        When option names (or their aliases) repeat or a column's ``unit_option`` is not an option (a
        programming error).
    """

    name: str
    title: str
    description: str
    read: Reader
    compute: Compute
    columns: tuple[InputColumn, ...] = ()
    options: tuple[Option, ...] = ()
    tables: TablesHook = generic_tables
    summary: SummaryHook = table_summary
    statement: SummaryHook = no_statement
    flags: FlagsHook = no_flags
    figures: FiguresHook = no_figures
    units: UnitsHook | None = None
    follows: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    example: Example | None = None
    study_kinds: tuple[str, ...] = ()
    layout: LayoutHook | None = None
    separators: tuple[str, ...] = (",",)
    labels: Mapping[str, str] = field(default_factory=dict)
    validation: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [o.name for o in self.options]
        every = [*names, *(a for o in self.options for a in o.aliases)]  # an alias names one option only
        if len(set(every)) != len(every):
            raise ValueError(f"analysis {self.name!r}: option names repeat: {every}")
        for column in self.columns:
            if column.unit_option is not None and column.unit_option not in names:
                raise ValueError(
                    f"analysis {self.name!r}: column {column.name!r} takes its unit from "
                    f"option {column.unit_option!r}, which is not one of its options"
                )
            if column.unit_columns and column.unit_option is None:
                raise ValueError(
                    f"analysis {self.name!r}: column {column.name!r} may give its unit per row "
                    "(unit_columns) but has no unit_option to convert into"
                )

    @property
    def option_help(self) -> dict[str, str]:
        """Option name -> one-line help, in the schema's order."""
        return {o.name: o.help for o in self.options}

    @property
    def defaults(self) -> dict[str, Any]:
        """Option name -> default (merged under the given options, so a run records every setting)."""
        return {o.name: o.default for o in self.options}

    @property
    def choices(self) -> dict[str, tuple[Any, ...]]:
        """Option name -> the only values accepted, for the options that list them."""
        return {o.name: o.choices for o in self.options if o.choices is not None}

    @property
    def expected_columns(self) -> dict[str, bool]:
        """Input column -> whether it is required (the columns offered for mapping at upload)."""
        return {c.name: c.required for c in self.columns}

    @property
    def dataset_options(self) -> tuple[Option, ...]:
        """The options that name a second input file (type ``dataset``)."""
        return tuple(o for o in self.options if o.type == "dataset")

    @property
    def run_options(self) -> tuple[Option, ...]:
        """The options that name a stored run whose result is an input (type ``run``)."""
        return tuple(o for o in self.options if o.type == "run")

    def layout_of(self, columns: Sequence[str]) -> str | None:
        """The layout the reader recognises in a file with these columns (see ``layout``), or None."""
        return None if self.layout is None or not columns else self.layout(columns)

    @property
    def unit_options(self) -> tuple[Option, ...]:
        """The options that hold the units of input columns (asked for at upload, stored with the data)."""
        wanted = {c.unit_option for c in self.columns if c.unit_option}
        return tuple(o for o in self.options if o.name in wanted)

    def option(self, name: str) -> Option:
        """The option called ``name`` (InputError listing the accepted ones otherwise)."""
        for o in self.options:
            if o.name == name:
                return o
        accepted = ", ".join(self.option_help) or "none"
        raise InputError(f"analysis {self.name!r} has no option {name!r}; accepted: {accepted}")

    def column_units(self, options: Mapping[str, Any]) -> dict[str, str]:
        """Input column -> unit under these options (empty units left out)."""
        if self.units is not None:
            return self.units(options)
        out = {}
        for column in self.columns:
            if column.unit_option and str(options.get(column.unit_option) or ""):
                out[column.name] = str(options[column.unit_option])
        return out

    def schema(self) -> dict[str, Any]:
        """The kind as plain data: options, input columns, what it follows (API, ``bioparity kinds``)."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "options": [o.schema() for o in self.options],
            "columns": [
                {
                    "name": c.name,
                    "required": c.required,
                    "help": c.help,
                    "unit_option": c.unit_option,
                    "unit_columns": list(c.unit_columns),
                }
                for c in self.columns
            ],
            "follows": list(self.follows),
        }
