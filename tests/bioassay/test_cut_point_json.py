"""``bioparity ada-cutpoint --format json`` and ``--cut-points RESULT.json``.

* The JSON result is one strict JSON object (RFC 8259 section 6: no NaN or Infinity tokens) on stdout, the
  shape a workspace ``ada-cutpoint`` run stores (``columns``, ``rows``, ``n_rows``, ``removed_values``,
  ``notes``); its table holds the numbers of the CSV that ``--out`` writes (read here with pandas, not
  with the project's reader; relative tolerance 1e-15: both are the same doubles printed to 17 digits).
* ``--cut-points`` takes that JSON as it takes the CSV: each run's floating cut point is the run's negative
  control times ``exp(NF)`` (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1 section 5), checked
  by hand from the factor that the CSV reports (relative 1e-12); the provenance records the JSON file with
  its SHA-256 (``hashlib`` here). The same validation refuses a JSON file that is not a result table.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses import get_analysis
from bioparity.analyses.contract import Option
from bioparity.cli.main import app
from bioparity.errors import DataFileError
from bioparity.i18n.notes import translate_note
from bioparity.io.bioassay import read_cut_point_results
from tests.bioassay.test_floating_drug_tolerance_and_cut_point_file import (
    NC,
    _curves,
    _validation,
    drug_tolerance_with,
)

RUNNER = CliRunner()


def _strict(text: str) -> dict[str, Any]:
    def refuse(token: str) -> None:
        raise AssertionError(f"{token} in the JSON")

    data = json.loads(text, parse_constant=refuse)
    assert isinstance(data, dict)
    return data


def _cut_point_json(tmp_path: Path) -> tuple[Path, Path]:
    """``ada-cutpoint --out cp.csv --format json > cp.json`` on a floating validation set."""
    csv, out = tmp_path / "cp.csv", tmp_path / "cp.json"
    made = RUNNER.invoke(
        app, ["ada-cutpoint", str(_validation(tmp_path / "val.csv")), "--out", str(csv), "--format", "json"]
    )
    assert made.exit_code == 0, made.output
    out.write_text(made.stdout, encoding="utf-8")
    return csv, out


def test_ada_cutpoint_prints_its_result_as_one_strict_json_object(tmp_path: Path) -> None:
    csv, out = _cut_point_json(tmp_path)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1  # stdout holds the JSON only (the summary is on stderr)
    result = _strict(lines[0])
    assert {"columns", "rows", "n_rows", "removed_values", "notes"} <= set(result)
    written = pd.read_csv(csv)
    table = pd.DataFrame(result["rows"], columns=result["columns"])
    assert list(table.columns) == list(written.columns) and result["n_rows"] == len(written) == 4
    for column in ("cut_point", "parametric", "robust", "nonparametric", "normalization_factor", "fpr"):
        assert table[column].astype(float).tolist() == pytest.approx(written[column].tolist(), rel=1e-15)
    assert table["selected"].tolist() == written["selected"].tolist()
    assert any("method selected: parametric" in note for note in result["notes"])


def test_sensitivity_and_drug_tolerance_take_the_json_result(tmp_path: Path) -> None:
    csv, cut_points = _cut_point_json(tmp_path)
    row = pd.read_csv(csv).query("tier == 'screening' and selected").iloc[0]
    assert row["normalization"] == "additive on log scale"
    own = {r: nc * math.exp(float(row["normalization_factor"])) for r, nc in NC.items()}  # NC x exp(NF)

    out = tmp_path / "sens.csv"
    args = ["ada-sensitivity", str(_curves(tmp_path / "pc.csv", nc=NC)), "--out", str(out)]
    ran = RUNNER.invoke(app, [*args, "--cut-points", str(cut_points)])
    assert ran.exit_code == 0, ran.output
    assert pd.read_csv(out)["run_cut_points"].tolist() == pytest.approx(
        [own[r] for r in sorted(NC)], rel=1e-12
    )
    from_csv = tmp_path / "sens_csv.csv"
    assert RUNNER.invoke(app, [*args[:-1], str(from_csv), "--cut-points", str(csv)]).exit_code == 0
    assert pd.read_csv(out)["sensitivity_95"].iloc[0] == pd.read_csv(from_csv)["sensitivity_95"].iloc[0]

    provenance = json.loads((tmp_path / "sens.csv.provenance.json").read_text())
    digest = hashlib.sha256(cut_points.read_bytes()).hexdigest()
    assert provenance["inputs"]["cut_points"] == {"path": str(cut_points), "sha256": digest}
    assert provenance["options"]["cut_points"] == f"cp.json (sha256 {digest[:16]})"
    assert "screening cut point from cp.json (sha256" in " ".join(ran.output.split())

    wells = pd.DataFrame(
        [(run, 100.0, drug, signal, nc) for run, nc in (("R1", 30.0), ("R2", 50.0))
         for drug, signal in ((0.0, 90.0), (1.0, 60.0), (10.0, 20.0))],
        columns=["run", "ada_level", "drug_level", "signal", "nc"],
    )  # fmt: skip
    # cut points 30 x 1.397 = 41.9 and 50 x 1.397 = 69.9: drug 1 (signal 60) detected in R1 only -> 0
    assert math.exp(float(row["normalization_factor"])) == pytest.approx(1.3972, abs=1e-4)
    assert drug_tolerance_with(tmp_path, wells, cut_points)["drug_tolerance"].tolist() == [0.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"columns": ["tier"], "rows": [[NaN]]}', "not readable as JSON"),
        ("[1, 2]", "no result table"),
        ('{"columns": ["tier", "tier"], "rows": []}', "a column name given twice"),
        ('{"columns": ["tier", "selected"], "rows": [["screening"]]}', "not a list of 2 cells"),
    ],
)
def test_a_json_file_that_is_not_a_result_table_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=message) as caught:
        read_cut_point_results(path)
    assert caught.value.file == str(path)


def test_a_json_result_without_a_reported_screening_cut_point_is_refused_by_the_same_validation(
    tmp_path: Path,
) -> None:
    _csv, cut_points = _cut_point_json(tmp_path)
    result = _strict(cut_points.read_text(encoding="utf-8"))
    selected = result["columns"].index("selected")
    for row in result["rows"]:
        row[selected] = False
    path = tmp_path / "none.json"
    path.write_text(json.dumps(result), encoding="utf-8")
    ran = RUNNER.invoke(
        app,
        ["ada-sensitivity", str(_curves(tmp_path / "pc.csv", nc=NC)), "--out", str(tmp_path / "s.csv"),
         "--cut-points", str(path)],
    )  # fmt: skip
    assert ran.exit_code == 2
    assert "none.json" in ran.output and "no reported screening cut point" in " ".join(ran.output.split())


def test_bioparity_run_takes_the_json_result_as_the_cut_point_run_option(tmp_path: Path) -> None:
    """On the command line the option of type ``run`` is the path of the run's JSON result."""
    csv, cut_points = _cut_point_json(tmp_path)
    row = pd.read_csv(csv).query("tier == 'screening' and selected").iloc[0]
    own = [NC[r] * math.exp(float(row["normalization_factor"])) for r in sorted(NC)]  # NC x exp(NF)
    curves = _curves(tmp_path / "pc.csv", nc=NC)
    ran = RUNNER.invoke(
        app, ["run", "ada-sensitivity", str(curves), "-o", f"cut_point_run={cut_points}", "--json"]
    )
    assert ran.exit_code == 0, ran.output
    result = _strict(ran.stdout)
    table = pd.DataFrame(result["rows"], columns=result["columns"])
    assert table["run_cut_points"].tolist() == pytest.approx(own, rel=1e-12)
    digest = hashlib.sha256(cut_points.read_bytes()).hexdigest()[:16]
    note = result["notes"][0]
    assert note == f"screening cut point from cp.json (sha256 {digest}): floating"
    assert translate_note(note, "zh-CN") == f"筛选临界值来自 cp.json (sha256 {digest})：浮动"
    both = RUNNER.invoke(
        app,
        ["run", "ada-sensitivity", str(curves), "-o", f"cut_point_run={cut_points}", "-o", "cut_point=1.3"],
    )
    assert both.exit_code == 2 and "not both" in both.output


