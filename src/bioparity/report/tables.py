"""Result tables laid out for paper and for a 1,280 px screen, built generically from a result frame.

Every report has main tables (the regulator-style layout of the analysis kind) and an appendix that
prints the complete stored result table, split into panels of columns that fit a landscape A4 page
(the key columns repeated in each panel, as SAS prints wide listings). Columns that other versions of
an analysis add therefore always appear, at least in the appendix: no column is ever lost.

Cells are formatted here, once, so that the HTML page, the HTML report and the PDF print the same text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from bioparity.nca.summary import flag_counts, summary_statistics
from bioparity.report.format import fmt_value

#: Characters of text that fit across a landscape A4 page at the report's table font size.
PANEL_BUDGET = 150
#: The same on a portrait A4 page (the per-subject NCA tables: more rows per page).
PORTRAIT_BUDGET = 125
#: Widest a single column is counted when packing panels (longer text wraps).
MAX_COLUMN_CHARS = 48

#: NCA parameter groups (CDISC PPTESTCD codes) for the per-subject tables; other codes go to "Other".
NCA_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Exposure", ("CMAX", "TMAX", "CLST", "TLST", "CMIN", "TMIN", "CAVG", "C0", "TLAG", "CTROUGH")),
    ("Area under the curve", ("AUCLST", "AUCALL", "AUCIFO", "AUCIFP", "AUCPEO", "AUCPEP", "AUCTAU")),
    ("Terminal phase (lambda_z)", ("LAMZ", "LAMZHL", "R2", "R2ADJ", "LAMZLL", "LAMZUL", "LAMZNPT")),
    ("Lambda_z review", ("LAMZSPN", "CLSTP")),
    ("Clearance, volume and moments", ("CLFO", "CLO", "VZFO", "VZO", "MRTEVIFO", "MRTIVIFO")),
    ("Moments (AUMC)", ("AUMCLST", "AUMCIFO", "AUMCTAU")),
)
_PROFILE_KEYS = ("arm", "treatment", "TRT", "group", "period", "analyte", "subject", "USUBJID")


@dataclass(frozen=True)
class Table:
    """A printable table: header labels, formatted cells and which columns are numbers."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    note: str = ""
    wide: bool = False
    css: tuple[str, ...] = field(default_factory=tuple)  # optional class per row

    def html(self) -> Markup:
        """The table as HTML (``thead`` repeats on every printed page)."""
        head = "".join(f'<th scope="col">{escape(c)}</th>' for c in self.columns)
        body = []
        for i, row in enumerate(self.rows):
            cells = "".join(
                f'<td class="{_cell_class(v, num)}{" long" if len(v) > 24 else ""}">{escape(v)}</td>'
                for v, num in zip(row, self.numeric, strict=True)
            )
            css = f' class="{self.css[i]}"' if self.css and self.css[i] else ""
            body.append(f"<tr{css}>{cells}</tr>")
        caption = f"<caption>{escape(self.title)}</caption>" if self.title else ""
        note = f'<p class="note">{escape(self.note)}</p>' if self.note else ""
        return Markup(
            f'<table class="data">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>{note}"
        )


_VERDICTS_OK = {"pass", "similar", "within limits", "met", "ready"}
_VERDICTS_BAD = {"fail", "not similar", "outside limits", "missing", "gaps"}


def _cell_class(text: str, numeric: bool) -> str:
    word = text.split(":")[0].strip().lower()
    if word in _VERDICTS_OK:
        return "ok"
    if word in _VERDICTS_BAD:
        return "bad"
    return "num" if numeric else "txt"


