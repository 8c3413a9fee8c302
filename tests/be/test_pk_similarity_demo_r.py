"""The demo's PK similarity study (PK-101, three arms of 67) against R 4.2.2 ``t.test(var.equal = FALSE)``.

Every number of the demo's PK similarity report (GMR, 90% CI, Welch-Satterthwaite df, geometric CV% per
arm) recomputed by R from the PP values the demo's NCA stores (``tests/data/pk_similarity/
demo_pk101_pp.csv``; ``demo_pk101_welch.R`` wrote ``demo_pk101_welch.csv``, 12 significant digits).
Tolerance: relative 1e-9 (closed-form Welch interval in both programs; R's values printed to 12
significant digits), and the two-decimal text of the report identical.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bioparity.analyses import pk_similarity as kind
from bioparity.analyses.tables import percent_text
from bioparity.demo.synthetic import pk_concentrations

DATA = Path(__file__).parents[1] / "data" / "pk_similarity"
#: R's values are printed with 12 significant digits; both programs compute the same closed form.
REL = 1e-9
NUMBERS = ("gmr", "ci_lower", "ci_upper", "df", "cv_test", "cv_reference")


def _kind_result(path: Path) -> pd.DataFrame:
    """The pk-similarity kind as the workspace runs it (reader, default options)."""
    result = kind.pk_similarity_kind(kind.read_pk_parameters(path), {})
    return pd.DataFrame(result["rows"], columns=result["columns"])


def test_demo_pk_similarity_matches_r_welch_t_test() -> None:
    """All nine comparisons (T vs EU, T vs US, EU vs US; AUCIFO, AUCLST, CMAX) equal R's Welch intervals."""
    ours = _kind_result(DATA / "demo_pk101_pp.csv")
    r = pd.read_csv(DATA / "demo_pk101_welch.csv")
    key = ["metric", "test_arm", "reference_arm"]
    assert ours[key].values.tolist() == r[key].values.tolist()  # the three pairs of every metric, in order
    for (_, mine), (_, ref) in zip(ours.iterrows(), r.iterrows(), strict=True):
        assert (mine["n_test"], mine["n_reference"]) == (ref["n_test"], ref["n_reference"]) == (67, 67)
        for name in NUMBERS:
            assert mine[name] == pytest.approx(ref[name], rel=REL), (tuple(mine[key]), name)
        for name in ("gmr", "ci_lower", "ci_upper", "cv_test", "cv_reference"):  # as the report prints them
            assert percent_text(mine[name]) == f"{ref[name]:.2f}"
        assert mine["pass"] is True and mine["variance"] == "welch"


def test_the_r_input_is_what_the_demo_nca_stores(tmp_path: Path) -> None:
    """The PP values given to R are the demo's: its concentrations through the NCA kind, as `demo --load`
    derives the PK similarity input (relative 1e-12: the CSV keeps the shortest repr of each value)."""
    from bioparity.analyses.nca import NCA

    conc = tmp_path / "pk101-concentrations.csv"
    pk_concentrations().to_csv(conc, index=False)
    result = NCA.compute(NCA.read(conc), {"conc_unit": "ug/mL", "time_unit": "h", "dose_unit": "mg"})
    pp = pd.DataFrame(result["rows"], columns=result["columns"])
    wide = pp.pivot(index="subject", columns="PPTESTCD", values="PPSTRESN")
    fixture = pd.read_csv(DATA / "demo_pk101_pp.csv").set_index("subject")
    assert sorted(wide.index) == sorted(fixture.index) and len(fixture) == 201
    for metric in ("AUCIFO", "AUCLST", "CMAX", "AUCPEO"):
        mine = pd.to_numeric(wide.loc[fixture.index, metric]).to_numpy()
        assert mine == pytest.approx(fixture[metric].to_numpy(), rel=1e-12), metric


def test_the_report_states_acceptance_metrics_population_and_outliers_with_sources() -> None:
    """An assessor reads under the main table (run report and program report): the acceptance range with its
    source and rounding rule (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8; FDA 2016 section IV), the metrics by
    name, the analysis population and who was not analysed, and that no subject was excluded as an outlier.
    Before, the report said none of this (the range without a source, the metrics as CDISC codes only)."""
    note = kind.pk_tables(_kind_result(DATA / "demo_pk101_pp.csv")).main[0].note
    assert "Welch-Satterthwaite df 127.975-131.999" in note  # the model statement stays first
    assert "within 80.00-125.00%, its bounds rounded to two decimals" in note
    assert "CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8" in note and "2016, section IV" in note
    assert "(AUC0-inf (AUCIFO), AUC0-t (AUCLST), Cmax (CMAX))" in note
    assert "Analysis population: completers" in note
    assert "intersection-union test, so each interval is at the stated level without adjustment" in note
    assert "Every subject of these arms was analysed in every metric." in note
    assert "No subject was excluded as an outlier" in note
    assert "aucpext_rule=exclude" not in note


def test_the_statement_names_who_was_not_analysed_and_non_standard_limits(tmp_path: Path) -> None:
    """Two subjects without CMAX (test) and one eu-ref subject with AUCIFO left out by the %AUCext rule: the
    statement counts them per arm; limits of theta1 0.90 are said not to be the standard range."""
    d = pd.read_csv(DATA / "demo_pk101_pp.csv")
    d.loc[[0, 1], "CMAX"] = None
    path = tmp_path / "pp.csv"
    d.to_csv(path, index=False)
    options = {"population": "available", "aucpext_rule": "exclude", "theta1": 0.90}
    result = kind.pk_similarity_kind(kind.read_pk_parameters(path), options)
    frame = pd.DataFrame(result["rows"], columns=result["columns"])
    note = kind.pk_tables(frame).main[0].note
    assert "within 90.00-111.11%" in note and "not the standard 80.00-125.00%" in note
    assert "2016, section IV" not in note
    assert "per metric, every subject with a value" in note
    assert "Subjects not analysed in a metric: test 2, eu-ref 1 (the notes give the reason)." in note
    assert "left out by the option aucpext_rule=exclude" in note


def test_the_statement_is_translated() -> None:
    from bioparity.i18n import use_language

    with use_language("zh-CN"):
        note = kind.pk_tables(_kind_result(DATA / "demo_pk101_pp.csv")).main[0].note
    assert "接受标准" in note and "分析人群" in note and "离群值" in note
    assert "Acceptance" not in note and "outlier" not in note


def test_the_df_is_printed_to_three_decimals_in_the_note_and_the_appendix_alike() -> None:
    """The Welch-Satterthwaite df of R 4.2.2 ``t.test(var.equal = FALSE)`` (``demo_pk101_welch.csv``) to three
    decimals in the model statement and in the appendix: before, the note printed "127.97-132.00" (131.999
    read as a whole number) and the appendix 127.975 and 131.999."""
    r = pd.read_csv(DATA / "demo_pk101_welch.csv")
    tables = kind.pk_tables(_kind_result(DATA / "demo_pk101_pp.csv"))
    assert f"Welch-Satterthwaite df {r['df'].min():.3f}-{r['df'].max():.3f})" in tables.main[0].note
    assert "(Welch-Satterthwaite df 127.975-131.999)" in tables.main[0].note
    (panel,) = [t for t in tables.appendix if "degrees of freedom of the CI" in t.columns]
    column = panel.columns.index("degrees of freedom of the CI")
    assert [row[column] for row in panel.rows] == [f"{df:.3f}" for df in r["df"]]
    assert panel.numeric[column]  # still a column of numbers (right-aligned)
