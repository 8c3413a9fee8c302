"""Reports, the demo program and the readiness derived from stored evidence (no browser needed)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import select

from bioparity.audit import verify_trail
from bioparity.demo import DEMO_USERS, load_demo, pk_concentrations
from bioparity.report import render_program_report, render_run_report
from bioparity.report.context import run_context
from bioparity.report.evidence import caa_category, collect, modality_code, readiness, source_label
from bioparity.report.html import report_tables
from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from bioparity.store.models import AuditEvent, Program
from bioparity.workspace import accounts
from bioparity.workspace.access import Actor
from tests.web.conftest import DemoStore, FormClient

PASSWORD = {u.username: u.password for u in DEMO_USERS}


def _actor(session: Any, username: str) -> Actor:
    user = accounts.get_user_by_name(session, username)
    return Actor(user.id, user.username, user.display_name)


def _report(url: str, run_id: str) -> str:
    from bioparity.store import make_engine

    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        html = render_run_report(run_context(session, _actor(session, "sam"), run_id))
    engine.dispose()
    return html


def test_run_report_html_is_byte_identical_across_processes(demo_store: DemoStore) -> None:
    run_id = demo_store.summary.runs["pk-similarity"]
    first, second = _report(demo_store.url, run_id), _report(demo_store.url, run_id)
    code = (
        "import sys; from tests.web.test_reports import _report; "
        f"sys.stdout.write(_report({demo_store.url!r}, {run_id!r}))"
    )
    from_other_process = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, encoding="utf-8"
    ).stdout
    assert hashlib.sha256(first.encode()).hexdigest() == hashlib.sha256(second.encode()).hexdigest()
    assert from_other_process == first
    for expected in ("Input SHA-256", "Result SHA-256", "Software", "Options", "Signatures", "AUCIFO"):
        assert expected in first
    assert first.count("data:image/svg+xml;base64,") == 4  # forest, linear and semi-log means, individual


def test_demo_pk_similarity_recovers_the_simulated_ratios(demo_store: DemoStore) -> None:
    """The demo simulates test/EU-ref 0.97 and EU-ref/US-ref 1.02 (CL ratios): every 90% CI holds them."""
    with make_sessionmaker(demo_store.engine)() as session:
        ctx = run_context(session, _actor(session, "sam"), demo_store.summary.runs["pk-similarity"])
    rows = {(r["metric"], r["test_arm"], r["reference_arm"]): r for r in ctx.records}
    assert len(rows) == 9 and all(r["pass"] for r in rows.values())
    assert {r["n_test"] for r in rows.values()} == {67}
    truth = {("test", "eu-ref"): 97.0, ("eu-ref", "us-ref"): 100 / 1.02, ("test", "us-ref"): 97.0 / 1.02}
    for metric in ("AUCIFO", "AUCLST"):
        for pair, ratio in truth.items():
            r = rows[(metric, *pair)]
            assert r["ci_lower"] <= ratio <= r["ci_upper"], (metric, pair, r)
    assert [(s.signature.username, s.signature.meaning) for s in ctx.signatures if s.valid] == [
        ("sam", "authored"),  # the demo signs in the order the rules require, by three people
        ("rita", "reviewed"),
        ("olivia", "approved"),
    ]


def test_demo_data_are_reproducible() -> None:
    a = pk_concentrations().to_csv(index=False).encode()
    b = pk_concentrations().to_csv(index=False).encode()
    assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest()
    frame = pk_concentrations()
    assert frame["subject"].nunique() == 201 and sorted(frame["arm"].unique()) == ["eu-ref", "test", "us-ref"]


def test_demo_load_is_idempotent_and_audited(demo_store: DemoStore) -> None:
    again = load_demo(demo_store.engine)
    assert again.already_loaded and again.program_id == demo_store.summary.program_id
    assert verify_trail(demo_store.engine).intact


def test_program_report_shows_readiness_pk_and_caa(demo_store: DemoStore) -> None:
    with make_sessionmaker(demo_store.engine)() as session:
        program = session.scalar(select(Program).where(Program.id == demo_store.summary.program_id))
        assert program is not None
        evidence = collect(session, program)
        html = render_program_report(session, evidence)
        assessment, notes = readiness(evidence)
    assert assessment is not None and set(assessment.statuses) == {"EMA", "FDA"}
    assert "Readiness per region" in html and "European Union (EMA)" in html
    assert html.count("within limits") + html.count("outside limits") >= 9
    assert "ref-eu" in html and "Not similar" in html  # the CAA example's two designed differences
    assert any("assumed" in n for n in notes)


@pytest.mark.parametrize(
    ("source", "label"),
    [("test", "T"), ("eu-ref", "EU"), ("ref-us", "US"), ("EU-RP", "EU"), ("CN", "CN"), ("placebo", None)],
)
def test_source_labels(source: str, label: str | None) -> None:
    assert source_label(source) == label


def test_attribute_categories_and_modalities() -> None:
    assert caa_category("intact_mass_g0f_g0f") == "primary_structure"
    assert caa_category("afucosylated_glycans") == "glycosylation"
    assert caa_category("fcgriiia_binding_spr") == "moa_functional"
    assert caa_category("hmw_species_sec") == "size_variants"
    assert caa_category("colour") is None
    assert modality_code("monoclonal antibody (IgG1)") == "monoclonal_antibody"
    assert modality_code("fusion protein") == "fusion_protein"
    assert modality_code("vaccine") is None


def test_validation_from_the_browser_is_stored_with_the_audit_trail(demo_store: DemoStore) -> None:
    client = FormClient(create_app(engine=demo_store.engine))
    client.post("/ui/login", data={"username": "victor", "password": PASSWORD["victor"]})
    assert "Only owners" in client.get("/ui/admin/validation").text
    client.post("/ui/logout")
    client.post("/ui/login", data={"username": "olivia", "password": PASSWORD["olivia"]})
    page = client.get("/ui/admin/validation")
    org_id = page.text.split('<option value="')[1].split('"')[0]
    done = client.post("/ui/admin/validation", data={"org_id": org_id})
    assert done.status_code == 200 and "Validation passed" in done.text
    with make_sessionmaker(demo_store.engine)() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "validate"))
        assert event is not None and event.org_id == org_id and event.object_id is not None
        digest = event.object_id
    report = client.get(f"/ui/admin/validation/{digest}/report.html")
    assert report.status_code == 200 and hashlib.sha256(report.content).hexdigest() == digest
    page = client.get(f"/ui/admin/validation/{digest}")  # the same report with a way back
    assert page.status_code == 200 and 'href="/ui/admin/validation"' in page.text
    client.post("/ui/logout")
    client.post("/ui/login", data={"username": "victor", "password": PASSWORD["victor"]})
    assert client.get(f"/ui/admin/validation/{digest}").status_code == 404


def test_demo_command_loads_once_and_prints_the_users(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from bioparity.cli.main import app

    url = f"sqlite:///{tmp_path / 'ws.sqlite3'}"
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--load", "--quiet", "--database-url", url, "--out", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "Loaded the demo program" in first.output
    assert all(u.username in first.output and u.password in first.output for u in DEMO_USERS)
    second = runner.invoke(app, ["demo", "--load", "--quiet", "--database-url", url])
    assert second.exit_code == 0 and "already in" in second.output
    written = (tmp_path / "pk101-concentrations.csv").read_bytes()
    assert written == pk_concentrations().to_csv(index=False).encode()


def test_caa_run_report_states_the_plans_and_their_operating_characteristics(demo_store: DemoStore) -> None:
    """Issue 27: the default CAA plan (quality range, k by tier, spread check, >= 10 lots) and each plan's
    operating characteristics (EMA reflection paper 2021) appear in the CAA report; the demo's CAA still
    flags exactly the example's two designed differences."""
    html = _report(demo_store.url, demo_store.summary.runs["caa"])
    assert "Plans and operating characteristics" in html
    assert "quality range mean_R ± 2.5·s_R" in html and "quality range mean_R ± 3·s_R" in html
    assert "spread s_T/s_R &lt;= 1.5" in html and "sensitivity: equivalence test" in html
    assert "equivalence type I at the margin" in html and "Plan qr-2025 (default;" in html
    with make_sessionmaker(demo_store.engine)() as session:
        ctx = run_context(session, _actor(session, "sam"), demo_store.summary.runs["caa"])
    failing = {r["attribute"] for r in ctx.records if r["status"] == "fail"}
    assert failing == {"afucosylated_glycans", "acidic_charge_variants"}
    (plans,) = report_tables(ctx).extra
    tier1 = [[float(row[i]) for i in (4, 7, 8)] for row in plans.rows if "2.5·s_R" in row[0]]
    assert tier1 and all(
        0.85 < equal < 1 and doubled < 0.2 and mc_se <= 0.005 for equal, doubled, mc_se in tier1
    )
