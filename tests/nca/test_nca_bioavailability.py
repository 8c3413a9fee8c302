"""Absolute and relative bioavailability (FABS, FREL) against published worked examples.

Sources (with their values) are in ``src/bioparity/validation/reference/nca/bioavailability_published.csv``
(e-pharmacokinetics.com bioavailability example; MDC Pharmacokinetics II worked question) and
``metidanca_auclast_luld.csv`` (MetidaNCA.jl / Phoenix AUClast of pkdata2, from which the parallel-group
relative bioavailability T vs R follows by the published formula, F = geometric mean ratio of AUC/dose).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.errors import DataFileError, InputError
from bioparity.nca import NCAOptions, nca
from bioparity.nca.bioavailability import bioavailability
from tests.conftest import REFERENCE


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "nca" / "bioavailability_published.csv", comment="#")


def test_published_examples_paired(published: pd.DataFrame) -> None:
    for _, row in published.dropna(subset=["expected"]).iterrows():
        pair = published[published["subject"] == row["subject"]]
        res = bioavailability(
            pair, by="level", test=row["level"], reference=row["reference_level"], auc="auc"
        )
        assert res.paired and res.n == 1
        assert res.code == ("FABS" if row["reference_level"] == "iv" else "FREL")
        assert res.geometric_mean == pytest.approx(row["expected"], rel=1e-12), row["source"]
        assert res.per_subject["PPSTRESN"].iloc[0] == pytest.approx(row["expected"], rel=1e-12)


def test_paired_geometric_mean_and_cv_over_subjects(published: pd.DataFrame) -> None:
    """Two subjects with F 0.625 and 0.5 (the published values): geometric mean sqrt(0.3125)."""
    two = published[published["subject"].isin(["A", "B"])].replace({"capsule": "oral", "suspension": "oral"})
    res = bioavailability(two, by="level", test="oral", reference="iv", auc="auc")
    assert res.n == 2 and res.code == "FABS"
    assert res.geometric_mean == pytest.approx(np.sqrt(0.625 * 0.5), rel=1e-12)
    s2 = np.var(np.log([0.625, 0.5]), ddof=1)
    assert res.geometric_cv == pytest.approx(np.sqrt(np.exp(s2) - 1), rel=1e-12)


def test_parallel_groups_from_nca_of_pkdata2_match_metidanca_auclast() -> None:
    pk = pd.read_csv(REFERENCE / "nca" / "metidanca_pkdata2.csv")
    ref = pd.read_csv(REFERENCE / "nca" / "metidanca_auclast_luld.csv", comment="#")
    res = nca(pk.assign(dose=100.0), subject="Subject", time="Time", conc="Concentration", dose="dose",
              groups=["Formulation"], options=NCAOptions(), parameters=["AUCLST"])  # fmt: skip
    wide = res.to_wide().assign(dose=100.0)
    f = bioavailability(wide, by="Formulation", test="T", reference="R", subject="Subject", auc="AUCLST")
    log_ratio = ref.groupby("Formulation")["AUClast"].apply(lambda a: np.log(a / 100.0).mean())
    expected = float(np.exp(log_ratio["T"] - log_ratio["R"]))
    assert not f.paired and (f.n_test, f.n_reference) == (4, 6) and f.code == "FREL"
    assert f.geometric_mean == pytest.approx(expected, rel=1e-8)


def test_missing_auc_gives_a_reason_and_bad_tables_fail_clearly() -> None:
    t = pd.DataFrame({"subject": [1, 1, 2, 2], "route": ["po", "iv", "po", "iv"],
                      "AUCIFO": [5.0, 10.0, np.nan, 8.0], "dose": [10.0, 10.0, 10.0, 10.0]})  # fmt: skip
    res = bioavailability(t, by="route", test="po", reference="iv")
    assert res.code == "FABS" and res.n == 1 and res.geometric_mean == pytest.approx(0.5)
    assert res.per_subject["reason"].tolist() == ["", "AUCIFO or dose of the test missing or <= 0"]
    with pytest.raises(InputError, match="needs rows of both"):
        bioavailability(t, by="route", test="sc", reference="iv")
    with pytest.raises(DataFileError, match="same subject and level"):
        bioavailability(pd.concat([t, t.iloc[:1]]), by="route", test="po", reference="iv")
