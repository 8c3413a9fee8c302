"""The sensitivity and drug-tolerance runs take the cut points of a stored ``ada-cutpoint`` run
(option ``cut_point_run``, type ``run``).

The run must be of the same program, of kind ``ada-cutpoint``, succeeded and signed; anything else is
refused naming the option and why. A floating screening cut point gives each run of the new data its
negative control times ``exp(NF)`` (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1 section
5): checked by hand from the factor the stored result reports (relative 1e-12). The new run records the
cut-point run's id in its options and its result's SHA-256 in its inputs, and so does its audit row.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bioparity.analyses import get_analysis
from bioparity.analyses.frames import result_records
from bioparity.audit import sha256_hex
from bioparity.errors import InputError
from bioparity.store.models import AnalysisRun, AuditEvent
from bioparity.workspace import analyses, datasets, signatures
from bioparity.workspace.integrity import verify_workspace
from tests.bioassay.test_floating_drug_tolerance_and_cut_point_file import NC, _curves, _validation
from tests.workspace.conftest import PASSWORD, Company


@pytest.fixture(scope="module")
def backend() -> str:
    """SQLite only: the option is checked by the workspace's code, not by the database."""
    return "sqlite"


def _upload(s: Session, a: Company, kind: str, path: Path) -> str:
    return datasets.upload_dataset(
        s, a.actor("analyst"), a.study.id, name=f"{kind}-{path.stem}", filename=path.name,
        content=path.read_bytes(), analysis_kind=kind,
    ).id  # fmt: skip


def _cut_point_run(sessions: sessionmaker[Session], a: Company, tmp_path: Path, *, signed: bool) -> str:
    """A stored ada-cutpoint run of the floating validation set, signed "authored" by its analyst or not."""
    with sessions.begin() as s:
        dataset = _upload(s, a, "ada-cutpoint", _validation(tmp_path / "validation.csv"))
        run_id = analyses.run_analysis(s, a.actor("analyst"), dataset, "ada-cutpoint").id
    if signed:
        sign(sessions, a, run_id)
    return run_id


def sign(sessions: sessionmaker[Session], a: Company, run_id: str) -> None:
    """The run signed "authored" by its analyst."""
    with sessions.begin() as s:
        signatures.sign_run(
            s, a.actor("analyst"), run_id, username=a.users["analyst"].username, password=PASSWORD,
            meaning="authored",
        )  # fmt: skip


def _run(sessions: sessionmaker[Session], a: Company, kind: str, path: Path, **options: Any) -> AnalysisRun:
    with sessions.begin() as s:
        dataset = _upload(s, a, kind, path)
        run = analyses.run_analysis(s, a.actor("analyst"), dataset, kind, options)
        s.expunge(run)
        return run


def assert_lineage(
    sessions: sessionmaker[Session], run: AnalysisRun, source: str, result_sha256: str, *, other: str
) -> None:
    """``run`` read the result of the run ``source``: its id in the run's options, the result's SHA-256 in
    its inputs, both in its audit row; ``bioparity audit verify`` finds it intact as stored, and reports the
    option by name once it names another run (``other``, re-pointed here in the database)."""
    assert json.loads(run.options_json)["cut_point_run"] == source  # the lineage: the run it came from
    assert json.loads(run.inputs_json)["cut_point_run"] == result_sha256
    with sessions() as s:
        audit = s.scalars(
            select(AuditEvent).where(AuditEvent.object_id == run.id, AuditEvent.action == "run")
        ).one()
        after = json.loads(str(audit.after_json))
    assert json.loads(after["options_json"])["cut_point_run"] == source
    assert json.loads(after["inputs_json"])["cut_point_run"] == result_sha256
    engine = sessions.kw["bind"]
    assert verify_workspace(engine).intact, verify_workspace(engine).problems
    with engine.begin() as conn:
        options = json.loads(run.options_json) | {"cut_point_run": other}
        conn.execute(
            update(AnalysisRun).where(AnalysisRun.id == run.id).values(options_json=json.dumps(options))
        )
    assert any(
        f"analysis run {run.id} ({run.kind}): its input hash {result_sha256} for option "
        f"cut_point_run is not the SHA-256 of the result of run {other}" in p
        for p in verify_workspace(engine).problems
    )