def cell(value: Any, digits: int = 6) -> str:
    """A stored value as printed (numbers to ``digits`` significant digits; missing as a dash)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer() and abs(float(value)) < 1e15:
        return str(int(value))
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str) and value == "":
        return ""
    return fmt_value(value, digits)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def panels(
    frame: pd.DataFrame,
    keys: Sequence[str],
    title: str,
    *,
    budget: int = PANEL_BUDGET,
    headers: Mapping[str, str] | None = None,
    wide: bool = True,
) -> list[Table]:
    """The frame as tables of columns that fit ``budget`` characters, ``keys`` repeated in each."""
    headers = dict(headers or {})
    keys = [k for k in keys if k in frame.columns]
    texts = {c: [cell(v) for v in frame[c].tolist()] for c in frame.columns}
    numeric = {c: any(_is_number(v) for v in frame[c].tolist()) for c in frame.columns}

    def width(c: str) -> int:
        longest = max((len(t) for t in texts[c]), default=0)
        return min(max(longest, len(headers.get(c, str(c)))), MAX_COLUMN_CHARS) + 2

    rest = [c for c in frame.columns if c not in keys]
    used = sum(width(k) for k in keys)
    groups: list[list[str]] = []
    current: list[str] = []
    for c in rest:
        if current and used + sum(width(x) for x in current) + width(c) > budget:
            groups.append(current)
            current = []
        current.append(c)
    if current or not groups:
        groups.append(current)
    out = []
    total = len(frame.columns)
    for i, group in enumerate(groups):
        cols = [*keys, *group]
        label = title if len(groups) == 1 else f"{title} (part {i + 1} of {len(groups)})"
        out.append(
            Table(
                label,
                tuple(headers.get(c, str(c)) for c in cols),
                tuple(zip(*(texts[c] for c in cols), strict=True)) if len(frame) else (),
                tuple(numeric[c] for c in cols),
                note=f"{len(frame)} rows; {total} columns in all" if i == len(groups) - 1 else "",
                wide=wide,
            )
        )
    return out


@dataclass(frozen=True)
class ReportTables:
    """The tables of one run's report: main tables and the appendix (the complete result table)."""

    main: tuple[Table, ...]
    appendix: tuple[Table, ...]
    notes: tuple[str, ...] = ()


def _unit_label(code: str, unit: str) -> str:
    return f"{code} ({unit})" if unit else code


# --- NCA -------------------------------------------------------------------------------------------


def _profile_keys(frame: pd.DataFrame) -> list[str]:
    keys = [c for c in _PROFILE_KEYS if c in frame.columns]
    for extra in ("start", "end"):
        if extra in frame.columns and frame.duplicated([*keys, "PPTESTCD"]).any():
            keys.append(extra)
    return keys


def _constant_within(frame: pd.DataFrame, keys: list[str], column: str) -> bool:
    if not keys:
        return False
    return bool((frame.groupby(keys, sort=False)[column].nunique(dropna=False) <= 1).all())


