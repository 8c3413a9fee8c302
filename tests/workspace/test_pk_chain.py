"""The evidence chain through the API: concentrations -> NCA -> stored PP -> PK similarity; BE and CAA.

Numbers are checked against independent references where they exist: PKNCA 0.12.1 on Theoph for the NCA
kind, replicateBE for the BE kind, a hand-written pooled three-arm interval for PK similarity, and the
CAA example's two designed differences.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from scipy import stats

from bioparity.caa.example import DIFFERENT, example_paths
from tests.conftest import read_reference
from tests.workspace.conftest import Company
from tests.workspace.helpers import run_and_wait, upload


@pytest.fixture(scope="module")
def a(company_factory: Callable[[str], Company]) -> Company:
    return company_factory("PKchain")


def _run(client: TestClient, a: Company, dataset_id: str, kind: str, **options: Any) -> dict[str, Any]:
    run = run_and_wait(client, dataset_id, a.auth("analyst"), kind, options)
    assert run["status"] == "succeeded", run
    return run


def _upload(client: TestClient, a: Company, csv: str, kind: str, name: str) -> str:
    created = upload(client, a, content=csv, name=name, filename=f"{name}.csv", analysis_kind=kind)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _table(result: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(result["rows"], columns=result["columns"])


def _three_arm_concentrations(seed: int = 7, per_arm: int = 12) -> pd.DataFrame:
    """One-compartment oral profiles (ka 0.8/h, CL and V log-normal), three arms, 11 samples each."""
    rng = np.random.default_rng(seed)
    times = np.array([0, 0.5, 1, 2, 4, 6, 8, 12, 24, 36, 48.0])  # pre-dose sample at 0
    rows = []
    for arm, scale in (("test", 1.0), ("eu-ref", 1.03), ("us-ref", 0.98)):
        for i in range(per_arm):
            cl = 2.0 * np.exp(rng.normal(0, 0.25)) / scale
            v, ka, dose = 30.0 * np.exp(rng.normal(0, 0.15)), 0.8, 100.0
            ke = cl / v
            conc = dose * ka / (v * (ka - ke)) * (np.exp(-ke * times) - np.exp(-ka * times))
            conc *= np.exp(rng.normal(0, 0.05, times.size))
            rows += [(f"{arm}-{i:02d}", arm, t, round(c, 6), dose) for t, c in zip(times, conc, strict=True)]
    return pd.DataFrame(rows, columns=["subject", "arm", "time", "conc", "dose"])


def test_nca_kind_reproduces_pknca_on_theoph(client: TestClient, a: Company) -> None:
    theoph = read_reference("nca/theoph.csv")
    data = pd.DataFrame(
        {
            "subject": theoph["Subject"],
            "time": theoph["Time"],
            "conc": theoph["conc"],
            "dose": theoph["Dose"] * theoph["Wt"],
        }
    )
    run = _run(client, a, _upload(client, a, data.to_csv(index=False), "nca", "theoph"), "nca")
    got = _table(run["result"])
    assert run["result"]["n_profiles"] == 12
    expected = read_reference("expected/nca_theoph_linuplogdown.csv")
    pairs = {
        "auclast": "AUCLST",
        "aucinf.obs": "AUCIFO",
        "cmax": "CMAX",
        "lambda.z": "LAMZ",
        "cl.obs": "CLFO",
    }
    for pknca, code in pairs.items():
        ref = expected[expected["PPTESTCD"] == pknca].set_index("Subject")["PPORRES"].sort_index()
        ours = (
            got[got["PPTESTCD"] == code]
            .assign(subject=lambda f: f["subject"].astype(int))
            .set_index("subject")
        )
        np.testing.assert_allclose(ours["PPSTRESN"].sort_index().to_numpy(float), ref.to_numpy(), rtol=1e-6)


def test_concentrations_to_nca_to_pk_similarity(client: TestClient, a: Company) -> None:
    conc = _three_arm_concentrations()
    nca_run = _run(client, a, _upload(client, a, conc.to_csv(index=False), "nca", "pk-study"), "nca")
    pp = _table(nca_run["result"])
    assert set(pp["arm"]) == {"test", "eu-ref", "us-ref"} and nca_run["result"]["n_profiles"] == 36

    derived = client.post(
        f"/runs/{nca_run['id']}/datasets", headers=a.auth("analyst"), json={"analysis_kind": "pk-similarity"}
    )
    assert derived.status_code == 201, derived.text
    dataset = derived.json()
    assert dataset["derived_from_run"] == nca_run["id"] and dataset["name"] == "nca-result"
    again = client.post(f"/runs/{nca_run['id']}/datasets", headers=a.auth("analyst"), json={})
    assert again.json()["sha256"] == dataset["sha256"]  # the same run gives the same bytes

    sim = _table(_run(client, a, dataset["id"], "pk-similarity")["result"])
    assert len(sim) == 9  # 3 metrics x (test/eu-ref, test/us-ref, eu-ref/us-ref)

    # Independent check of the default (Welch per comparison, Satterthwaite df; FDA 2001 guidance on
    # parallel designs): 90% CI of each contrast of log means from the per-arm variances.
    for metric in ("AUCIFO", "AUCLST", "CMAX"):
        values = pp[pp["PPTESTCD"] == metric].set_index("arm")["PPSTRESN"].astype(float)
        logs = {arm: np.log(values[values.index == arm].to_numpy()) for arm in ("test", "eu-ref", "us-ref")}
        for first, second in (("test", "eu-ref"), ("test", "us-ref"), ("eu-ref", "us-ref")):
            a_, b_ = logs[first], logs[second]
            d = a_.mean() - b_.mean()
            va, vb = a_.var(ddof=1) / a_.size, b_.var(ddof=1) / b_.size
            df = (va + vb) ** 2 / (va**2 / (a_.size - 1) + vb**2 / (b_.size - 1))
            half = stats.t.ppf(0.95, df) * np.sqrt(va + vb)
            row = sim[
                (sim["metric"] == metric) & (sim["test_arm"] == first) & (sim["reference_arm"] == second)
            ]
            assert len(row) == 1
            assert float(row["gmr"].iloc[0]) == pytest.approx(100 * np.exp(d), rel=1e-10)
            assert float(row["ci_lower"].iloc[0]) == pytest.approx(100 * np.exp(d - half), rel=1e-10)
            assert float(row["ci_upper"].iloc[0]) == pytest.approx(100 * np.exp(d + half), rel=1e-10)


def test_derive_refuses_a_run_without_a_table(client: TestClient, a: Company) -> None:
    rds = read_reference("replicate_be/rds01.csv")[["subject", "period", "sequence", "treatment", "PK"]]
    run = _run(
        client, a, _upload(client, a, rds.to_csv(index=False), "be", "rds01"), "be", method="ema-abel-a"
    )
    response = client.post(f"/runs/{run['id']}/datasets", headers=a.auth("analyst"), json={})
    assert response.status_code == 422 and "no table" in response.text


def test_be_kind_matches_replicatebe(client: TestClient, a: Company) -> None:
    rds = read_reference("replicate_be/rds01.csv")[["subject", "period", "sequence", "treatment", "PK"]]
    expected = read_reference("expected/replicate_be_methods_ab.csv")
    ref = expected[(expected["dataset"] == "rds01") & (expected["method"] == "A")].iloc[0]
    result = _run(
        client, a, _upload(client, a, rds.to_csv(index=False), "be", "rds01-a"), "be", method="ema-abel-a"
    )["result"]
    assert result["pe"] == pytest.approx(ref["PE(%)"], rel=1e-6)
    assert result["ci_lower"] == pytest.approx(ref["CL.lo(%)"], rel=1e-6)
    assert result["ci_upper"] == pytest.approx(ref["CL.hi(%)"], rel=1e-6)
    assert result["pass"] == (ref["BE"] == "pass")
    # every workspace program is a biosimilar candidate: reference scaling is noted as not accepted for a
    # biosimilar PK similarity study (FDA 2016 clinical pharmacology guidance, IV; EMA/CHMP/BMWP/403543/2010,
    # 4.2); the note is in the result itself, as `bioparity run` prints it
    assert any("not accepted for a biosimilar PK similarity study" in n for n in result["notes"])


def test_caa_kind_finds_the_designed_differences(client: TestClient, a: Company) -> None:
    data_path, _ = example_paths()
    dataset = _upload(client, a, data_path.read_text(), "caa", "caa-lots")
    table = _table(_run(client, a, dataset, "caa", catalogue="igg1-mab-example")["result"])
    failing = set(table.loc[table["status"] == "fail", "attribute"])
    assert failing == set(DIFFERENT)


def test_malformed_concentrations_are_refused_at_upload(client: TestClient, a: Company) -> None:
    bad = "subject,time,conc\n1,0,0\n1,1,-3\n"
    created = upload(client, a, content=bad, name="bad", filename="bad.csv", analysis_kind="nca")
    assert created.status_code == 422 and "bad.csv" in created.text and "row 2" in created.text
    assert "conc" in created.text
    missing = upload(
        client, a, content="subject,tme,conc\n1,0,0\n", name="bad2", filename="bad2.csv", analysis_kind="nca"
    )
    assert missing.status_code == 422 and "time" in missing.text and "columns found" in missing.text


def test_nca_without_dose_column_gives_exposure_only(client: TestClient, a: Company) -> None:
    conc = _three_arm_concentrations(per_arm=2).drop(columns=["dose"])
    run = _run(client, a, _upload(client, a, conc.to_csv(index=False), "nca", "no-dose"), "nca")
    assert run["options"]["dose"] == "auto"
    pp = _table(run["result"])
    assert pp.loc[pp["PPTESTCD"] == "CLFO", "PPSTRESN"].isna().all()
    assert pp.loc[pp["PPTESTCD"] == "AUCLST", "PPSTRESN"].notna().all()
