"""Every ``--format json`` output is strict JSON (RFC 8259 section 6: no NaN, no Infinity), and so are the
``.provenance.json`` sidecars.

A non-finite number is written as ``null`` and named, with what it was, in the record's ``non_finite``
object; the records are parsed with ``json.loads(..., parse_constant=...)`` that raises on the tokens
``NaN``, ``Infinity`` and ``-Infinity`` Python's encoder writes by default.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.io.provenance import write_provenance
from bioparity.strict_json import NON_FINITE_KEY, strict_json_record

runner = CliRunner()


def _refuse(token: str) -> Any:
    raise AssertionError(f"not JSON (RFC 8259): {token}")


def strict_loads(text: str) -> Any:
    return json.loads(text, parse_constant=_refuse)


def test_ci_ratio_with_no_responders_in_group_2_prints_null_and_names_the_infinite_values() -> None:
    result = runner.invoke(
        app, ["ci-ratio", "--x1", "5", "--n1", "20", "--x2", "0", "--n2", "20", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    record = strict_loads(result.stdout)
    assert record["ratio"] is None and record["upper"] is None
    assert record["lower"] == pytest.approx(1.4529, abs=5e-5)  # finite limit kept as a number
    assert record[NON_FINITE_KEY] == {"ratio": "inf", "upper": "inf"}


def test_finite_records_are_unchanged_and_have_no_non_finite_key() -> None:
    result = runner.invoke(
        app, ["ci-diff", "--x1", "56", "--n1", "70", "--x2", "48", "--n2", "80", "--format", "json"]
    )
    assert result.exit_code == 0
    assert NON_FINITE_KEY not in strict_loads(result.stdout)


def test_strict_json_record_nested_values_and_nan() -> None:
    record = {"a": math.nan, "b": [1.0, -math.inf], "c": {"d": math.inf, "e": "inf"}, "f": 2}
    out = strict_json_record(record)
    assert strict_loads(json.dumps(out, allow_nan=False)) == {
        "a": None,
        "b": [1.0, None],
        "c": {"d": None, "e": "inf"},
        "f": 2,
        NON_FINITE_KEY: {"a": "nan", "b[1]": "-inf", "c.d": "inf"},
    }


def test_provenance_sidecar_with_an_infinite_option_is_strict_json(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("a\n1\n", encoding="utf-8")
    target = write_provenance(out, {}, {"max_time": math.inf, "conf": 0.95})
    assert target is not None
    record = strict_loads(target.read_text(encoding="utf-8"))
    assert record["options"] == {"max_time": None, "conf": 0.95}
    assert record[NON_FINITE_KEY] == {"options.max_time": "inf"}
