"""Approved stability and comparability runs as readiness evidence (issue #23), on a SQLite workspace: a
comparative stability run whose degradation rates are equivalent gives a CAA attribute of the category
``stability`` that the CAA requirement cites; one that is not equivalent (or cannot count) says why in the
readiness notes and the program report; a process-change comparability run is cited as ICH Q5E evidence,
and one not shown comparable puts the CAA requirement at risk naming what failed. Drafts are not used."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bioparity.analyses.comparability import example_data as comparability_example
from bioparity.analyses.stability import example_data as stability_example
from bioparity.i18n import use_language
from bioparity.pathways import CAAAttribute, PathwayAssessment, RequirementResult
from bioparity.report.evidence import _stability as evidence_stability
from bioparity.report.evidence import collect, readiness
from bioparity.report.html import render_program_report
from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from bioparity.store.models import Program
from tests.conftest import REFERENCE
from tests.workspace.conftest import Company, database, make_company
from tests.workspace.helpers import run_and_wait, sign


@pytest.fixture(scope="module")
def space(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[TestClient, Company, sessionmaker[Session]]]:
    with database("sqlite", tmp_path_factory.mktemp("cmc-readiness")) as engine:
        sessions = make_sessionmaker(engine)
        company = make_company(sessions, "cmc")
        with TestClient(create_app(engine=engine)) as client:
            yield client, company, sessions


def _run(client: TestClient, company: Company, kind: str, content: bytes, **options: object) -> str:
    """Upload (a new version of the dataset ``kind``, with the reason a signed run's input needs: Annex 11
    section 9), run as the analyst, and return the run id."""
    body = {
        "name": kind,
        "filename": f"{kind}.csv",
        "content": content.decode(),
        "analysis_kind": kind,
        "reason": "the next case of this test",
    }
    up = client.post(f"/studies/{company.study.id}/datasets", headers=company.auth("analyst"), json=body)
    assert up.status_code == 201, up.text
    run = run_and_wait(client, up.json()["id"], company.auth("analyst"), kind, options)
    assert run["status"] == "succeeded", run
    return str(run["id"])


def _approved(client: TestClient, company: Company, kind: str, content: bytes, **options: object) -> str:
    run = _run(client, company, kind, content, **options)
    assert sign(client, company, run, "analyst", "authored").status_code == 201  # the author signs first
    assert sign(client, company, run, "reviewer", "reviewed").status_code == 201  # then a review
    assert sign(client, company, run, "statistician", "approved").status_code == 201
    return run


def _readiness(sessions: sessionmaker[Session], company: Company) -> tuple[PathwayAssessment, list[str], str]:
    with sessions() as session:
        program = session.scalar(select(Program).where(Program.id == company.program.id))
        assert program is not None
        evidence = collect(session, program)
        assessment, notes = readiness(evidence)
        html = render_program_report(session, evidence)
    assert assessment is not None
    return assessment, notes, html


def _caa(assessment: PathwayAssessment) -> RequirementResult:
    return next(r for r in assessment.region("EMA").requirements if r.rule_id == "EMA.CAA.SIMILARITY")


def _stability(products: dict[str, str], drop_margin: bool = False) -> bytes:
    frame = pd.read_csv(io.BytesIO(stability_example()))
    frame["product"] = frame["product"].map(products)
    return (frame.drop(columns="slope_margin") if drop_margin else frame).to_csv(index=False).encode()


STABILITY_ID = "caa:PK-study-1-stability-purity-25C-EU"


def _stability_attribute(sessions: sessionmaker[Session], company: Company) -> CAAAttribute:
    """The CAA attribute the readiness makes of the approved stability run's slope comparison."""
    with sessions() as session:
        program = session.scalar(select(Program).where(Program.id == company.program.id))
        assert program is not None
        (study,) = collect(session, program).studies
        found = [a for a in evidence_stability(study, []) if f"caa:{a.id}" == STABILITY_ID]
    assert len(found) == 1, found
    return found[0]


