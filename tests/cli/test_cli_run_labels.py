"""``bioparity run KIND`` prints a result without a table (bioequivalence) as the reports do: each stored
key under its label with its unit, option and method codes in words with the code (found by reading the
text output: ``ci_lower: 107.1098...``, ``method: ema-abel-a``, ``pass: True``). ``--json`` and ``--out``
keep the stored keys and codes: they are the record.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from typer.testing import CliRunner

from bioparity.cli.main import app

RDS01 = "validation/reference/replicate_be/rds01.csv"


def _rds01(tmp_path: Path) -> Path:
    path = tmp_path / "rds01.csv"
    path.write_bytes(resources.files("bioparity").joinpath(RDS01).read_bytes())
    return path


def _lines(*args: str) -> list[str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_the_text_output_prints_labels_and_words_not_keys(tmp_path: Path) -> None:
    path = str(_rds01(tmp_path))
    lines = _lines("run", "be", path, "-o", "method=ema-abel-a", "-o", "alpha=0.05")
    # replicateBE rds01, EMA ABEL Method A: PE 115.66%, 90% CI 107.11-124.89%, CVwR 46.96%
    assert lines[0].startswith("EMA ABEL, Method A: PE 115.66%")
    # the acceptance rule with its source, as the run page and report state it (was: none)
    assert lines[1].startswith("Acceptance (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.10, highly variable drug")
    for line in (
        "method: EMA ABEL, Method A (ema-abel-a)",
        "90% CI lower bound (%): 107.11",
        "90% CI upper bound (%): 124.89",
        "CVwR: within-subject CV of R (%): 46.96",
        "passed (overall decision): yes",
        "degrees of freedom method: fixed-effects model residual (residual)",
    ):
        assert line in lines, line
    keys = {line.split(":")[0] for line in lines[1:]}
    assert (
        not {"method", "ci_lower", "ci_upper", "cvwr", "pe", "pass", "df_method", "n_rr"} - {"method"} & keys
    )
    chinese = _lines("--lang", "zh-CN", "run", "be", path, "-o", "method=ema-abel-a")
    assert "90% 置信区间下限（%）: 107.11" in chinese
    assert any(line.endswith("EMA ABEL，方法 A (ema-abel-a)") for line in chinese)


def test_json_and_files_keep_the_stored_keys_and_codes(tmp_path: Path) -> None:
    path = _rds01(tmp_path)
    record = json.loads("\n".join(_lines("run", "be", str(path), "-o", "method=ema-abel-a", "--json")))
    assert record["method"] == "ema-abel-a" and record["df_method"] == "residual"
    assert round(record["ci_lower"], 2) == 107.11 and record["pass"] is True
    out = tmp_path / "be.json"
    _lines("run", "be", str(path), "-o", "method=ema-abel-a", "--out", str(out))
    assert json.loads(out.read_text(encoding="utf-8")) == record
