"""Process-change comparability (ICH Q5E): the ``comparability`` kind (one file, one run, one report).

ICH Q5E (*Comparability of Biotechnological/Biological Products Subject to Changes in Their Manufacturing
Process*, CPMP/ICH/5721/03, 2004, sections 2.2 and 2.4) compares the quality attributes of lots made after a
manufacturing change (a new site, scale or process step) with those of lots made before it, release and
stability data alike. The numbers are those of ``bioparity comparability``
(:mod:`bioparity.caa.comparability`): the CAA engine with the post-change lots as the test lots and the
pre-change lots as the reference (quality range, equivalence of means, tolerance intervals as the plan
says), and, for the stability results in the same file, the ICH Q1E evaluation of each product
(poolability at 0.25, shelf life from the one-sided 95% bound; ICH Q1E, CPMP/ICH/420/02, 2003, Appendix B)
with the difference of the post- and pre-change mean degradation rates against a margin (two one-sided
tests, Schuirmann 1987, J Pharmacokinet Biopharm 15:657).

One long file holds both: ``attribute, source, lot, value`` (the CAA long table, optionally ``unit, tier,
replicate, date, method``) where ``source`` is the pre-change or post-change label (options ``pre`` and
``post``: two sites or scales work the same way), plus an optional ``time`` column: a row with a time is a
stability result of its lot at that time (optionally ``condition`` and the specification columns ``lower,
upper, model, slope_margin`` of the ``stability`` kind), a row with a blank time a release or
characterisation result. An optional ``label`` column (one per attribute, release and stability rows alike)
names the attribute where a reader sees it, as the ``stability`` kind's: tables, figures, notes and the
readiness print the file's label, else the label of the catalogue the run names, else the code as written
(:func:`comparability_names`). The stored table stacks the CAA rows (:data:`CAA_ROWS`) and the stability
kind's sections, told apart by :data:`SECTION`, with the ``label`` column when a label is given.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bioparity.analyses import stability as stability_kind
from bioparity.analyses.caa import (
    CATALOGUE_OPTION,
    PLAN_OPTION,
    caa_flags,
    caa_names,
    caa_tables,
    catalogue_option,
)
from bioparity.analyses.contract import Analysis, InputColumn, Option, RunView, example_file
from bioparity.analyses.figures import Figure, caa_attributes, caa_plot
from bioparity.analyses.frames import (
    SECTION,
    file_labels,
    frame_records,
    frame_result,
    section_records,
    stack_sections,
)
from bioparity.analyses.frames import section as section
from bioparity.analyses.options import number_option, text_option
from bioparity.analyses.tables import ReportTables, Table, generic_tables
from bioparity.analyses.terms import term
from bioparity.caa import assess
from bioparity.caa.catalogue import DEFAULT_PLAN
from bioparity.caa.comparability import PRE_SOURCE, check_labels, comparability_table, relabel_sources
from bioparity.caa.inputs import TEST_SOURCE, check_long_table
from bioparity.errors import DataFileError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.i18n.notes import note_template
from bioparity.i18n.printing import ITEM_SEPARATOR
from bioparity.io.cmc import check_regression_per_lot, stability_frame
from bioparity.io.readers import LoadedTable, read_any_table

NAME = "comparability"
#: The :data:`SECTION` of the CAA rows; the other rows are sections of the stability kind.
CAA_ROWS = "quality attributes"
#: Columns of the stored table and of the input that other code reads.
ATTRIBUTE, SOURCE, LOT, TIME, STATUS = "attribute", "source", "lot", "time", "status"
#: Optional column of the input and the stored table: the attribute's name as a reader sees it.
LABEL = stability_kind.LABEL
TEST_SOURCE_COLUMN, REFERENCE_SOURCE_COLUMN = "test_source", "reference_source"
#: Top-level values of the stored result: the labels compared and the verdict.
PRE, POST, COMPARABLE = "pre", "post", "comparable"
#: Columns of the CAA long table kept for the engine.
CAA_COLUMNS = ("attribute", "source", "lot", "value", "unit", "tier", "replicate", "date", "method")
#: Columns a stability row may carry besides the CAA ones.
STABILITY_EXTRA = ("time", "condition", *stability_kind.SPEC_COLUMNS)

_HELP = {
    "attribute": "quality attribute",
    "source": "pre-change or post-change label (options pre and post), e.g. two sites or scales",
    "lot": "lot (batch); a lot belongs to one source",
    "value": "result (blank: a missing release result; a stability result must be given)",
    "time": "time on stability (blank: a release or characterisation result)",
    "condition": "storage or stress condition of a stability result",
    "unit": "unit of the attribute",
    "tier": "CAA tier 1, 2 or 3 (else from the catalogue or the plan's default)",
    "replicate": "replicate of a release result (averaged per lot)",
    "date": "date of the lot",
    "method": "analytical method",
    **{c: stability_kind.COLUMNS_HELP[c] for c in (*stability_kind.SPEC_COLUMNS, LABEL)},
}
COLUMNS = (
    *(InputColumn(c, True, _HELP[c]) for c in ("attribute", "source", "lot", "value")),
    *(
        InputColumn(c, False, _HELP[c])
        for c in (*STABILITY_EXTRA[:2], *CAA_COLUMNS[4:], *STABILITY_EXTRA[2:], LABEL)
    ),
)


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell)) or not str(cell).strip()


@contextmanager
def _file_rows(rows: Sequence[int], loaded: LoadedTable) -> Iterator[None]:
    """A DataFileError raised on some of the file's rows (row ``i`` = ``rows[i - 1]``) names the file's row
    and line; the stability reader's ``product`` is the file's ``source``."""
    try:
        yield
    except DataFileError as exc:
        if exc.row is None or not 1 <= exc.row <= len(rows):
            raise
        row = rows[exc.row - 1]
        raise DataFileError(
            exc.problem.replace("product", "source"), file=loaded.file, row=row,
            line=None if loaded.line_offset is None else row + loaded.line_offset,
            column="source" if exc.column == "product" else exc.column, value=exc.value,
            expected=exc.expected,
        ) from None  # fmt: skip


def _release(raw: pd.DataFrame, rows: list[int], loaded: LoadedTable) -> pd.DataFrame:
    """The release rows checked as the CAA reads them (whatever the source labels: the options map them)."""
    part = raw.iloc[[r - 1 for r in rows]].reset_index(drop=True)
    part = part[[c for c in CAA_COLUMNS if c in part.columns]]
    with _file_rows(rows, loaded):
        checked = check_long_table(part.assign(source=TEST_SOURCE), file=loaded.file)
    return checked.assign(source=[str(s).strip().lower() for s in part["source"]], row=rows)


def _stability(raw: pd.DataFrame, rows: list[int], loaded: LoadedTable) -> pd.DataFrame:
    """The stability rows checked as the ``stability`` kind reads them (source = product)."""
    part = raw.iloc[[r - 1 for r in rows]].reset_index(drop=True)
    part = part.assign(product=[str(s).strip().lower() for s in part["source"]])
    with _file_rows(rows, loaded):
        data = stability_frame(part, loaded.file, None)
    data = stability_kind.with_spec_columns(data, part, loaded.file, loaded.line_offset, rows)
    with _file_rows(rows, loaded):
        check_regression_per_lot(data, loaded.file)
    return data.rename(columns={"product": SOURCE}).assign(row=rows)


def _one_source_per_lot(frame: pd.DataFrame, loaded: LoadedTable) -> None:
    """A lot belongs to one source, in its release and stability rows alike."""
    first: dict[str, tuple[str, int]] = {}
    for row, lot, source in zip(frame["row"], frame[LOT], frame[SOURCE], strict=True):
        known, at = first.setdefault(str(lot), (str(source), int(row)))
        if known != source:
            raise DataFileError(
                f"lot {lot!r} appears under sources {known!r} (row {at}) and {source!r}", file=loaded.file,
                row=int(row), line=None if loaded.line_offset is None else int(row) + loaded.line_offset,
                column=SOURCE, value=source, expected="one source per lot",
            )  # fmt: skip


#: A stability row (a time given) in the table of ``bioparity comparability``, which compares release results
#: only: taken as one more value of its lot it would shift the lot's mean (silently, before this refusal).
STABILITY_ROW_IN_CAA = note_template(
    "a stability result (a time given) in the release comparison of 'bioparity comparability'"
)
STABILITY_ROW_EXPECTED = note_template(
    "a blank time (release results only); give stability data with --stability and --spec, or run the "
    "whole file with 'bioparity run comparability FILE', which reads release and stability rows apart"
)


def refuse_stability_rows(frame: pd.DataFrame, loaded: LoadedTable) -> None:
    """Refuse a release table with stability rows (a ``time`` given), naming the first one's row and line:
    ``bioparity comparability`` would take a stability result as one more release value of its lot."""
    if TIME not in frame.columns:
        return
    timed = [i for i, cell in enumerate(frame[TIME].tolist()) if not _blank(cell)]
    if timed:
        row = timed[0] + 1
        raise DataFileError(
            STABILITY_ROW_IN_CAA, file=loaded.file, row=row,
            line=None if loaded.line_offset is None else row + loaded.line_offset, column=TIME,
            value=frame[TIME].iloc[timed[0]], expected=STABILITY_ROW_EXPECTED,
        )  # fmt: skip


def read_comparability(path: Path) -> pd.DataFrame:
    """The long table, checked cell by cell (file, row and column named): release rows as the CAA reads
    them, stability rows (a time given) as the ``stability`` kind does; one row per input row in the
    file's order, ``time`` NaN for a release row and ``row`` the file's data row; the optional ``label``
    checked as the ``stability`` kind's (one per attribute across the file)."""
    loaded = read_any_table(path)
    raw = loaded.frame
    missing = [c for c in ("attribute", "source", "lot", "value") if c not in raw.columns]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(repr(m) for m in missing)}; "
            f"columns found: {', '.join(raw.columns)}",
            file=loaded.file,
            expected="columns attribute, source, lot, value (optional time, condition, unit, tier, ...)",
        )
    if raw.empty:
        raise DataFileError("has a header but no data rows", file=loaded.file)
    for i, cell in enumerate(raw["source"].tolist()):
        if _blank(cell):
            line = None if loaded.line_offset is None else i + 1 + loaded.line_offset
            raise DataFileError(
                "empty cell", file=loaded.file, row=i + 1, line=line, column="source",
                expected="the pre-change or post-change label",
            )  # fmt: skip
    timed = [not _blank(c) for c in raw["time"].tolist()] if TIME in raw.columns else [False] * len(raw)
    release = [i + 1 for i, t in enumerate(timed) if not t]
    stable = [i + 1 for i, t in enumerate(timed) if t]
    parts = [_release(raw, release, loaded)] if release else []
    parts += [_stability(raw, stable, loaded)] if stable else []
    frame = pd.concat(parts, ignore_index=True).sort_values("row", kind="stable").reset_index(drop=True)
    _one_source_per_lot(frame, loaded)
    frame = with_file_labels(frame, raw, loaded.file, loaded.line_offset, frame["row"].tolist())
    if TIME not in frame.columns:
        frame[TIME] = np.nan
    return frame