def nca_tables(frame: pd.DataFrame) -> ReportTables:
    """Summary statistics per arm and parameter, flags per subject, one table per parameter group."""
    if not {"PPTESTCD", "PPSTRESN"} <= set(frame.columns):
        return generic_tables(frame)
    keys = _profile_keys(frame)
    arm = next((c for c in ("arm", "treatment", "TRT", "group") if c in frame.columns), None)
    unit_col = "PPSTRESU" if "PPSTRESU" in frame.columns else None
    units: dict[str, str] = {}
    if unit_col:
        for code, g in frame.groupby("PPTESTCD", sort=False):
            found = sorted(set(g[unit_col].fillna("").astype(str)) - {""})
            units[str(code)] = found[0] if len(found) == 1 else ""
    main: list[Table] = []
    stats = summary_statistics(frame, group=arm, unit=unit_col).to_frame()
    stat_headers = {
        "parameter": "parameter (unit)",
        "n_missing": "n missing",
        "sd": "SD",
        "cv_percent": "CV%",
        "geometric_mean": "geometric mean",
        "geometric_cv_percent": "geometric CV%",
    }
    stats["parameter"] = [_unit_label(p, u) for p, u in zip(stats["parameter"], stats["unit"], strict=True)]
    stats = stats.drop(columns=["unit", "software_version"])
    body = [
        tuple(
            cell(v, 5) if c not in ("n", "n_missing") else cell(v)
            for c, v in zip(stats.columns, r, strict=True)
        )
        for r in stats.itertuples(index=False)
    ]
    main.append(
        Table(
            "Summary statistics per arm and parameter (PPSTRESN by PPTESTCD)",
            tuple(stat_headers.get(c, c) for c in stats.columns),
            tuple(body),
            tuple(c not in (stats.columns[0], "parameter") for c in stats.columns),
            note="SD and CV% with n - 1; geometric CV% = 100·sqrt(exp(s²log) - 1); no geometric "
            "statistics for times of samples (Tmax, Tlast, lambda_z interval), R2, span ratio and counts.",
        )
    )
    flags = [c for c in frame.columns if str(c).startswith("flag_")]
    if flags and "subject" in frame.columns:
        counts = flag_counts(frame, group=arm).to_frame()
        main.append(
            Table(
                "Review flags: subjects with the flag per arm",
                (counts.columns[0], "flag", "subjects flagged", "subjects"),
                tuple(tuple(cell(v) for v in r) for r in counts.itertuples(index=False)),
                (False, False, True, True),
                note="Counted per subject: a flag on several parameters of one profile counts once.",
            )
        )
    # one row per profile that exists (not the cross product of arms and subjects)
    wide = frame.groupby([*keys, "PPTESTCD"], sort=False)["PPSTRESN"].first().unstack("PPTESTCD")
    codes = [str(c) for c in dict.fromkeys(frame["PPTESTCD"].astype(str))]
    placed: set[str] = set()
    groups: list[tuple[str, list[str]]] = []
    for name, members in NCA_GROUPS:
        chosen = [c for c in members if c in codes]
        placed |= set(chosen)
        if chosen:
            groups.append((name, chosen))
    other = [c for c in codes if c not in placed]
    for i in range(0, len(other), 8):
        groups.append(("Other parameters", other[i : i + 8]))
    appendix: list[Table] = []
    key_width = sum(max(len(k), 10) + 2 for k in keys)
    merged: list[tuple[list[str], list[str]]] = []
    for name, chosen in groups:
        width = sum(max(len(_unit_label(c, units.get(c, ""))), 9) + 2 for c in chosen)
        if (
            merged
            and key_width
            + width
            + sum(max(len(_unit_label(c, units.get(c, ""))), 9) + 2 for c in merged[-1][1])
            <= PORTRAIT_BUDGET
        ):
            merged[-1][0].append(name)
            merged[-1][1].extend(chosen)
        else:
            merged.append(([name], list(chosen)))
    for names, chosen in merged:
        part = wide[chosen].reset_index()
        headers = {c: _unit_label(c, units.get(c, "")) for c in chosen}
        title = "; ".join(names) + ": PPSTRESN per subject (PPTESTCD as columns)"
        appendix += panels(part, keys, title, headers=headers, budget=PORTRAIT_BUDGET, wide=False)
    others = [c for c in frame.columns if c not in {*keys, "PPTESTCD", "PPSTRESN", "PPSTRESU", "PPORRESU"}]
    numeric = [
        c
        for c in others
        if pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
        and not _constant_within(frame, keys, c)
    ]
    for c in numeric:  # a number per parameter (e.g. PPORRES): per-subject tables like PPSTRESN
        values = pd.to_numeric(frame[c], errors="coerce")
        same = values.eq(pd.to_numeric(frame["PPSTRESN"], errors="coerce")) | (
            values.isna() & frame["PPSTRESN"].isna()
        )
        differ = [str(x) for x in dict.fromkeys(frame.loc[~same, "PPTESTCD"].astype(str))]
        if not differ:
            appendix.append(_equal_note(c, len(codes)))
            continue
        sub = frame[frame["PPTESTCD"].astype(str).isin(differ)]
        part = sub.groupby([*keys, "PPTESTCD"], sort=False)[c].first().unstack("PPTESTCD")[differ]
        unit_of = {}
        if c == "PPORRES" and "PPORRESU" in frame.columns:
            unit_of = {
                str(k): str(v) for k, v in frame.groupby("PPTESTCD", sort=False)["PPORRESU"].first().items()
            }
        headers = {x: _unit_label(x, unit_of.get(x, "")) for x in differ}
        title = f"{c} per subject where it differs from PPSTRESN (other parameters: equal)"
        appendix += panels(
            part.reset_index(), keys, title, headers=headers, budget=PORTRAIT_BUDGET, wide=False
        )
    rest = [c for c in others if c not in numeric]
    if rest:
        appendix.append(_varying_table(frame, keys, rest))
    for c in ("PPORRESU", "PPSTRESU"):
        if c in frame.columns:
            u = frame.groupby("PPTESTCD", sort=False)[c].first().reset_index()
            appendix += panels(u, ["PPTESTCD"], f"{c} (units) by parameter")
    return ReportTables(tuple(main), tuple(appendix))


