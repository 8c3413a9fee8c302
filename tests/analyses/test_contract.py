"""Every registered analysis kind satisfies the contract (like scikit-learn's ``parametrize_with_checks``):
its example runs, deterministically and JSON-safe; a bad cell is refused naming row (or subject) and column;
tables, summary, flags, figures and units work on its result; the kinds it follows exist; and
``bioparity run`` gives the stored result of the workspace byte for byte."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses import Analysis, Figure, ReportTables, RunView, StoredInput, all_analyses
from bioparity.analyses.figures import PlotData
from bioparity.analyses.frames import has_table, result_frame
from bioparity.analyses.registry import effective_options, option_errors
from bioparity.analyses.tables import generic_tables
from bioparity.analyses.terms import LABELS, VALUE_LABELS
from bioparity.audit.chain import canonical_json, sha256_hex
from bioparity.cli.main import app
from bioparity.errors import DataFileError
from bioparity.workspace.analyses import PendingRun, compute_run

KINDS = sorted(all_analyses())

#: A cell that makes each kind's example invalid: (column, bad value, where the message must point).
BAD_CELLS: dict[str, tuple[str, str, str]] = {
    "power": ("cv", "x", "row 2"),
    "samplesize": ("cv", "x", "row 2"),
    "nca": ("conc", "-3", "row 2"),
    "pk-similarity": ("CMAX", "x", "subject S002"),  # the reader keeps text; the metric table checks it
    "be": ("PK", "x", "row 2"),
    "caa": ("value", "x", "row 2"),
    "potency": ("response", "x", "row 2"),
    "ada-cutpoint": ("signal", "x", "row 2"),
    "ada-sensitivity": ("concentration", "-1", "row 2"),
    "ada-drug-tolerance": ("signal", "x", "row 2"),
    "ada-summary": ("SIGNAL", "x", "row 2"),
    "stability": ("value", "x", "row 2"),
    "profiles": ("value", "x", "row 2"),
    "comparability": ("value", "x", "row 2"),
    "isr": ("repeat", "x", "row 2"),
    "linearity": ("response", "x", "row 2"),
}


def test_every_kind_has_a_bad_cell_case_and_an_example() -> None:
    assert sorted(BAD_CELLS) == KINDS  # a new kind adds its case here
    assert all(a.example is not None for a in all_analyses().values())


def _analysis(kind: str) -> Analysis:
    return all_analyses()[kind]


def _example(kind: str, folder: Path) -> tuple[Path, dict[str, Any]]:
    analysis = _analysis(kind)
    assert analysis.example is not None
    return analysis.example.write(folder), effective_options(analysis, dict(analysis.example.options))


@dataclass(frozen=True)
class Case:
    """A kind's example run: its analysis, input file, effective options and result."""

    analysis: Analysis
    path: Path
    options: dict[str, Any]
    result: Any


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Case]:
    """Each kind's example run (computed once)."""
    out = {}
    for kind in KINDS:
        path, options = _example(kind, tmp_path_factory.mktemp(kind))
        analysis = _analysis(kind)
        out[kind] = Case(analysis, path, options, analysis.compute(analysis.read(path), options))
    return out


@pytest.fixture(params=KINDS)
def case(request: pytest.FixtureRequest, results: dict[str, Case]) -> Case:
    return results[request.param]


def test_compute_is_deterministic_and_json_safe(case: Case) -> None:
    again = case.analysis.compute(case.analysis.read(case.path), case.options)
    assert canonical_json(again) == canonical_json(case.result)
    assert _json_values(case.result)  # JSON types only; missing values as null, never NaN