def with_file_labels(
    frame: pd.DataFrame,
    raw: pd.DataFrame,
    file: str,
    line_offset: int | None,
    rows: Sequence[int] | None = None,
) -> pd.DataFrame:
    """``frame`` (one row per row of ``raw``, with ``attribute``) with the ``raw`` table's optional ``label``
    column checked as the ``stability`` kind's: one label per attribute across the file, a second one
    refused naming ``file``, the data row (``rows``, default the position) and the line; ``frame``
    unchanged when the file has no such column (``bioparity comparability`` reads it so too)."""
    if LABEL not in raw.columns:
        return frame
    return stability_kind.with_spec_columns(frame, raw, file, line_offset, rows, columns=(LABEL,))


def with_label_column(table: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """The result ``table`` with the file's labels (attribute -> label, :func:`file_labels`) as its
    ``label`` column, on every row of an attribute that has one; unchanged without labels."""
    if not labels:
        return table
    return table.assign(**{LABEL: table[ATTRIBUTE].astype(str).map(labels)})


def _labelled(frame: pd.DataFrame, pre: str, post: str) -> pd.Series:
    """The source labels as the options spell them (every label checked, naming the row)."""
    engine = relabel_sources(frame, pre, post, rows=frame["row"].tolist())["source"]
    return engine.map({PRE_SOURCE: pre, TEST_SOURCE: post})


def _stability_frame(frame: pd.DataFrame, labels: pd.Series) -> pd.DataFrame:
    columns = [
        c
        for c in (ATTRIBUTE, "condition", LOT, TIME, "value", *stability_kind.SPEC_COLUMNS, LABEL)
        if c in frame
    ]
    return frame[columns].assign(product=labels)


def comparability_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """The CAA of the post-change lots against the pre-change lots and, for the stability rows, the
    ``stability`` kind with the post-change product as test and the pre-change product as reference; the
    file's labels kept as the ``label`` column of every row of an attribute that has one."""
    pre, post = text_option(options, PRE, "pre-change"), text_option(options, POST, "post-change")
    check_labels(pre, post)
    sources, labels = _labelled(frame, pre, post), file_labels(frame)
    timed = frame[TIME].notna()
    parts, notes = [], []
    settings: dict[str, Any] = {}
    specification: dict[str, Any] = {}
    if (~timed).any():
        release = frame.loc[~timed, [c for c in CAA_COLUMNS if c in frame.columns]].assign(
            source=sources[~timed].map({pre: PRE_SOURCE, post: TEST_SOURCE})
        )
        oc = int(number_option(options, "oc_simulations", 0))
        result = assess(
            release, catalogue_option(options), [(TEST_SOURCE, PRE_SOURCE)],
            plan=text_option(options, "plan", DEFAULT_PLAN), operating_characteristics=oc > 0,
            oc_simulations=max(oc, 100), seed=int(number_option(options, "seed", 20250909)),
        )  # fmt: skip
        parts.append(comparability_table(result.table, pre, post).assign(**{SECTION: CAA_ROWS}))
        # the engine's notes in the run's labels
        notes += [
            n.replace("test lots against ref-pre-change", f"{post} lots against {pre}") for n in result.notes
        ]
    if timed.any():
        table, settings, specification, flags = stability_kind.stability_sections(
            _stability_frame(frame[timed], sources[timed]), options, test=post, reference=pre,
            names=caa_names(options, frame.loc[timed, ATTRIBUTE].astype(str), labels),
        )  # fmt: skip
        parts.append(table)
        notes += flags
    table = with_label_column(stack_sections(parts), labels)
    return frame_result(
        table, pre=pre, post=post, comparable=_comparable(table), settings=settings,
        specification=specification, notes=notes,
    )  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    """What a stored comparability table shows (the readiness engine reads it as ICH Q5E evidence).

    Attributes
    ----------
    change : str
        ``<post> vs <pre>`` in the run's labels.
    comparable : bool
        No quality attribute failed, no degradation rate was shown to differ, and something was judged.
    n_attributes : int
        Quality attributes compared.
    not_comparable : tuple of str
        The attributes that failed and the degradation rates not shown equivalent, by the names a reader
        sees (:func:`comparability_names`: ``Afucosylated glycans``, ``purity_sec degradation rate (25C)``;
        in the current language, :func:`~bioparity.analyses.stability.degradation_rate_name`).
    """

    change: str
    comparable: bool
    n_attributes: int
    not_comparable: tuple[str, ...]


def comparability_names(options: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The attributes of a stored table (release and stability rows) as a reader sees them: the file's label
    (the ``label`` column of the rows), else the label of the run's catalogue
    (:func:`~bioparity.analyses.caa.caa_names`, as the CAA names them), else the code as written."""
    labels = {str(r[ATTRIBUTE]): r[LABEL] for r in rows if isinstance(r.get(LABEL), str) and r[LABEL]}
    return caa_names(options, (str(r[ATTRIBUTE]) for r in rows if ATTRIBUTE in r), labels)


def verdict(rows: Sequence[Mapping[str, Any]], names: Mapping[str, str] | None = None) -> Verdict:
    """The :class:`Verdict` of a stored table given as rows (dictionaries with the :data:`SECTION` column);
    what was not comparable named by ``names`` (attribute -> name, :func:`comparability_names`), else by
    its code."""
    shown = names or {}
    caa = [r for r in rows if r.get(SECTION) == CAA_ROWS]
    slopes = [r for r in rows if r.get(SECTION) == stability_kind.SLOPES]
    judged = [r for r in slopes if isinstance(r.get(stability_kind.EQUIVALENT), (bool, np.bool_))]
    failed = list(dict.fromkeys(str(r[ATTRIBUTE]) for r in caa if r.get(STATUS) == "fail"))
    failed = [shown.get(a, a) for a in failed]
    failed += [
        stability_kind.degradation_rate_name(
            shown.get(str(r[ATTRIBUTE]), str(r[ATTRIBUTE])), str(r.get("condition") or "")
        )
        for r in judged
        if not r[stability_kind.EQUIVALENT]
    ]
    decided = sum(1 for r in caa if r.get(STATUS) == "pass") + len(judged)
    first = caa[0] if caa else slopes[0] if slopes else {}
    post = first.get(TEST_SOURCE_COLUMN) or first.get(stability_kind.TEST) or "post-change"
    pre = first.get(REFERENCE_SOURCE_COLUMN) or first.get(stability_kind.REFERENCE) or "pre-change"
    return Verdict(
        f"{post} vs {pre}", not failed and decided > 0, len({r[ATTRIBUTE] for r in caa}), tuple(failed)
    )


def _comparable(table: pd.DataFrame) -> bool:
    """No quality attribute failed, no degradation rate was shown to differ, and something was judged."""
    return verdict(frame_records(table)).comparable


def _has_stability(frame: pd.DataFrame) -> bool:
    return SECTION in frame.columns and bool((frame[SECTION] == stability_kind.SHELF_LIFE).any())


def comparability_tables(frame: pd.DataFrame, options: Mapping[str, Any] | None = None) -> ReportTables:
    """The CAA verdicts (post- vs pre-change) with the plans, then the stability tables (shelf lives per
    product, the difference of degradation rates, the lot regressions); each part complete in the appendix."""
    if SECTION not in frame.columns:
        return generic_tables(frame)
    main: list[Table] = []
    appendix: list[Table] = []
    extra: list[Table] = []
    caa = section(frame, CAA_ROWS)
    if len(caa):
        tables = caa_tables(caa, options)
        first = tables.main[0]
        post = str(caa[TEST_SOURCE_COLUMN].iloc[0]) if TEST_SOURCE_COLUMN in caa else "post-change"
        pre = str(caa[REFERENCE_SOURCE_COLUMN].iloc[0]) if REFERENCE_SOURCE_COLUMN in caa else "pre-change"
        main.append(
            replace(
                first,
                title=_(
                    "Process-change comparability (ICH Q5E): %(post)s lots against the %(pre)s lots, "
                    "verdict and key statistic per attribute"
                )
                % {"post": post, "pre": pre},
            )
        )
        main += tables.main[1:]
        appendix += tables.appendix
        extra += tables.extra
    if _has_stability(frame):
        names = comparability_names(options or {}, frame_records(frame))
        stability = stability_kind.stability_tables(frame, options, names)
        main += stability.main
        appendix += stability.appendix
    return ReportTables(tuple(main), tuple(appendix), extra=tuple(extra))


def comparability_summary(result: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """``post-change vs pre-change: 5 attributes, 4 pass, 1 fail; degradation rates equivalent for 3 of 3
    comparison(s) with a margin; comparable: no``."""
    pre, post = result.get(PRE, "pre-change"), result.get(POST, "post-change")
    rows = section_records(result, CAA_ROWS)
    statuses = [str(r.get(STATUS)) for r in rows]
    counts = _(ITEM_SEPARATOR).join(f"{statuses.count(s)} {term(s)}" for s in sorted(set(statuses)))
    line = _("%(post)s vs %(pre)s: %(attributes)d attributes") % {
        "post": post,
        "pre": pre,
        "attributes": len({r.get(ATTRIBUTE) for r in rows}),
    } + (_(ITEM_SEPARATOR) + counts if counts else "")
    slopes = section_records(result, stability_kind.SLOPES)
    judged = [r for r in slopes if r.get(stability_kind.EQUIVALENT) is not None]
    if slopes:
        equivalent = sum(1 for r in judged if r[stability_kind.EQUIVALENT])
        line += _(
            "; degradation rates equivalent for %(equivalent)d of %(judged)d comparison(s) with a margin"
        ) % {"equivalent": equivalent, "judged": len(judged)}
    return _("%(line)s; comparable: %(comparable)s") % {
        "line": line,
        "comparable": term("yes" if result.get(COMPARABLE) else "no"),
    }


def comparability_flags(table: pd.DataFrame, options: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Comparisons per status, and the stability kind's flags when there are stability results."""
    flags = caa_flags(section(table, CAA_ROWS), options)
    return flags + (stability_kind.stability_flags(table, options) if _has_stability(table) else [])


def _input(run: RunView) -> pd.DataFrame | None:
    """The run's file with the source labels as the options spell them (None when not a table)."""
    data = run.input_frame((ATTRIBUTE, SOURCE, LOT, "value"))
    if data is None:
        return None
    pre, post = str(run.options.get(PRE, "pre-change")), str(run.options.get(POST, "post-change"))
    keys = {pre.strip().lower(): pre, post.strip().lower(): post}
    return data.assign(source=data[SOURCE].map(lambda s: keys.get(str(s).strip().lower(), str(s))))


def comparability_figures(run: RunView) -> list[Figure]:
    """One plot per quality attribute (pre- and post-change lots with the acceptance range shaded, failed
    attributes first) and one per stability analysis (results per lot, model lines, bounds, criteria)."""
    data = _input(run)
    if data is None or SECTION not in run.table.columns:
        return []
    timed = (
        pd.Series([not _blank(c) for c in data[TIME].tolist()], index=data.index)
        if TIME in data.columns
        else pd.Series(False, index=data.index)
    )
    records = frame_records(section(run.table, CAA_ROWS))
    post = str(run.options.get(POST, "post-change"))
    names = comparability_names(run.options, frame_records(run.table))
    out = []
    for attribute in caa_attributes(records):
        plot = caa_plot(data[~timed], records, attribute, names, test=post)
        if plot is not None:
            out.append(
                Figure(
                    "comparability",
                    _("Attribute plot"),
                    _("Lot values before and after the change with the acceptance range, %(attribute)s")
                    % {"attribute": names.get(attribute, attribute)},
                    plot,
                    series="attribute",
                    item=attribute,
                    group_title=_("Quality attributes: lots before and after the change"),
                    note=_(
                        "Lot values by source (bar: mean) with the acceptance range from the pre-change "
                        "lots shaded; attributes with a failed comparison first."
                    ),
                )
            )
    if timed.any() and _has_stability(run.table):
        unit = str(run.options.get("time_unit") or "")
        out += stability_kind.stability_plots(
            data[timed].rename(columns={SOURCE: "product"}), run.table, unit, names
        )
    return out


#: The example's truth: attribute, unit, tier, pre-change mean, lot SD, post-change shift in SDs.
_RELEASE = (
    ("purity_sec", "%", 2, 98.9, 0.20, 0.3),
    ("hmw_species_sec", "%", 2, 0.70, 0.08, 0.2),
    ("main_charge_variant", "%", 2, 64.0, 1.5, -0.3),
    ("afucosylated_glycans", "%", 1, 8.0, 0.5, 3.2),
    ("relative_potency", "%", 1, 100.0, 5.0, 0.1),
)
#: Stability: attribute, condition, times (months), slope per month, residual SD, lower, upper, margin.
_STABILITY = (
    ("purity_sec", "5C", (0, 3, 6, 9, 12, 18, 24, 36), -0.05, 0.08, 97.0, None, 0.1),
    ("purity_sec", "25C", (0, 1, 2, 3, 6), -0.35, 0.10, 97.0, None, 0.1),
    ("hmw_species_sec", "5C", (0, 3, 6, 9, 12, 18, 24, 36), 0.012, 0.02, None, 1.1, 0.01),
)


def example_data(seed: int = 20040601) -> bytes:
    """A simulated site transfer (seed: the date ICH Q5E came into operation in the EU, 2004-06-01): ten
    pre-change lots (``PC-``) and ten post-change lots (``CM-``) of five attributes, the afucosylated glycans
    shifted by 3.2 lot SDs after the change (a failure the assessment must show), and three lots of each
    on stability (purity at 5C and 25C, aggregates at 5C) with the same degradation rates."""
    rng = np.random.default_rng(seed)
    lots = {
        "pre-change": [f"PC-{101 + i}" for i in range(10)],
        "post-change": [f"CM-{201 + i}" for i in range(10)],
    }
    rows: list[dict[str, Any]] = []
    means: dict[tuple[str, str], float] = {}
    for name, unit, tier, mean, sd, shift in _RELEASE:
        for source, names in lots.items():
            centre = mean + (shift * sd if source == "post-change" else 0.0)
            for lot, value in zip(names, rng.normal(centre, sd, len(names)), strict=True):
                means[(name, lot)] = float(value)
                rows.append({"attribute": name, "source": source, "lot": lot, "value": round(float(value), 2),
                             "unit": unit, "tier": tier})  # fmt: skip
    for name, condition, times, slope, sd, lower, upper, margin in _STABILITY:
        for source, names in lots.items():
            for lot in names[:3]:
                for t in times:
                    value = means[(name, lot)] + slope * t + rng.normal(0.0, sd)
                    rows.append({"attribute": name, "source": source, "lot": lot,
                                 "value": round(float(value), 3), "time": t, "condition": condition,
                                 "lower": lower, "upper": upper, "slope_margin": margin})  # fmt: skip
    columns = ["attribute", "source", "lot", "value", "unit", "tier", "time", "condition", "lower", "upper",
               "slope_margin"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns).to_csv(index=False, lineterminator="\n").encode()


_STABILITY_OPTIONS = tuple(o for o in stability_kind.STABILITY.options if o.name not in ("test", "reference"))

COMPARABILITY = Analysis(
    name=NAME,
    validation=("comparability-r",),  # reference sets of bioparity validate (MANIFEST.yaml)
    title=gettext_noop("Process-change comparability (ICH Q5E)"),
    description=gettext_noop(
        "Process-change comparability (ICH Q5E): post- vs pre-change lots on the CAA engine, "
        "with the stability comparison"
    ),
    read=read_comparability,
    compute=comparability_kind,
    columns=COLUMNS,
    options=(
        Option(
            PRE, gettext_noop("source label of the pre-change lots (or the old site or scale)"), "pre-change"
        ),
        Option(
            POST,
            gettext_noop("source label of the post-change lots (or the new site or scale)"),
            "post-change",
        ),
        CATALOGUE_OPTION,
        PLAN_OPTION,
        Option(
            "oc_simulations",
            gettext_noop("simulated assessments for the plan's operating characteristics (0 = none)"),
            0,
            type="integer",
        ),
        Option("seed", gettext_noop("seed of those simulations"), 20250909, type="integer"),
        *_STABILITY_OPTIONS,
    ),
    tables=comparability_tables,
    summary=comparability_summary,
    flags=comparability_flags,
    figures=comparability_figures,
    units=stability_kind.STABILITY.units,  # the unit of time
    study_kinds=("caa",),
    example=example_file("comparability.csv", example_data),
)

ANALYSES = (COMPARABILITY,)