def _equal_note(column: str, n_codes: int) -> Table:
    return Table(
        f"{column}: equal to PPSTRESN for every profile and parameter",
        ("column", "parameters", "value"),
        ((column, str(n_codes), "= PPSTRESN"),),
        (False, True, False),
    )


def _varying_table(frame: pd.DataFrame, keys: list[str], columns: list[str]) -> Table:
    """Columns whose value differs between the parameters of one profile (per-parameter flags, methods).

    Printed compactly: one row per column, value and set of parameters, with the profiles that have
    it; empty, ``no`` and missing values are not listed (they are the absence of the flag or method).
    """
    label_keys = (
        ["subject"] if "subject" in keys and not frame.duplicated([*keys, "PPTESTCD"]).any() else keys
    )
    n_profiles = frame.groupby(keys, sort=False).ngroups
    found: dict[tuple[str, str, str], list[str]] = {}
    listed: set[str] = set()
    for key, g in frame.groupby(keys, sort=False):
        parts = key if isinstance(key, tuple) else (key,)
        label = " / ".join(str(p) for p, k in zip(parts, keys, strict=True) if k in label_keys)
        for c in columns:
            texts = [cell(v) for v in g[c].tolist()]
            for value in dict.fromkeys(texts):
                if value in {"", "no", "—"}:
                    continue
                chosen = [str(p) for p, t in zip(g["PPTESTCD"].tolist(), texts, strict=True) if t == value]
                params = "all" if len(chosen) == len(texts) else ", ".join(chosen)
                found.setdefault((str(c), value, params), []).append(label)
                listed.add(str(c))
    rows = []
    for (c, value, params), profiles in found.items():
        who = f"all {n_profiles} profiles" if len(profiles) == n_profiles else ", ".join(profiles)
        rows.append((c, value, params, str(len(profiles)), who))
    rows += [(str(c), "no or empty everywhere", "all", "0", "—") for c in columns if str(c) not in listed]
    return Table(
        "Other columns: settings, review flags and methods per profile and parameter",
        ("column", "value", "parameters (PPTESTCD)", "profiles", "which profiles"),
        tuple(rows),
        (False, False, False, True, False),
        note="Values other than empty or 'no'; a flag not listed with 'yes' is 'no' for every profile.",
        wide=True,
    )


# --- PK similarity -------------------------------------------------------------------------------


def _pct(value: Any) -> str:
    return f"{float(value):.2f}" if _is_number(value) and math.isfinite(float(value)) else "—"


def pk_tables(frame: pd.DataFrame) -> ReportTables:
    """Metric x comparison: n, GMR and CI as "96.58 (89.12, 104.68)", limits, CVs and the outcome."""
    need = {"metric", "test_arm", "reference_arm", "gmr", "ci_lower", "ci_upper"}
    if not need <= set(frame.columns):
        return generic_tables(frame)
    alpha = frame["alpha"].iloc[0] if "alpha" in frame.columns and len(frame) else 0.05
    level = f"{100 * (1 - 2 * float(alpha)):g}%"
    rows = []
    for r in frame.to_dict("records"):
        passed = r.get("pass", r.get("passed"))
        outcome = "—" if passed is None else ("within limits" if passed else "outside limits")
        cvs = "/".join(_pct(r.get(k)) for k in ("cv_test", "cv_reference") if k in r)
        rows.append(
            (
                str(r["metric"]),
                f"{r['test_arm']} vs {r['reference_arm']}",
                f"{cell(r.get('n_test'))}/{cell(r.get('n_reference'))}",
                f"{_pct(r['gmr'])} ({_pct(r['ci_lower'])}, {_pct(r['ci_upper'])})",
                f"{_pct(r.get('lower_limit'))}-{_pct(r.get('upper_limit'))}"
                if "lower_limit" in r and "upper_limit" in r
                else "—",
                cvs,
                outcome,
            )
        )
    main = Table(
        f"PK similarity: GMR (%) and {level} CI per metric and comparison",
        (
            "metric",
            "comparison",
            "n test/reference",
            f"GMR % ({level} CI)",
            "limits %",
            "CV% test/reference",
            "outcome",
        ),
        tuple(rows),
        (False, False, True, True, True, True, False),
    )
    appendix = panels(frame, ["metric", "test_arm", "reference_arm"], "Complete PK similarity result")
    return ReportTables((main,), tuple(appendix))


