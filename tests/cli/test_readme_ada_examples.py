"""The README's ADA and comparability example lines run as written on the files shipped in ``examples/ada/``
and ``examples/cmc/`` and give the numbers their comments state, each recomputed here from the file by
another route (pandas/NumPy/SciPy) or taken from R 4.2.2:

* ``ada-cutpoint``: screening = ``exp(mean + qnorm(0.95) SD)`` of ``log(signal)`` left after the biological
  outlier (parametric: R 4.2.2 ``shapiro.test`` of the 23 donor means, p = 0.0588473367104242 >= 0.05,
  relative 1e-6), confirmatory = ``mean + qnorm(0.99) SD`` of the % inhibition (Shankar et al. 2008,
  Appendix 1); relative 1e-12;
* ``ada-sensitivity``: ``mean + qt(0.95, n - 1) SD`` of the runs' concentrations at the cut point;
* ``ada-drug-tolerance``: the highest drug level whose mean signal is at or above the cut point;
* ``isr``: 18 of 20 within +/-30% (R: ``sum(abs(100 * (r - o) / ((r + o) / 2)) <= 30)``);
* ``ada-summary``: treatment-emergent 3/10 and 1/10 with Wilson intervals as R's
  ``prop.test(x, 10, correct = FALSE)`` (absolute 1e-9);
* ``comparability`` (``bioparity run``): the post-change means of the release rows only, the afucosylated
  glycans failing with 3 of 10 lots inside; ``bioparity comparability`` refuses the file's first stability
  row;
* ``stability`` (``bioparity run``, ICH Q1E Appendix B): the shelf lives of test purity lot T3 (separate
  lines, its own regression) and of the pooled potency lots (common intercept and slope) are where R 4.2.2's
  ``predict(lm(value ~ time), interval = "confidence", level = 0.90)`` lower bound meets the criterion
  (``uniroot``, tol 1e-12; relative 1e-8);
* ``profile``: Aitchison distances (Aitchison 1986: Euclidean distance of the centred log-ratios) of each
  test lot to the reference lots' mean clr and of each reference lot to the others' (leave one out), the
  threshold their maximum; relative 1e-5 (the CSV's six significant digits).

The shipped files are the kinds' own examples, byte for byte (:attr:`Analysis.example`).
"""

from __future__ import annotations

import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from typer.testing import CliRunner

from bioparity.analyses import get_analysis
from bioparity.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SHIPPED = {
    "ada-cutpoint": "examples/ada/ada-cutpoint-validation.csv",
    "ada-sensitivity": "examples/ada/ada-sensitivity-curves.csv",
    "ada-drug-tolerance": "examples/ada/ada-drug-tolerance.csv",
    "isr": "examples/ada/isr.csv",
    "ada-summary": "examples/ada/ada-listing.csv",
    "comparability": "examples/cmc/comparability.csv",
    "stability": "examples/stability/stability.csv",
    "profile": "examples/profiles/glycans.csv",
}
#: The kind of a command whose name is not the kind's.
KINDS = {"profile": "profiles"}
#: Where README lines run a shipped example.
FOLDERS = ("examples/ada/", "examples/cmc/", "examples/stability/", "examples/profiles/")
#: Options whose value is a file the lines write or read (relative to the folder they run in).
_FILES = ("--out", "--cut-points")


def _example_lines() -> dict[str, list[str]]:
    """The README's ``bioparity ...`` lines on a shipped example, by command, as arguments (comment
    dropped)."""
    lines = {}
    for line in README.splitlines():
        if line.startswith("bioparity ") and any(folder in line for folder in FOLDERS):
            args = shlex.split(line.split("#", 1)[0])[1:]
            lines[args[1] if args[0] == "run" else args[0]] = args
    return lines