def test_a_run_option_names_the_kinds_it_takes() -> None:
    option = get_analysis("ada-drug-tolerance").option("cut_point_run")
    assert option.type == "run" and option.schema()["kinds"] == ["ada-cutpoint"]
    with pytest.raises(ValueError, match="kinds are given for a run option"):
        Option("other_run", "a run", "", type="run")
    with pytest.raises(ValueError, match="kinds are given for a run option"):
        Option("other", "text", "", kinds=("ada-cutpoint",))


def _bad_json(tmp_path: Path) -> tuple[Path, Path, dict[str, Any], int]:
    """The CSV and JSON results of :func:`_cut_point_json`, and ``bad.json``: the JSON with the reported
    screening cut point made text (``abc``); its result and the index of that row."""
    csv, cut_points = _cut_point_json(tmp_path)
    result = _strict(cut_points.read_text(encoding="utf-8"))
    columns = result["columns"]
    i = next(
        k for k, r in enumerate(result["rows"]) if r[columns.index("tier")] == "screening"
        and r[columns.index("selected")] is True
    )  # fmt: skip
    result["rows"][i][columns.index("cut_point")] = "abc"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(result), encoding="utf-8")
    return csv, bad, result, i


def test_a_bad_cell_of_a_json_result_is_located_by_its_json_path_not_a_csv_line(tmp_path: Path) -> None:
    """The reported screening cut point made text: the refusal names the file, the cell as ``rows[i][j]``
    (RFC 9535 index selectors, counting from 0; found here from the JSON itself) and the column, and no
    "row (line)" of a CSV, which a JSON file does not have; a CSV keeps its row and line."""
    csv, bad, result, i = _bad_json(tmp_path)
    columns = result["columns"]
    curves = str(_curves(tmp_path / "pc.csv", nc=NC))
    ran = RUNNER.invoke(
        app, ["ada-sensitivity", curves, "--out", str(tmp_path / "s.csv"), "--cut-points", str(bad)]
    )
    assert ran.exit_code == 2
    shown = " ".join(ran.output.split())
    place = f"rows[{i}][{columns.index('cut_point')}]"
    assert (
        f"bad.json, at {place}, column 'cut_point': the reported cut point is not a number (got 'abc')"
        in shown
    )
    assert "line" not in shown

    table = pd.read_csv(csv, dtype=str, keep_default_na=False)
    table.loc[i, "cut_point"] = "abc"
    table.to_csv(tmp_path / "bad.csv", index=False)
    ran = RUNNER.invoke(
        app,
        [
            "ada-sensitivity",
            curves,
            "--out",
            str(tmp_path / "s.csv"),
            "--cut-points",
            str(tmp_path / "bad.csv"),
        ],
    )
    assert f"row {i + 1} (line {i + 2}), column 'cut_point'" in " ".join(ran.output.split())

    result["rows"][1] = result["rows"][1][:2]
    bad.write_text(json.dumps(result), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        read_cut_point_results(bad)
    assert (caught.value.key, caught.value.row, caught.value.line) == ("rows[1]", None, None)
    assert str(caught.value).startswith(f"{bad}, at rows[1]: not a list of {len(columns)} cells")


def test_the_api_error_names_the_json_place_as_a_field_not_only_in_the_text(tmp_path: Path) -> None:
    """A bad cell of a JSON cut-point result answered by the API (the one error handler every route shares):
    the body carries the file, the place in it (``key``, ``rows[i][j]``) and the column as fields, as it
    carries a CSV's row and line; no row or line for a JSON file."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from bioparity.analyses.ada_sensitivity import validated_screening
    from bioparity.api.errors import install_error_handlers

    _csv, bad, result, i = _bad_json(tmp_path)
    columns = result["columns"]
    curves = pd.read_csv(_curves(tmp_path / "pc.csv", nc=NC))
    api = FastAPI()
    install_error_handlers(api)

    @api.get("/screening")
    def screening() -> None:
        validated_screening(curves, bad, "bad.json")

    response = TestClient(api).get("/screening")
    assert response.status_code == 422
    body = response.json()
    place = f"rows[{i}][{columns.index('cut_point')}]"
    assert (body["file"], body["key"], body["column"]) == ("bad.json", place, "cut_point")
    assert "row" not in body and "line" not in body
    assert body["detail"].startswith(f"bad.json, at {place}, column 'cut_point': ")