# --- CAA -----------------------------------------------------------------------------------------


def _key_statistic(r: Mapping[str, Any]) -> str:
    method = str(r.get("method") or "")
    unit = str(r.get("unit") or "")
    if method == "equivalence":
        return (
            f"difference {cell(r.get('estimate'), 4)}, CI ({cell(r.get('ci_lower'), 4)}, "
            f"{cell(r.get('ci_upper'), 4)}) within [{cell(r.get('lower_limit'), 4)}, "
            f"{cell(r.get('upper_limit'), 4)}] {unit}".rstrip()
        )
    if method == "quality-range":
        return (
            f"{cell(r.get('n_inside'))}/{cell(r.get('n_test'))} lots in "
            f"[{cell(r.get('lower_limit'), 4)}, {cell(r.get('upper_limit'), 4)}] {unit}".rstrip()
        )
    if method == "descriptive":
        return f"means {cell(r.get('mean_test'), 4)} vs {cell(r.get('mean_reference'), 4)} {unit}".rstrip()
    return f"{r.get('statistic', 'estimate')} {cell(r.get('estimate'), 4)}"


def caa_tables(frame: pd.DataFrame, names: Mapping[str, str] | None = None) -> ReportTables:
    """One row per attribute: name, tier, method, and per comparison the verdict and key statistic."""
    if not {"attribute", "comparison", "status"} <= set(frame.columns):
        return generic_tables(frame)
    names = dict(names or {})
    comparisons = list(dict.fromkeys(frame["comparison"].astype(str)))
    rows, css = [], []
    for attribute, g in frame.groupby("attribute", sort=False):
        by: dict[str, dict[str, Any]] = {
            str(r["comparison"]): {str(k): v for k, v in r.items()} for r in g.to_dict("records")
        }
        first = g.iloc[0]
        cells = [
            names.get(str(attribute), str(attribute)),
            cell(first.get("tier")),
            str(first.get("method") or ""),
        ]
        for c in comparisons:
            r = by.get(c)
            cells.append("—" if r is None else f"{r['status']}: {_key_statistic(r)}")
        rows.append(tuple(cells))
        css.append("fail" if (g["status"].astype(str) == "fail").any() else "")
    main = Table(
        "Comparative analytical assessment: verdict and key statistic per attribute and comparison",
        ("attribute", "tier", "method", *comparisons),
        tuple(rows),
        (False, True, False, *([False] * len(comparisons))),
        css=tuple(css),
        wide=True,
        note="Reasons, settings and every statistic per comparison are in the appendix.",
    )
    appendix = panels(frame, ["attribute", "comparison"], "Complete CAA result")
    return ReportTables((main,), tuple(appendix))


def generic_tables(frame: pd.DataFrame) -> ReportTables:
    """Any other table: all columns in panels that fit the page."""
    keys = [c for c in frame.columns[:1]]
    portrait = panels(frame, keys, "Result table", budget=PORTRAIT_BUDGET, wide=False)
    if len(portrait) == 1:  # fits a portrait page: no landscape page for a narrow table
        return ReportTables(tuple(portrait), ())
    return ReportTables(tuple(panels(frame, keys, "Result table")), ())


def run_tables(
    kind: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], names: Mapping[str, str] | None = None
) -> ReportTables:
    """The report tables of a run's result table (empty when the result has no table)."""
    if not columns:
        return ReportTables((), ())
    frame = pd.DataFrame([list(r) for r in rows], columns=list(columns))
    if kind == "nca":
        return nca_tables(frame)
    if kind == "pk-similarity":
        return pk_tables(frame)
    if kind == "caa":
        return caa_tables(frame, names)
    return generic_tables(frame)
