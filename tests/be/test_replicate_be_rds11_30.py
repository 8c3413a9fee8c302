"""replicateBE data sets against independent references: rds11-rds30 Method A/B, rds01-rds30 FDA RSABE.

rds11-rds30 are the Balaam, four-sequence, partial-replicate and missing-data sets; rds01 and rds02 are
the EMA Q&A data sets I and II.

* EMA ABEL Method A and B: replicateBE 1.1.3.9000 ``method.A`` / ``method.B`` (defaults), values in
  ``replicate_be/expected_methods_ab_rds11_30.csv``; PE and CI to 1e-6 relative (issue 4), CVs and limits
  to 1e-9.
* FDA RSABE: an independent R implementation of the FDA progesterone-guidance SAS steps (intra-subject
  contrasts by sequence, Howe's bound), ``replicate_be/expected_fda_rsabe_rds01_30.csv``; contrasts to 1e-10.
Both produced by ``replicate_be/make_rds11_30_reference.R`` (provenance in the reference README).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bioparity.be import crossover_data, evaluate_be
from bioparity.be.rsabe import intra_subject_contrasts
from tests.conftest import REFERENCE

AB = pd.read_csv(REFERENCE / "replicate_be" / "expected_methods_ab_rds11_30.csv", comment="#")
FDA = pd.read_csv(REFERENCE / "replicate_be" / "expected_fda_rsabe_rds01_30.csv", comment="#")


def dataset(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "replicate_be" / f"{name}.csv")


def test_reference_covers_rds11_to_rds30() -> None:
    names = {f"rds{i:02d}" for i in range(11, 31)}
    assert set(AB["dataset"]) == names and len(AB) == 40
    assert set(FDA["dataset"]) == names | {f"rds{i:02d}" for i in range(1, 11)}
    assert {"TR|RT|TT|RR", "TRTR|RTRT|TRRT|RTTR", "TRR|RTR|RRT", "TRT|RTR"} <= set(AB["design"])


@pytest.mark.parametrize(
    "row", AB.to_dict("records"), ids=[f"{d}-{m}" for d, m in zip(AB["dataset"], AB["method"], strict=True)]
)
def test_abel_methods_match_replicatebe(row: dict[str, Any]) -> None:
    res = evaluate_be(dataset(row["dataset"]), "ema-abel-a" if row["method"] == "A" else "ema-abel-b")
    assert res.design == row["design"]
    assert res.n == row["n"] and res.df == row["df"]
    assert 100 * res.pe == pytest.approx(row["pe"], rel=1e-6)
    assert 100 * res.ci_lower == pytest.approx(row["ci_lower"], rel=1e-6)
    assert 100 * res.ci_upper == pytest.approx(row["ci_upper"], rel=1e-6)
    assert res.cvwr == pytest.approx(row["cvwr"] / 100, rel=1e-9)
    if math.isnan(row["cvwt"]):
        assert res.cvwt is None
    else:
        assert res.cvwt == pytest.approx(row["cvwt"] / 100, rel=1e-9)
    assert 100 * res.lower_limit == pytest.approx(row["lower_limit"], rel=1e-9)
    assert 100 * res.upper_limit == pytest.approx(row["upper_limit"], rel=1e-9)
    assert res.passed == (row["BE"] == "pass")


@pytest.mark.parametrize("row", FDA.to_dict("records"), ids=list(FDA["dataset"]))
def test_fda_rsabe_matches_the_sas_steps(row: dict[str, Any]) -> None:
    data = crossover_data(dataset(row["dataset"]))
    c = intra_subject_contrasts(data)
    assert (c.n_ilat, c.df, c.n_dlat, c.df_rr) == (row["n_ilat"], row["df"], row["n_dlat"], row["df_rr"])
    assert 100 * math.exp(c.pe) == pytest.approx(row["pe"], rel=1e-10)
    assert c.se == pytest.approx(row["se"], rel=1e-10)
    assert math.sqrt(c.s2wr) == pytest.approx(row["swr"], rel=1e-10)
    res = evaluate_be(data, "fda-rsabe")
    assert 100 * res.pe == pytest.approx(row["pe"], rel=1e-10)
    assert 100 * res.ci_lower == pytest.approx(row["ci_lower"], rel=1e-10)
    assert 100 * res.ci_upper == pytest.approx(row["ci_upper"], rel=1e-10)
    if row["swr"] >= 0.294:
        assert res.criterion_upper_bound == pytest.approx(row["howe_bound"], abs=1e-10)
        assert res.ci_pass == (row["howe_bound"] <= 0)
    else:  # unscaled ABE below the switching swR: the bound is not part of the decision
        assert res.criterion_upper_bound is None
        assert res.ci_pass == bool(row["ci_lower"] >= 79.995 and row["ci_upper"] < 125.005)
    assert res.pe_pass == bool(np.round(row["pe"], 2) >= 80 and np.round(row["pe"], 2) <= 125)