def _json_values(value: Any) -> bool:
    """Plain JSON values; infinities (one-sided limits) are allowed: the store spells them "Infinity"."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_values(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_values(v) for v in value)
    if isinstance(value, float):
        return not math.isnan(value)
    return value is None or isinstance(value, (str, int, bool))


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_cell_is_refused_with_its_place(kind: str, tmp_path: Path) -> None:
    path, options = _example(kind, tmp_path)
    column, value, where = BAD_CELLS[kind]
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[1, column] = value
    bad = tmp_path / f"bad-{path.name}"
    frame.to_csv(bad, index=False)
    analysis = _analysis(kind)
    with pytest.raises(DataFileError) as raised:
        analysis.compute(analysis.read(bad), options)
    assert raised.value.column == column
    assert where in str(raised.value) and repr(value) in str(raised.value)


def _view(kind: str, path: Path, options: Mapping[str, Any], result: Any) -> RunView:
    table = result_frame(result) if has_table(result) else pd.DataFrame()
    source = StoredInput(sha256_hex(path.read_bytes()), kind, lambda: pd.read_csv(path))
    return RunView(kind, options, table, (source,), result)


def test_presentation_hooks_work_on_the_result(case: Case) -> None:
    analysis, options, result = case.analysis, case.options, case.result
    summary = analysis.summary(result, options)
    assert isinstance(summary, str) and summary and "\n" not in summary
    view = _view(analysis.name, case.path, options, result)
    flags = analysis.flags(view.table, options)
    assert all(isinstance(name, str) and isinstance(n, int) and n >= 0 for name, n in flags)
    if has_table(result):
        tables = analysis.tables(view.table, options)
        assert isinstance(tables, ReportTables) and tables.main
        every = [*tables.main, *tables.appendix, *tables.settings, *tables.extra]
        for t in every:
            assert all(len(row) == len(t.columns) == len(t.numeric) for row in t.rows), t.title
            assert all(isinstance(c, str) for row in t.rows for c in row), t.title
        shown = {c for t in tables.appendix for c in t.columns} | {c for t in tables.main for c in t.columns}
        assert shown  # the complete result is printed somewhere
    figures = analysis.figures(view)
    assert all(isinstance(f, Figure) and isinstance(f.data, PlotData) for f in figures)
    for f in figures:
        assert f.key and f.title and f.label and (not f.series or f.item)
    units = analysis.column_units(options)
    assert all(isinstance(c, str) and isinstance(u, str) and u for c, u in units.items())


def _printed_keys(case: Case) -> set[str]:
    """The keys that pages and reports print in a key/value layout or as a generic table's headings: the
    options; the scalars stored with a result table (a result without one: every key, and the keys of the
    records in its lists); the columns of a table laid out by the generic layout."""
    keys = {k for k, v in case.options.items() if not isinstance(v, dict | list)}
    result = case.result
    if has_table(result):
        keys |= {k for k, v in result.items() if k not in {"columns", "rows", "notes"} and _scalar(v)}
        if case.analysis.tables is generic_tables:
            keys |= set(result["columns"])
    else:
        keys |= set(result)
        keys |= {
            k for v in result.values() if isinstance(v, list) for r in v if isinstance(r, dict) for k in r
        }
    return keys


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def test_every_key_a_page_prints_has_a_label(case: Case) -> None:
    """A stored key is printed under its label with its unit, never as stored (``ci_lower``, ``cvwr``,
    ``share_within`` in the bioequivalence, ADA and ISR reports): a new kind labels its keys in its own
    ``Analysis.labels`` (or, for a key every kind means the same by, the shared
    ``bioparity.analyses.terms.LABELS``)."""
    unlabelled = sorted(k for k in _printed_keys(case) if k not in LABELS and k not in case.analysis.labels)
    assert unlabelled == [], f"{case.analysis.name}: no label in LABELS for {unlabelled}"


@pytest.mark.parametrize("kind", KINDS)
def test_every_choice_of_an_option_has_a_value_label(kind: str) -> None:
    """A code a run stores as an option value (``ema-abel-a``, ``parametric_lcl``, ``treatment-emergent``)
    is printed in words, never as stored: a new choice gets its words in
    ``bioparity.analyses.terms.VALUE_LABELS``. Flags are printed yes/no and whole numbers as numbers."""
    options = [o for o in _analysis(kind).options if o.choices is not None]
    assert all(o.type in ("text", "flag", "integer") for o in options)
    missing = sorted(
        (o.name, c)
        for o in options
        if o.type == "text"
        for c in o.choices or ()
        if (o.name, c) not in VALUE_LABELS
    )
    assert missing == [], f"{kind}: no words in VALUE_LABELS for {missing}"


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_consistent(kind: str) -> None:
    analysis = _analysis(kind)
    assert analysis.name == kind and analysis.title and analysis.description
    assert all(k in all_analyses() for k in analysis.follows)
    assert option_errors(analysis, analysis.defaults) == {}
    json.dumps(analysis.schema(), allow_nan=False)
    assert {c.unit_option for c in analysis.columns if c.unit_option} <= set(analysis.option_help)
    assert {f.name for f in fields(Analysis)} >= {
        "read",
        "compute",
        "tables",
        "summary",
        "figures",
        "follows",
    }


def test_bioparity_run_prints_the_result_the_workspace_stores(case: Case, tmp_path: Path) -> None:
    kind, path = case.analysis.name, case.path
    assert case.analysis.example is not None
    given = case.analysis.example.options
    args = ["run", kind, str(path), "--json", *(f"--option={k}={v}" for k, v in given.items())]
    done = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "out.json")])
    assert done.exit_code == 0, done.output
    content = path.read_bytes()
    pending = PendingRun("d", "s", kind, case.options, path.name, sha256_hex(content), content)
    stored = compute_run(pending)
    assert stored.status == "succeeded"
    assert done.stdout.strip() == stored.result_json  # the same numbers, the same text
    assert (tmp_path / "out.json").read_text(encoding="utf-8").strip() == stored.result_json
