"""The validation pack: coverage of the areas, tamper detection, deterministic HTML, a PDF that renders."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from bioparity.analyses.registry import all_analyses
from bioparity.cli.main import app
from bioparity.validation import AREAS, ValidationRun, packaged_reference_dir, render_html, run_validation
from bioparity.validation.coverage import PASS

runner = CliRunner()

#: At least the reference cases the test suite uses, per area.
MINIMUM_CASES = {
    # PowerTOST sample sizes (n, power), powers (3 methods), README / CVfromCI / T18 vectors, scaled ABE
    # HC / FDA ISC and low-CV: 11 published / issue examples, 38 fresh seeded PowerTOST cases
    "power": 188 * 2 + 150 * 3 + 16 + 17 + 11 + 38,
    # PKNCA Theoph; MetidaNCA steady state (10 subjects x 10 parameters) and urine; Bourne urine
    # (8 collections x 4 + totals); PK sparse (2 designs + 6 values); T20; MetidaNCA set #8 extrapolated
    # interval (10 subjects x 8); PKNCA time to steady state (10 subjects x 3 + pooled 3); bioavailability
    # (4 worked examples + MetidaNCA parallel groups)
    "nca": 12 * 23 + 10 * (7 + 3) + 13 + (8 * 4 + 2) + (2 + 6) + 2 + 10 * 8 + (10 * 3 + 3) + (4 + 1),
    # replicateBE Methods A/B (10 values each; Method A bookkeeping 8), vignette, T10 limits, T11-T12; the
    # pk-similarity kind: 3 pairs x 2 metrics x 2 variance models x (GMR, 2 limits, df)
    "be": 20 * 10 + 10 * 8 + 15 + 6 * 2 + 8 + 3 * 2 * 2 * 4,
    # T13-T15, ISO 16269-6, Montgomery XII, Wilks minimum lots (two- and one-sided); profile similarity
    # (13 distances, 6 means, 6 SDs, threshold); the assessment engine on 3 attributes (16 values); the
    # comparability kind: 5 release attributes x 7 values, 3 stability groups x (6 lots x 3 + 5)
    "caa": 10 + 60 + 288 + 4 * 2 + 13 + 6 * 2 + 1 + 16 + 5 * 7 + 3 * (6 * 3 + 5),
    # published intervals (both limits), sleep t intervals (limits, df), one stratum, means sample size; the
    # ada-summary kind: 2 arms x 3 visits x 5 incidence values, 2 x 6 treatment-emergent, 4 x 3 differences
    "clinical": 23 * 2 + 2 * 3 + 2 * 2 + 94 * 2 + 2 * 3 * 5 + 2 * 6 + 4 * 3,
    # R lm/anova/predict/uniroot on 4 data sets (13 lots: pooling, 9 F/p/RSS, 3 per lot, 3 pooled
    # coefficients, shelf life; bound and crossing per lot and model), slope difference; LeBlond (2011)
    "stability": 4 * (1 + 9 + 3 + 1) + 13 * 3 + 13 * 4 * 2 + 5 + 28,
    # lme4 / nlme REML components; quantile types 1-9 at 3 p, MAD, Shapiro p on 4 designs; 24 LCL factors;
    # 3 designs x 3 tiers x 4 cut points (+ type 6 at screening); linearity (3 x 20 values + 34 residuals);
    # 1,650 wells: 2 models (3 and 4 variances, REML log-likelihood)
    # the kinds ada-sensitivity (2 methods x (6 runs + 3)), ada-drug-tolerance (4 x 2), isr (2 x (20 + 3));
    # the run comparison (3 designs x (run-means p, df, Levene p)); method auto on 4 designs + the example's
    # 2 tiers (transform, outliers, Shapiro-Wilk n, W, p, method); the floating cut point's normalisation
    # factor (3 rules x 2 methods x (rule stored, cut point, NF, 3 plate cut points))
    "bioassay": (30 + 4 * (27 + 2) + 24 + 3 * 3 * 4 + 3 + 3 * 20 + 34 + 4 + 5 + 2 * 9 + 4 * 2 + 2 * 23)
    + (3 * 3 + 6 * 6)
    + 3 * 2 * 6,
    # R nls 4PL / 5PL (12 each), separate 4PL curves (8), the 4PL / 5PL regression test (3 x 2), parallel-line
    # RB / LS (17 each), slope ratio (11), combination (2 x 11); Ph. Eur. 5.3 / CombiStats printed ANOVA, p
    # values and potencies (106)
    "potency": 12 * 2 + 8 + 3 * 2 + 17 * 2 + 11 + 2 * 11 + 106,
}


@pytest.fixture(scope="module")
def full_run() -> ValidationRun:
    return run_validation()


def test_every_area_passes_with_all_reference_cases(full_run: ValidationRun) -> None:
    assert [s.area for s in full_run.summary] == list(AREAS) == list(MINIMUM_CASES)
    for s in full_run.summary:
        assert s.failed == 0, [c for c in full_run.failures if c.area == s.area][:3]
        assert s.cases >= MINIMUM_CASES[s.area]
    assert full_run.passed


def test_every_registered_kind_has_passing_reference_cases(full_run: ValidationRun) -> None:
    # Analysis.validation links each kind to its reference sets; a full run covers every registered kind
    assert [k.kind for k in full_run.kinds] == list(all_analyses())
    for k in full_run.kinds:
        assert k.reference_sets and k.cases > 0 and k.status == PASS, k
    assert {s for k in full_run.kinds for s in k.reference_sets} <= {c.reference for c in full_run.cases}


def test_every_reference_set_of_the_manifest_has_cases(full_run: ValidationRun) -> None:
    manifest = yaml.safe_load((packaged_reference_dir() / "MANIFEST.yaml").read_text())
    sets = {s["id"]: s["area"] for s in manifest["sets"]}
    assert {(c.reference, c.area) for c in full_run.cases} == set(sets.items())


def test_manifest_lists_every_area_with_provenance_and_files() -> None:
    ref = packaged_reference_dir()
    manifest = yaml.safe_load((ref / "MANIFEST.yaml").read_text())
    assert {s["area"] for s in manifest["sets"]} == set(AREAS)
    for s in manifest["sets"]:
        assert s["produced_by"] and s["licence"] and s["tolerance"], s["id"]
        for f in s["files"]:
            if "..." not in f:
                assert (ref / f).is_file(), f


def test_reference_data_is_shipped_inside_the_package() -> None:
    ref = packaged_reference_dir()
    assert "bioparity" in ref.parts and (ref / "expected" / "power_tost.csv").is_file()
    # The test suite reads the very same files (tests/data/reference links to the package copy).
    assert (Path(__file__).parents[1] / "data" / "reference").resolve() == ref.resolve()


def _tampered_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "reference"
    shutil.copytree(packaged_reference_dir(), copy)
    path = copy / "expected" / "sample_size_tost.csv"
    frame = pd.read_csv(path)
    frame.loc[frame.index[4], "n"] = frame["n"].iloc[4] + 2  # one expected value, data row 5
    frame.to_csv(path, index=False)
    return copy


def test_tampering_one_expected_value_fails_and_names_the_case(tmp_path: Path) -> None:
    run = run_validation(["power"], _tampered_copy(tmp_path))
    assert not run.passed
    assert len(run.failures) == 1
    failure = run.failures[0]
    assert failure.reference == "powertost-samplesize" and failure.quantity == "n"
    assert failure.case.startswith("row 5:")


@pytest.mark.parametrize(
    ("area", "file", "row", "column", "reference", "case", "quantity"),
    [
        ("nca", "nca/metidanca_multiple_dose.csv", 3, "expected", "metidanca-multiple-dose",
         "MetidaNCA set #7 (linear, tau 10) subject 3", "AUCTAU"),
        ("be", "be/replicatebe_vignette.csv", 10, "expected", "replicatebe-vignette",
         "replicateBE vignette rds14 ema-abel-b (df contain)", "CI lower (%)"),
        ("stability", "cmc/leblond2011_published.csv", 26, "expected", "stability-leblond2011",
         "Table IX (JMP 12.0.1 via expirest): lots b4 b5 b8", "shelf life"),
        ("stability", "cmc/ref_stability.csv", 51, "value", "stability-r",
         "data_stability_cics.csv, dids (separate MSE)", "lot L1 crossing (shelf life)"),
        ("bioassay", "bioassay/linearity_reference.csv", 5, "value", "linearity-r",
         "linearity_example.csv, conf 0.95, target 100", "slope"),
        ("bioassay", "bioassay/cutpoint_reference.csv", 11, "value", "ada-cutpoint-r",
         "designs_balanced.csv, screening (FPR 0.05)", "robust, log"),
        ("bioassay", "bioassay/normality_reference.csv", 3, "shapiro_p", "ada-normality-r",
         "designs_nested.csv, screening, method auto", "Shapiro-Wilk p (donor means)"),
        ("potency", "potency/published_results.csv", 19, "expected", "potency-published",
         "Ph. Eur. 5.3 example 5.1.2 (pheur_5_1_2_latin_square.csv), test", "potency"),
        # the reference sets of the kinds added with the per-kind coverage
        ("be", "be/pk_similarity_cli_expected.csv", 1, "ratio", "pk-similarity-r",
         "pk_similarity_cli_input.csv, CMAX test v eu-ref, pooled", "gmr"),
        ("bioassay", "bioassay/kinds_reference.csv", 9, "value", "ada-sensitivity-r",
         "kinds_sensitivity.csv, linear, cut point 1.25", "sensitivity_95"),
        ("bioassay", "bioassay/kinds_reference.csv", 48, "value", "isr-r",
         "kinds_isr.csv, ligand-binding", "share_within"),
        ("clinical", "clinical/ada_summary_reference.csv", 5, "value", "ada-summary-r",
         "ada_listing.csv, screening 1.2, confirmatory 20%, incidence test BASELINE", "upper"),
        ("caa", "cmc/comparability_reference.csv", 1, "value", "comparability-r",
         "comparability.csv, release purity_sec", "mean_test"),
    ],
)  # fmt: skip
def test_tampering_with_a_moved_reference_value_names_the_case(
    tmp_path: Path, area: str, file: str, row: int, column: str, reference: str, case: str, quantity: str
) -> None:
    copy = tmp_path / "reference"
    shutil.copytree(packaged_reference_dir(), copy)
    frame = pd.read_csv(copy / file, comment="#", dtype=str, keep_default_na=False)
    frame.loc[frame.index[row - 1], column] = str(float(frame[column].iloc[row - 1]) * 1.001)
    frame.to_csv(copy / file, index=False)
    run = run_validation([area], copy)
    assert [(f.reference, f.case, f.quantity) for f in run.failures] == [(reference, case, quantity)]


def test_cli_exit_status_gates_deployment(tmp_path: Path) -> None:
    # The NCA area (about a second) stands for any: the gate is the command's, not an area's.
    ok = runner.invoke(app, ["validate", "--area", "nca"])
    assert ok.exit_code == 0 and "PASS" in ok.stdout
    copy = tmp_path / "reference"
    shutil.copytree(packaged_reference_dir(), copy)
    path = copy / "nca" / "metidanca_multiple_dose.csv"
    frame = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    frame.loc[frame.index[2], "expected"] = str(float(frame["expected"].iloc[2]) * 1.001)  # data row 3
    frame.to_csv(path, index=False)
    bad = runner.invoke(app, ["validate", "--area", "nca", "--reference-dir", str(copy)])
    assert bad.exit_code == 1
    assert re.search(
        r"FAIL.*metidanca-multiple-dose.*MetidaNCA set #7 \(linear, tau 10\) subject 3.*AUCTAU: expected",
        bad.stdout.replace("\n", " "),
    )
    assert "1 case failed" in bad.stdout


def test_cli_rejects_unknown_area_and_bad_suffix(tmp_path: Path) -> None:
    assert runner.invoke(app, ["validate", "--area", "magic"]).exit_code == 2
    assert runner.invoke(app, ["validate", "--out", str(tmp_path / "r.docx")]).exit_code == 2


def test_html_is_byte_identical_for_identical_inputs(
    full_run: ValidationRun, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")  # 2025-11-25
    out = tmp_path / "a.html"
    assert runner.invoke(app, ["validate", "--out", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    # The module's run is a second, independent run of every case (its own simulations): same bytes.
    assert out.read_bytes() == render_html(full_run, "en").encode("utf-8")
    assert "Run date (UTC): 2025-11-25" in text and "Overall result: PASS" in text
    # section 2: one row per registered kind with its reference sets and cases
    coverage = text.split('<table id="kind-coverage">')[1].split("</table>")[0]
    assert coverage.count("<tr><td>") == len(all_analyses()) and "no reference case" not in coverage
    assert "<tr><td>isr</td><td>Incurred sample reanalysis</td>" in coverage
    listed = [
        line
        for line in text.splitlines()
        if re.match(r"^\s*\d+ ", line) and line.rstrip().endswith(("pass", "FAIL"))
    ]
    # One listing line per case, numbered in order, with its expected and observed values.
    assert len(listed) == len(full_run.cases) >= sum(MINIMUM_CASES.values())
    for line, case in zip(listed, full_run.cases, strict=True):
        assert (
            case.case in line and f"{case.expected:.10g}" in line
            if isinstance(case.expected, float)
            else True
        )


@pytest.mark.skipif(shutil.which("pdftoppm") is None and not __import__("os").environ.get("CI"),
                    reason="poppler-utils not installed (make test installs it)")  # fmt: skip
def test_pdf_renders_with_its_tables(tmp_path: Path) -> None:
    pdf = tmp_path / "oq.pdf"
    result = runner.invoke(app, ["validate", "--area", "clinical,caa", "--out", str(pdf)])
    assert result.exit_code == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2 and all(p.stat().st_size > 5_000 for p in pages)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Summary per area" in text and "Test cases" in text and "Review and approval" in text
    n = MINIMUM_CASES["clinical"]
    assert re.search(rf"clinical\s+{n}\s+{n}\s+0\s+PASS", text)


def test_the_example_of_ada_normality_r_is_the_shipped_cut_point_example() -> None:
    # ada-normality-r checks the method = auto rule on examples/ada as shipped: its copy must not drift
    shipped = Path(__file__).parents[2] / "examples" / "ada" / "ada-cutpoint-validation.csv"
    copy = packaged_reference_dir() / "bioassay" / "ada_cutpoint_example.csv"
    assert copy.read_bytes() == shipped.read_bytes()


def test_readme_quotes_the_case_counts_validate_prints(full_run: ValidationRun) -> None:
    """The README's "Runs N reference cases (DATE: power n, ...)" is what `bioparity validate` prints.

    It kept be 315, caa 408, clinical 244 and bioassay 312 while the command printed 363, 512, 298 and 465: a
    user qualifying the installed build compares the two. Whoever adds cases updates that line.
    """
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    pattern = r"Runs ([\d,]+) reference cases on the installed build \(\d{4}-\d{2}-\d{2}: ([^;]+);"
    match = re.search(pattern, readme)
    assert match, "README: the validation pack's 'Runs N reference cases ...' sentence is missing"
    quoted = {area: int(n) for area, n in re.findall(r"(\w+) (\d+)", match.group(2).replace("\n", " "))}
    printed = {s.area: s.cases for s in full_run.summary}
    total = sum(printed.values())
    expected = f"Runs {total:,} reference cases (" + ", ".join(f"{a} {n}" for a, n in printed.items()) + ")"
    assert quoted == printed, f"README should say: {expected}"
    assert int(match.group(1).replace(",", "")) == total, f"README should say: {expected}"
