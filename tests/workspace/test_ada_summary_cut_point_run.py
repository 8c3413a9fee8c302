"""The ``ada-summary`` run takes the cut points of a stored ``ada-cutpoint`` run (option ``cut_point_run``,
type ``run``), as the sensitivity and drug-tolerance runs do (tests/workspace/test_cut_point_run_option.py):
the same checks (same program, ``ada-cutpoint``, succeeded, signed), the run's result SHA-256 in the new
run's inputs and audit row, and ``bioparity audit verify`` matching them.

Each sample's status is recomputed here by hand from the reported rows of the stored result (tiered testing:
Shankar et al. 2008, J Pharm Biomed Anal 48:1267, section 2): screen positive at or above the plate cut point
``NC exp(NF)`` of the floating screening cut point (Appendix 1 section 5), confirmed when
``100 (1 - SIGNAL_DRUG / SIGNAL)`` is at or above the confirmatory cut point. The samples sit 20% above or
below the plate cut point and at 80% or 0% inhibition, so the expected statuses do not depend on rounding.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session, sessionmaker

from bioparity.analyses.frames import result_records
from bioparity.audit import sha256_hex
from bioparity.errors import InputError
from bioparity.store.models import AnalysisRun
from bioparity.workspace import analyses
from tests.workspace.conftest import Company
from tests.workspace.test_cut_point_run_option import _run, _upload, assert_lineage, sign

NC = {"R1": 100.0, "R2": 135.0, "R3": 82.0}


@pytest.fixture(scope="module")
def backend() -> str:
    """SQLite only: the option is checked by the workspace's code, not by the database."""
    return "sqlite"


def _validation(path: Path) -> Path:
    """24 donors x 3 runs shifted by their negative controls (a floating cut point), with the signal with
    excess drug (about 5% inhibition) for the confirmatory tier."""
    rng = np.random.default_rng(5)
    rows = []
    for d in range(24):
        u = rng.normal(0, 0.2)
        for run, nc in NC.items():
            signal = float(nc * np.exp(0.05 + u + rng.normal(0, 0.03)))
            rows.append((f"D{d}", run, signal, signal * (1 - rng.normal(5, 4) / 100), nc))
    pd.DataFrame(rows, columns=["donor", "run", "signal", "signal_drug", "nc"]).to_csv(path, index=False)
    return path


def _signed_cut_point_run(sessions: sessionmaker[Session], a: Company, tmp_path: Path) -> str:
    with sessions.begin() as s:
        dataset = _upload(s, a, "ada-cutpoint", _validation(tmp_path / "validation.csv"))
        run_id = analyses.run_analysis(
            s, a.actor("analyst"), dataset, "ada-cutpoint", {"confirm_fpr": 0.01}
        ).id
    sign(sessions, a, run_id)
    return run_id


def test_ada_summary_takes_a_signed_cut_point_run(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company], tmp_path: Path
) -> None:
    a = company_factory("summary-cut-point-run")
    source = _signed_cut_point_run(sessions, a, tmp_path)
    with sessions() as s:
        stored = s.get(AnalysisRun, source)
        assert stored is not None and stored.result_json is not None
        result_sha256 = str(stored.result_sha256)
        assert result_sha256 == sha256_hex(stored.result_json)
        reported = {r["tier"]: r for r in result_records(json.loads(stored.result_json)) if r["selected"]}
    screening, confirmatory = reported["screening"], reported["confirmatory"]
    assert screening["cut_point_type"] == "floating"
    assert screening["normalization"] == "additive on log scale"
    factor = math.exp(screening["normalization_factor"])  # plate cut point NC x exp(NF)
    rows: list[tuple[str, str, str, float, float, float]] = []
    expected: list[str] = []
    for i, nc in enumerate(NC.values()):
        for above, inhibition in ((1.2, 80.0), (1.2, 0.0), (0.8, 80.0)):
            signal = above * nc * factor
            rows.append((f"S{i}{len(rows)}", "test" if i % 2 else "reference", "WEEK 4", signal,
                         signal * (1 - inhibition / 100), nc))  # fmt: skip
            expected.append("POS" if above > 1 and inhibition >= confirmatory["cut_point"] else "NEG")
    assert confirmatory["cut_point"] < 80.0 and expected.count("POS") == 3
    listing = tmp_path / "listing.csv"
    pd.DataFrame(rows, columns=["USUBJID", "ARM", "VISIT", "SIGNAL", "SIGNAL_DRUG", "NC"]).to_csv(
        listing, index=False
    )

    run = _run(sessions, a, "ada-summary", listing, cut_point_run=source, incidence="any-visit")
    assert run.status == "succeeded", run.error
    result = json.loads(str(run.result_json))
    label = f"ada-cutpoint-run-{source}.json (sha256 {result_sha256[:16]})"
    assert {r["cut_point_run"] for r in result_records(result)} == {label}
    assert result["notes"][0].startswith(f"ADA status from the validated cut points of {label} ")
    assert result["notes"][0].endswith(f": {expected.count('POS')} positive samples.")
    overall = [r for r in result_records(result) if r["table"] == "incidence" and r["timepoint"] == "OVERALL"]
    by_arm = {r["arm"]: r["n_positive"] for r in overall}
    assert by_arm == {
        arm: sum(e == "POS" and r[1] == arm for r, e in zip(rows, expected, strict=True))
        for arm in ("test", "reference")
    }
    assert_lineage(sessions, run, source, result_sha256, other=run.id)


def test_an_unsigned_or_free_text_cut_point_run_is_refused(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company], tmp_path: Path
) -> None:
    """Before, any text was taken as the run (``cut_point_run=run-42``) and recorded unchecked."""
    a = company_factory("summary-cut-point-refusals")
    with sessions.begin() as s:
        dataset = _upload(s, a, "ada-cutpoint", _validation(tmp_path / "validation.csv"))
        unsigned = analyses.run_analysis(s, a.actor("analyst"), dataset, "ada-cutpoint").id
    listing = tmp_path / "listing.csv"
    listing.write_text("USUBJID,ARM,VISIT,SIGNAL,SIGNAL_DRUG\nS1,test,WEEK 4,1.0,0.5\n", encoding="utf-8")
    for value, message in (
        ("run-42", "option cut_point_run: no analysis run 'run-42' that you can read"),
        (unsigned, f"option cut_point_run: run {unsigned!r} is not signed"),
    ):
        with pytest.raises(InputError, match=message):
            _run(sessions, a, "ada-summary", listing, cut_point_run=value, screening_cut_point="")