def test_sensitivity_and_drug_tolerance_use_a_signed_cut_point_run(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company], tmp_path: Path
) -> None:
    a = company_factory("cut-point-run")
    source = _cut_point_run(sessions, a, tmp_path, signed=True)
    with sessions() as s:
        stored = s.get(AnalysisRun, source)
        assert stored is not None and stored.result_json is not None
        result_sha256 = str(stored.result_sha256)
        assert result_sha256 == sha256_hex(stored.result_json)
        reported = [
            r
            for r in result_records(json.loads(stored.result_json))
            if r["tier"] == "screening" and r["selected"]
        ]
    assert reported[0]["normalization"] == "additive on log scale"
    own = {r: nc * math.exp(reported[0]["normalization_factor"]) for r, nc in NC.items()}  # NC x exp(NF)

    run = _run(sessions, a, "ada-sensitivity", _curves(tmp_path / "pc.csv", nc=NC), cut_point_run=source)
    assert run.status == "succeeded", run.error
    result = json.loads(str(run.result_json))
    by_run = [r["run_cut_points"] for r in result_records(result)]
    assert by_run == pytest.approx([own[r] for r in sorted(NC)], rel=1e-12)
    assert result["notes"][0].startswith(f"screening cut point from ada-cutpoint-run-{source}.json (sha256 ")
    summary = get_analysis("ada-sensitivity").summary(result, json.loads(run.options_json))
    assert "each run's own (floating)" in summary

    wells = pd.DataFrame(
        [(run_, 100.0, drug, signal, nc) for run_, nc in (("R1", 30.0), ("R2", 50.0))
         for drug, signal in ((0.0, 90.0), (1.0, 60.0), (10.0, 20.0))],
        columns=["run", "ada_level", "drug_level", "signal", "nc"],
    )  # fmt: skip
    wells.to_csv(tmp_path / "dt.csv", index=False)
    tolerance = _run(sessions, a, "ada-drug-tolerance", tmp_path / "dt.csv", cut_point_run=source)
    assert tolerance.status == "succeeded", tolerance.error
    # cut points 30 x 1.397 = 41.9 and 50 x 1.397 = 69.9: drug 1 (signal 60) detected in R1 only -> 0
    assert [r["drug_tolerance"] for r in result_records(json.loads(str(tolerance.result_json)))] == [0.0]

    assert_lineage(sessions, run, source, result_sha256, other=tolerance.id)


def test_a_run_that_cannot_give_cut_points_is_refused(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company], tmp_path: Path
) -> None:
    a, other = company_factory("cut-point-refusals"), company_factory("cut-point-other")
    curves = _curves(tmp_path / "pc.csv", nc=NC)

    def refusal(run_id: str, company: Company = a, **options: float) -> str:
        with pytest.raises(InputError) as refused, sessions.begin() as s:
            dataset = _upload(s, company, "ada-sensitivity", curves)
            analyses.run_analysis(
                s, company.actor("analyst"), dataset, "ada-sensitivity", {"cut_point_run": run_id, **options}
            )
        return str(refused.value)

    unsigned = _cut_point_run(sessions, a, tmp_path, signed=False)
    assert refusal(unsigned) == (
        f"option cut_point_run: run {unsigned!r} is not signed: its result can be used once it carries a "
        "valid electronic signature"
    )
    signed = _cut_point_run(sessions, a, tmp_path, signed=True)
    assert "not both" in refusal(signed, cut_point=1.3)
    assert refusal("no-such-run") == "option cut_point_run: no analysis run 'no-such-run' that you can read"
    # a member of another organisation cannot read the run: refused as missing, not shown
    assert refusal(signed, other) == f"option cut_point_run: no analysis run {signed!r} that you can read"
    sensitivity = _run(
        sessions,
        a,
        "ada-sensitivity",
        _curves(tmp_path / "own.csv", cut_point={r: 1.4 * nc for r, nc in NC.items()}),
    )
    assert refusal(sensitivity.id) == (
        f"option cut_point_run: run {sensitivity.id!r} is a ada-sensitivity run, not ada-cutpoint"
    )
    with sessions.begin() as s:
        failed = s.get(AnalysisRun, unsigned)
        assert failed is not None
        failed.status, failed.result_json, failed.result_sha256 = "failed", None, None
    assert refusal(unsigned).startswith(
        f"option cut_point_run: run {unsigned!r} did not succeed (status failed)"
    )


def test_a_cut_point_run_of_another_program_is_refused(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company], tmp_path: Path
) -> None:
    from bioparity.workspace import programs

    a = company_factory("cut-point-programs")
    signed = _cut_point_run(sessions, a, tmp_path, signed=True)
    with sessions.begin() as s:
        owner = a.actor("owner")
        program = programs.create_program(
            s, owner, a.org.id, name=f"second-{a.program.name}", inn="adalimumab", reference_product="Humira",
            modality="monoclonal antibody", target_regions=["EU"],
        )  # fmt: skip
        study = programs.create_study(s, owner, program.id, name="ADA study", kind="clinical")
        dataset = datasets.upload_dataset(
            s, owner, study.id, name="pc", filename="pc.csv",
            content=_curves(tmp_path / "pc.csv", nc=NC).read_bytes(), analysis_kind="ada-sensitivity",
        ).id  # fmt: skip
    with pytest.raises(InputError) as refused, sessions.begin() as s:
        analyses.run_analysis(s, owner, dataset, "ada-sensitivity", {"cut_point_run": signed})
    assert str(refused.value) == (
        f"option cut_point_run: run {signed!r} belongs to another program; choose a ada-cutpoint run of "
        "this one"
    )