def _run(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    args = [str(tmp_path / a) if i and args[i - 1] in _FILES else a for i, a in enumerate(args)]
    monkeypatch.chdir(ROOT)  # the README's example paths are relative to the repository
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_shipped_files_are_the_kinds_examples(tmp_path: Path) -> None:
    for kind, shipped in SHIPPED.items():
        example = get_analysis(KINDS.get(kind, kind)).example
        assert example is not None
        assert example.write(tmp_path).read_bytes() == (ROOT / shipped).read_bytes(), shipped


def test_every_example_has_a_readme_line() -> None:
    lines = _example_lines()
    assert set(lines) == set(SHIPPED)
    for kind, shipped in SHIPPED.items():
        assert shipped in lines[kind]


def test_the_readme_example_lines_give_their_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _example_lines()
    for kind in (
        "ada-cutpoint",
        "ada-sensitivity",
        "ada-drug-tolerance",
        "isr",
        "ada-summary",
        "comparability",
    ):
        _run(lines[kind], tmp_path, monkeypatch)  # in this order: ada-summary reads the cut points written

    cut = pd.read_csv(tmp_path / "cutpoints.csv")
    reported = cut[cut["selected"]].set_index("tier")
    data = pd.read_csv(ROOT / SHIPPED["ada-cutpoint"])
    assert reported.loc["screening", "outliers"] == "biological:D08"
    kept = np.log(data.loc[data["donor"] != "D08", "signal"].to_numpy(float))
    # Shapiro-Wilk on the 23 donor means: R 4.2.2 shapiro.test p = 0.0588473367104242 >= 0.05, parametric
    assert reported.loc["screening", "method"] == "parametric"
    assert reported.loc["screening", "shapiro_p"] == pytest.approx(0.0588473367104242, rel=1e-6)
    by_hand = np.exp(kept.mean() + sps.norm.ppf(0.95) * kept.std(ddof=1))
    assert reported.loc["screening", "cut_point"] == pytest.approx(by_hand, rel=1e-12)
    inhibition = 100 * (1 - data["signal_drug"] / data["signal"])
    expected = inhibition.mean() + sps.norm.ppf(0.99) * inhibition.std(ddof=1)
    assert reported.loc["confirmatory", "cut_point"] == pytest.approx(expected, rel=1e-12)
    assert round(reported["cut_point"].to_numpy(float)[list(reported.index).index("screening")], 4) == 1.2993

    sensitivity = pd.read_csv(tmp_path / "sensitivity.csv")
    runs = sensitivity["concentration_at_cut_point"].to_numpy(float)
    by_hand = runs.mean() + sps.t.ppf(0.95, runs.size - 1) * runs.std(ddof=1)
    assert sensitivity["sensitivity_95"].iloc[0] == pytest.approx(by_hand, rel=1e-12)
    assert round(by_hand, 3) == 4.608 and runs.size == 6

    wells = pd.read_csv(ROOT / SHIPPED["ada-drug-tolerance"])
    means = wells.groupby(["ada_level", "drug_level"])["signal"].mean().reset_index()
    highest = means[means["signal"] >= 1.25].groupby("ada_level")["drug_level"].max()
    tolerance = pd.read_csv(tmp_path / "tolerance.csv").set_index("ada_levels")["drug_tolerance"]
    assert tolerance.to_dict() == highest.to_dict() == {100: 1, 250: 10, 500: 50, 1000: 100}

    isr = pd.read_csv(tmp_path / "isr_results.csv")
    assert int(isr["within_limit"].sum()) == 18 and len(isr) == 20

    summary = pd.read_csv(tmp_path / "summary.csv")
    incidence = summary[summary["n_evaluable"].notna()]  # not the difference rows
    emergent = incidence[incidence["timepoint"] == "TREATMENT-EMERGENT"].set_index("arm")
    assert emergent["n_positive"].to_dict() == {"test": 3, "reference": 1}
    wilson = {
        "test": (0.107791267406301, 0.603221852538855),
        "reference": (0.0178762130950729, 0.404150026795238),
    }
    for arm, (lower, upper) in wilson.items():
        got = emergent.loc[emergent.index == arm, ["lower", "upper"]].to_numpy(float)[0]
        assert got == pytest.approx([lower, upper], abs=1e-9)

    q5e = pd.read_csv(tmp_path / "q5e.csv")
    release = q5e[q5e["section"] == "quality attributes"].set_index("attribute")
    assert release["status"].to_dict() == {
        "purity_sec": "pass", "hmw_species_sec": "pass", "main_charge_variant": "pass",
        "afucosylated_glycans": "fail", "relative_potency": "pass",
    }  # fmt: skip
    assert release.loc["afucosylated_glycans", "fraction_inside"] == pytest.approx(0.3, abs=1e-12)
    rows = pd.read_csv(ROOT / SHIPPED["comparability"])
    post = rows[rows["time"].isna() & (rows["source"] == "post-change")].groupby("attribute")["value"].mean()
    assert release["mean_test"].to_dict() == pytest.approx(post.to_dict(), rel=1e-12)


def test_the_comparability_command_refuses_a_stability_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: the 126 stability rows were averaged into their lots' release values (purity 98.81, not
    99.02)."""
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        app, ["comparability", SHIPPED["comparability"], "--out", str(tmp_path / "q.csv")]
    )
    assert result.exit_code == 2
    shown = " ".join(result.output.split())
    first = int(pd.read_csv(ROOT / SHIPPED["comparability"])["time"].notna().to_numpy().argmax()) + 1
    assert (
        f"comparability.csv, row {first} (line {first + 1}), column 'time': a stability result (a time "
        "given) in the release comparison of 'bioparity comparability'"
    ) in shown
    assert "'bioparity run comparability FILE'" in shown
    assert not (tmp_path / "q.csv").exists()


def test_the_stability_and_profile_lines_give_their_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _example_lines()
    _run(lines["stability"], tmp_path, monkeypatch)
    shelf = pd.read_csv(tmp_path / "shelf.csv")
    lives = shelf[shelf["section"] == "shelf life"].set_index(["attribute", "product"]).to_dict("index")
    # R 4.2.2: uniroot of predict(lm(value ~ time, <lots>), interval = "confidence", level = 0.90)[, "lwr"]
    # minus the criterion (T3's own lines: lot == "T3", limit 90; potency: the three lots, limit 95)
    purity, potency = lives[("purity", "test")], lives[("potency", "reference")]
    assert [purity["pooling"], purity["worst_lot"], potency["pooling"]] == ["dids", "T3", "cics"]
    assert purity["shelf_life"] == pytest.approx(25.174371289046, rel=1e-8)
    assert potency["shelf_life"] == pytest.approx(25.995763193066, rel=1e-8)
    assert f"{purity['shelf_life']:.2f} {potency['shelf_life']:.2f}" == "25.17 26.00"

    _run(lines["profile"], tmp_path, monkeypatch)
    lots = pd.read_csv(tmp_path / "profile.csv").set_index("lot")
    parts = pd.read_csv(ROOT / SHIPPED["profile"]).pivot(index=["source", "lot"], columns="species")["value"]
    logs = np.log(parts)
    clr = logs.sub(logs.mean(axis=1), axis=0)
    reference, test = clr.loc["reference"], clr.loc["test"]
    distance = {lot: float(np.linalg.norm(row - reference.mean())) for lot, row in test.iterrows()}
    for lot, row in reference.iterrows():  # leave one out
        distance[lot] = float(np.linalg.norm(row - reference.drop(index=lot).mean()))
    assert lots["distance"].to_dict() == pytest.approx(distance, rel=1e-5)
    threshold = max(distance[lot] for lot in reference.index)
    assert lots["threshold"].iloc[0] == pytest.approx(threshold, rel=1e-5) and round(threshold, 4) == 0.1493
    inside = [lot for lot in test.index if distance[lot] <= threshold]
    assert inside == ["T02"] and lots.loc[inside, "within_threshold"].all()
