"""The market-scan page: the ranking of ``market scan`` in the workspace, and a program from a row."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from bioparity.audit import verify_trail
from bioparity.cli.main import app as cli
from bioparity.demo import DEMO_USERS
from bioparity.demo.load import DEVELOPER, PARTNER
from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from bioparity.store.models import AuditEvent, Organisation, Program
from tests.web.conftest import DemoStore, FormClient

PASSWORD = {u.username: u.password for u in DEMO_USERS}
AS_OF = 2026
ROW = re.compile(r'<tr data-key="([^"|]+)\|(eu|us)">')


def _client(demo_store: DemoStore, username: str) -> TestClient:
    client = FormClient(create_app(engine=demo_store.engine))
    done = client.post("/ui/login", data={"username": username, "password": PASSWORD[username]})
    assert done.status_code == 200
    return client


def _org_id(demo_store: DemoStore, name: str) -> str:
    with make_sessionmaker(demo_store.engine)() as session:
        org_id = session.scalar(select(Organisation.id).where(Organisation.name == name))
    assert org_id is not None
    return org_id


def _kb_reviewed() -> str:
    """The review date written in the shipped knowledge-base file (read without bioparity)."""
    kb_file = Path(__file__).parents[2] / "src/bioparity/market/data/reference_biologics.yaml"
    return str(yaml.safe_load(kb_file.read_text(encoding="utf-8"))["reviewed"])


def _cli_ranking(tmp_path: Path, region: str) -> list[tuple[str, str]]:
    out = tmp_path / f"ranking-{region}.csv"
    result = CliRunner().invoke(
        cli, ["market", "scan", "--region", region, "--as-of", str(AS_OF), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    return list(zip(table["inn"], table["region"], strict=True))


@pytest.mark.parametrize(("query", "region"), [("", "eu,us"), ("eu", "eu"), ("us", "us")])
def test_page_lists_the_ranking_of_market_scan(
    demo_store: DemoStore, tmp_path: Path, query: str, region: str
) -> None:
    expected = _cli_ranking(tmp_path, region)
    page = _client(demo_store, "rita").get("/ui/market", params={"region": query, "as_of": AS_OF})
    assert page.status_code == 200
    assert ROW.findall(page.text) == expected
    assert len(expected) >= 50 * len(region.split(","))
    # the components, counts, protection end and citations are on the page
    for header in ("Protection end", "Approved", "In development", "No competition", "Timing", "Void score"):
        assert f'<th scope="col">{header}</th>' in page.text
    assert page.text.count("https://") >= len(expected)
    # a reviewer may not create programs: no button
    assert "/ui/market/programs" not in page.text


def test_page_row_values_match_the_csv(demo_store: DemoStore, tmp_path: Path) -> None:
    out = tmp_path / "eu.csv"
    CliRunner().invoke(cli, ["market", "scan", "--region", "eu", "--as-of", str(AS_OF), "--out", str(out)])
    first = pd.read_csv(out).iloc[0]
    page = _client(demo_store, "sam").get("/ui/market", params={"region": "eu", "as_of": AS_OF}).text
    row = page.split(f'<tr data-key="{first["inn"]}|eu">')[1].split("</tr>")[0]
    assert f"<strong>{first['void_score']:.3f}</strong>" in row
    assert f"{first['coverage']:.2f}" in row
    assert first["originator_brand"] in row


def test_create_program_from_a_row(demo_store: DemoStore) -> None:
    client = _client(demo_store, "sam")  # statistician: may create programs
    org_id = _org_id(demo_store, DEVELOPER)
    page = client.get("/ui/market", params={"region": "us", "as_of": AS_OF}).text
    assert 'action="/ui/market/programs"' in page
    inn = ROW.findall(page)[0][0]
    done = client.post(
        "/ui/market/programs",
        data={"org_id": org_id, "inn": inn, "region": "us", "as_of": str(AS_OF)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    program_id = done.headers["location"].rsplit("/", 1)[1]
    with make_sessionmaker(demo_store.engine)() as session:
        program = session.get(Program, program_id)
        assert program is not None
        from bioparity.market import load_knowledge_base

        record = next(r for r in load_knowledge_base().records if r.inn == inn)
        assert program.org_id == org_id
        assert program.inn == inn
        assert program.reference_product == record.value("originator_brand")
        assert program.modality == record.value("modality")
        assert program.target_regions == ["FDA"]  # the code of the US rule set
        assert "rank 1 in US" in program.description
        # the stored record names the date of the data the rank came from (the knowledge base's
        # review date, read from the YAML file itself), not only the scan year
        assert f"last reviewed {_kb_reviewed()}; timing measured from {AS_OF}" in program.description
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.object_id == program_id, AuditEvent.action == "create")
        )
        assert event is not None and event.object_type == "program" and event.actor == "sam"
        assert event.after_json is not None and json.loads(event.after_json)["inn"] == inn
    assert verify_trail(demo_store.engine).intact
    dashboard = client.get(done.headers["location"])
    assert dashboard.status_code == 200 and inn in dashboard.text
    again = client.post(
        "/ui/market/programs", data={"org_id": org_id, "inn": inn, "region": "us"}, follow_redirects=False
    )
    assert again.status_code == 409  # the same row twice: the name is taken, nothing created


@pytest.mark.parametrize(
    ("username", "org", "status"),
    [("victor", PARTNER, 403), ("victor", DEVELOPER, 404), ("ana", DEVELOPER, 403), ("rita", DEVELOPER, 403)],
)
def test_roles_without_create_program_are_refused(
    demo_store: DemoStore, username: str, org: str, status: int
) -> None:
    client = _client(demo_store, username)
    org_id = _org_id(demo_store, org)
    with make_sessionmaker(demo_store.engine)() as session:
        before = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    refused = client.post(
        "/ui/market/programs",
        data={"org_id": org_id, "inn": "adalimumab", "region": "eu"},
        follow_redirects=False,
    )
    assert refused.status_code == status
    with make_sessionmaker(demo_store.engine)() as session:
        after = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
        assert after == before
        assert session.scalar(select(Program.id).where(Program.name == "adalimumab biosimilar (EU)")) is None


@pytest.mark.parametrize(
    "data",
    [{"inn": "notamab", "region": "eu"}, {"inn": "adalimumab", "region": "jp"}],
)
def test_bad_rows_are_refused(demo_store: DemoStore, data: dict[str, str]) -> None:
    client = _client(demo_store, "olivia")
    refused = client.post("/ui/market/programs", data={"org_id": _org_id(demo_store, DEVELOPER), **data})
    assert refused.status_code == 422 and "Invalid input" in refused.text


def test_bad_region_filter_is_an_error_page(demo_store: DemoStore) -> None:
    page = _client(demo_store, "olivia").get("/ui/market", params={"region": "jp"})
    assert page.status_code == 422 and "unknown region" in page.text


def test_page_states_the_date_of_its_data(demo_store: DemoStore) -> None:
    # "as of 2026" alone reads as a data date; the page names the knowledge base's last review
    # (read here from the YAML file itself) and says the year is where timing is measured from.
    reviewed = _kb_reviewed()
    page = _client(demo_store, "rita").get("/ui/market", params={"as_of": AS_OF}).text
    assert f"last reviewed {reviewed}" in page
    assert f"timing measured from {AS_OF}" in page


def test_page_states_the_count_unit_and_flags_the_old_counts_of_the_csv(
    demo_store: DemoStore, tmp_path: Path
) -> None:
    # One implementation: the rows the command flags in stale_facts are the rows the page flags, and
    # the page says the unit of its counts as the command does.
    out = tmp_path / "eu.csv"
    CliRunner().invoke(cli, ["market", "scan", "--region", "eu", "--as-of", str(AS_OF), "--out", str(out)])
    table = pd.read_csv(out, keep_default_na=False)
    flagged = table[table["stale_facts"] != ""]
    assert not flagged.empty  # the shipped knowledge base has counts older than 12 months
    page = _client(demo_store, "sam").get("/ui/market", params={"region": "eu", "as_of": AS_OF}).text
    assert "Approved and in development count biosimilar products: one per developer" in page
    assert page.count('class="flag stale"') == len(flagged)
    first = flagged.iloc[0]
    row = page.split(f'<tr data-key="{first["inn"]}|eu">')[1].split("</tr>")[0]
    assert f'<span class="flag stale">{first["stale_facts"]}</span>' in row


def test_the_zh_cn_page_says_the_unit_and_the_old_counts_in_words(demo_store: DemoStore) -> None:
    # The new words (count unit, stale flags) are note templates with zh-CN entries: no English on the page.
    from tests.web.chinese_user import PASSWORD as ZH_PASSWORD
    from tests.web.chinese_user import USERNAME as ZH_USER
    from tests.web.chinese_user import ensure_chinese_user

    ensure_chinese_user(demo_store.engine)
    client = FormClient(create_app(engine=demo_store.engine))
    assert client.post("/ui/login", data={"username": ZH_USER, "password": ZH_PASSWORD}).status_code == 200
    page = client.get("/ui/market", params={"region": "eu", "as_of": AS_OF}).text
    client.close()
    assert "生物类似药产品：每个研发企业的一个分子计为一个" in page
    flag = r'<span class="flag stale">(已批准生物类似药|在研项目)数据截至 \d{4}-\d{2}-\d{2}：已有 \d+ 个月'
    assert re.search(flag, page)
    assert not re.search(r"one per developer|months old|Approved and in development count", page)
    assert "欧盟时间：法规数据保护期自欧盟首次批准起算" in page and "EU timing" not in page


def test_page_says_eu_timing_needs_the_ema_report_and_flags_one_markets_sales(demo_store: DemoStore) -> None:
    # The page reads no EMA report and the shipped knowledge base holds no first EU authorisation: the page
    # says so, and what dates it; aflibercept's market size rests on US sales only (flagged as the CSV does).
    page = _client(demo_store, "sam").get("/ui/market", params={"as_of": AS_OF}).text
    assert (
        "EU timing: the first EU authorisation, from which the regulatory data protection runs, is unknown"
        in page
    )
    assert "for 80 of 80 molecules" in page and "<code>bioparity market scan --ema FILE</code>" in page
    assert page.count('class="flag sales-scope"') == 2  # aflibercept, EU and US rows
    row = page.split('<tr data-key="aflibercept|eu">')[1].split("</tr>")[0]
    assert '<span class="flag sales-scope">US sales only: scored as a lower bound' in row
    us_only = _client(demo_store, "sam").get("/ui/market", params={"region": "us", "as_of": AS_OF}).text
    assert "EU timing" not in us_only