def test_stability_and_comparability_runs_are_evidence(
    space: tuple[TestClient, Company, sessionmaker[Session]], tmp_path: Path
) -> None:
    client, company, sessions = space
    # a draft is not evidence
    _run(
        client, company, "stability", _stability({"test": "test", "reference": "ref-eu"}), reference="ref-eu"
    )
    assessment, notes, _ = _readiness(sessions, company)
    assert STABILITY_ID not in _caa(assessment).evidence
    assert any("newer stability run(s) not approved (draft): not used" in n for n in notes)

    # equivalent degradation rates against the EU reference (the example's margin 0.1 per month)
    _approved(
        client, company, "stability", _stability({"test": "test", "reference": "ref-eu"}), reference="ref-eu"
    )
    assessment, notes, _ = _readiness(sessions, company)
    assert STABILITY_ID in _caa(assessment).evidence
    assert not any("stability of Purity" in n for n in notes)

    # the same results judged against a margin of 0.001: not equivalent, and the note says why
    _approved(
        client,
        company,
        "stability",
        _stability({"test": "test", "reference": "ref-eu"}, True),
        slope_margin=0.001,
        reference="ref-eu",
    )
    assessment, notes, html = _readiness(sessions, company)
    assert STABILITY_ID in _caa(assessment).evidence
    (why,) = [n for n in notes if "stability of Purity" in n]
    ref = pd.read_csv(REFERENCE / "cmc" / "ref_stability.csv", dtype=str).query("case == 'slopediff'")
    r = {str(k): float(v) for k, v in zip(ref["name"], ref["value"], strict=True)}  # R: full-model contrast
    assert why == (
        "PK study 1: stability of Purity (25C): degradation rates of test and ref-eu not shown equivalent: "
        f"difference {r['difference']:.4g} (90% CI {r['ci_lower']:.4g} to {r['ci_upper']:.4g}) "
        "not within ±0.001"
    )
    assert "degradation rates of test and ref-eu not shown equivalent" in html
    # the comparison of degradation rates is named in the reader's words (the label and condition as
    # written): it is what a finding of the CAA requirement prints for a failed attribute
    assert _stability_attribute(sessions, company).shown == "Purity degradation rate (25C)"
    with use_language("zh-CN"):
        assert _stability_attribute(sessions, company).shown == "Purity 的降解速率（25C）"

    # products that name no reference region cannot count, nor a run comparing no two products
    _approved(client, company, "stability", _stability({"test": "test", "reference": "reference"}))
    assessment, notes, _ = _readiness(sessions, company)
    assert STABILITY_ID not in _caa(assessment).evidence
    assert any(
        "the products 'test' and 'reference' are not the test product and a reference product" in n
        for n in notes
    )
    _approved(client, company, "stability", _stability({"test": "test", "reference": "ref-eu"}))
    assessment, notes, _ = _readiness(sessions, company)
    assert (
        "PK study 1: the approved stability run compares no test and reference products: not evidence"
        in notes
    )

    # a process change not shown comparable: cited, and the quality comparison names what failed
    _approved(client, company, "comparability", comparability_example())
    assessment, notes, html = _readiness(sessions, company)
    caa = _caa(assessment)
    assert "q5e:PK-study-1-post-change-vs-pre-change" in caa.evidence
    why = "process change post-change vs pre-change not shown comparable (ICH Q5E): afucosylated_glycans"
    assert why in caa.detail and f"PK study 1: {why}" in notes and why in html

    # with the catalogue, the attribute is named by its label, as the CAA and the run's report name it
    _approved(client, company, "comparability", comparability_example(), catalogue="igg1-mab-example")
    assessment, notes, html = _readiness(sessions, company)
    why = "process change post-change vs pre-change not shown comparable (ICH Q5E): Afucosylated glycans"
    assert why in _caa(assessment).detail and f"PK study 1: {why}" in notes and why in html
    assert "afucosylated_glycans" not in _caa(assessment).detail and "afucosylated_glycans" not in html

    # degradation rates not shown equivalent (the option's margin 0.0001 where the file gives none), the
    # attributes named by the file's label column (no catalogue): the finding in the reader's words
    frame = pd.read_csv(io.BytesIO(comparability_example()))
    narrow = frame[frame["attribute"] != "afucosylated_glycans"].assign(
        slope_margin=None, label=frame["attribute"].map({"purity_sec": "Purity (SEC)"})
    )
    _approved(client, company, "comparability", narrow.to_csv(index=False).encode(), slope_margin=0.0001)
    assessment, notes, html = _readiness(sessions, company)
    why = (
        "process change post-change vs pre-change not shown comparable (ICH Q5E): Purity (SEC) degradation "
        "rate (5C), Purity (SEC) degradation rate (25C), hmw_species_sec degradation rate (5C)"
    )
    assert why in _caa(assessment).detail and f"PK study 1: {why}" in notes and why in html
    with use_language("zh-CN"):
        assessment, notes, html = _readiness(sessions, company)
    why = (
        "工艺变更 post-change vs pre-change 未显示可比（ICH Q5E）：Purity (SEC) 的降解速率（5C）, "
        "Purity (SEC) 的降解速率（25C）, hmw_species_sec 的降解速率（5C）"
    )
    assert why in _caa(assessment).detail and f"PK study 1：{why}" in notes and why in html
    assert not any("degradation rate" in n for n in [_caa(assessment).detail, *notes])

    # comparable once the failing attribute is gone
    frame = pd.read_csv(io.BytesIO(comparability_example()))
    clean = frame[frame["attribute"] != "afucosylated_glycans"].to_csv(index=False).encode()
    _approved(client, company, "comparability", clean)
    assessment, notes, _ = _readiness(sessions, company)
    assert "q5e:PK-study-1-post-change-vs-pre-change" in _caa(assessment).evidence
    assert "not shown comparable" not in _caa(assessment).detail
    assert not any("not shown comparable" in n for n in notes)
