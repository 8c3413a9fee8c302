"""The command-line contract of ``bioparity market scan`` and ``market fetch-trials``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from bioparity.cli.main import app
from tests.market.conftest import CTGOV, PURPLE_BOOK, write_ema_workbook

runner = CliRunner()


def test_market_help() -> None:
    for args in (["market", "--help"], ["market", "scan", "--help"], ["market", "fetch-trials", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "Usage" in result.stdout


def test_scan_writes_ranking_provenance_and_chart(tmp_path: Path) -> None:
    ema = write_ema_workbook(tmp_path / "medicines.xlsx")
    out, chart = tmp_path / "ranking.csv", tmp_path / "void.png"
    args = ["market", "scan", "--purple-book", str(PURPLE_BOOK), "--ema", str(ema), "--trials", str(CTGOV),
            "--region", "eu,us", "--out", str(out), "--chart", str(chart), "--on", "2026-05-31"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    table = pd.read_csv(out)
    assert {
        "rank",
        "inn",
        "region",
        "protection_end_year",
        "approved_biosimilars",
        "void_score",
        "coverage",
    } <= set(table.columns)
    assert set(table["region"]) == {"eu", "us"}
    assert (table["as_of_year"] == 2026).all()
    ust = table[(table["inn"] == "ustekinumab") & (table["region"] == "us")].iloc[0]
    # Bio-Thera holds a licensed ustekinumab (Starjemza) in the Purple Book fixture: counted as approved,
    # not again in development (bioparity.market.pipeline); Alvotech and Dong-A remain.
    assert ust["approved_biosimilars"] == 2 and ust["biosimilars_in_development"] == 2
    provenance = json.loads((tmp_path / "ranking.csv.provenance.json").read_text())
    assert set(provenance["inputs"]) == {"knowledge_base", "purple_book", "ema", "trials"}
    assert provenance["options"]["regions"] == ["eu", "us"]
    assert chart.read_bytes()[:4] == b"\x89PNG"
    # Same inputs, same ranking file.
    again = tmp_path / "again.csv"
    assert runner.invoke(app, [*args[:-6], "--out", str(again), "--on", "2026-05-31"]).exit_code == 0
    assert again.read_bytes() == out.read_bytes()


def test_scan_with_the_knowledge_base_only_and_custom_weights(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    result = runner.invoke(
        app,
        ["market", "scan", "--region", "us", "--out", str(out), "--as-of", "2026", "--weights", "timing=1"],
    )
    assert result.exit_code == 0, result.stderr
    assert set(pd.read_csv(out)["region"]) == {"us"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--region", "jp"], "unknown region"),
        (["--weights", "speed=2"], "bad weight"),
        (["--purple-book", "/nonexistent.csv"], "file not found"),
        (["--as-of", "26"], "as_of_year 26 is not a calendar year"),
    ],
)
def test_bad_input_fails_with_exit_2_and_writes_nothing(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["market", "scan", "--out", str(out), *extra])
    assert result.exit_code == 2 and message in result.stderr
    assert not out.exists()


def test_a_changed_purple_book_layout_lists_the_columns_found(tmp_path: Path) -> None:
    bad = tmp_path / "pb.csv"
    bad.write_text("Title\n\nN/R/U,Applicant,BLA Number\n,X,1\n", encoding="utf-8")
    result = runner.invoke(
        app, ["market", "scan", "--purple-book", str(bad), "--out", str(tmp_path / "r.csv")]
    )
    assert result.exit_code == 2
    assert "columns found: 'N/R/U', 'Applicant', 'BLA Number'" in result.stderr


def test_fetch_trials_offline_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.error

    from bioparity.market import trials

    def offline(url: str, timeout: float) -> bytes:
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(trials, "_urlopen", offline)
    result = runner.invoke(app, ["market", "fetch-trials", "ustekinumab", "--out", str(tmp_path / "ct")])
    assert result.exit_code == 2
    assert "cannot reach ClinicalTrials.gov" in result.stderr and "--trials" in result.stderr


def test_scan_prints_and_records_the_date_of_its_data(tmp_path: Path) -> None:
    # The review date of the shipped knowledge base, read from the YAML file itself, and the Purple
    # Book's title line (its month) are printed under the table and kept in the provenance.
    kb_file = Path(__file__).parents[2] / "src/bioparity/market/data/reference_biologics.yaml"
    reviewed = str(yaml.safe_load(kb_file.read_text(encoding="utf-8"))["reviewed"])
    title = "Purple Book Monthly Historical Data Changes Report - June 2025"
    out = tmp_path / "r.csv"
    args = ["market", "scan", "--purple-book", str(PURPLE_BOOK), "--out", str(out), "--as-of", "2026"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert f"knowledge base last reviewed {reviewed}" in result.stderr
    assert f"Purple Book: {title}" in result.stderr
    provenance = json.loads((tmp_path / "r.csv.provenance.json").read_text())
    assert provenance["data"]["knowledge_base_reviewed"] == reviewed
    assert provenance["data"]["purple_book_title"] == title
    assert (pd.read_csv(out)["knowledge_base_reviewed"] == reviewed).all()


def test_scan_names_the_molecules_it_did_not_rank(tmp_path: Path) -> None:
    # The Purple Book fixture holds "hepatitis b vaccine (recombinant)", which the shipped knowledge
    # base does not list: the command says so instead of dropping it silently.
    out = tmp_path / "r.csv"
    args = ["market", "scan", "--purple-book", str(PURPLE_BOOK), "--out", str(out), "--as-of", "2026"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "1 molecule of the given files is not in the knowledge base" in result.stderr
    assert "hepatitis b vaccine (recombinant)" in result.stderr
    provenance = json.loads((tmp_path / "r.csv.provenance.json").read_text())
    assert provenance["data"]["not_ranked"] == ["hepatitis b vaccine (recombinant)"]


def test_scan_says_how_many_rows_rest_mostly_on_unknowns(tmp_path: Path) -> None:
    # Unknown inputs score 0, so rows of low coverage are ranked among the others; the command
    # counts them (rows with coverage < 0.5, counted here from the CSV it wrote).
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["market", "scan", "--out", str(out), "--as-of", "2026"])
    assert result.exit_code == 0, result.stderr
    table = pd.read_csv(out)
    low = int((table["coverage"] < 0.5).sum())
    assert 0 < low < len(table)
    said = " ".join(result.stderr.split())  # rich/typer may wrap
    assert f"{low} of {len(table)} rows have coverage below 0.5" in said


def test_scan_states_the_count_unit_and_flags_old_counts(tmp_path: Path) -> None:
    # The June 2025 Purple Book is more than 12 months old on any day from July 2026 on: each US row
    # that counts from it is flagged in the CSV and the command says how many, never silently.
    out = tmp_path / "r.csv"
    args = ["market", "scan", "--purple-book", str(PURPLE_BOOK), "--region", "us", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stderr.split())
    assert "Counts: biosimilar products: one per developer's molecule" in said
    assert "each count's own date is in the columns approved_as_of and development_as_of" in said
    table = pd.read_csv(out, keep_default_na=False)
    assert (table["approved_as_of"] == "2025-06-30 (title line month)").all()
    stale = int((table["stale_facts"] != "").sum())
    assert stale == len(table)
    assert f"warning: {stale} rows use a count older than 12 months (column stale_facts)" in said
    provenance = json.loads((tmp_path / "r.csv.provenance.json").read_text())
    assert provenance["data"]["scan_date"] == date.today().isoformat()


def test_scan_says_when_eu_timing_needs_the_ema_report(tmp_path: Path) -> None:
    # The shipped knowledge base has no first EU authorisation (no date is guessed), so no EU row has a
    # data protection end unless the EMA report is given: the command says so for every such row, not only
    # for the rows without any end (a patent year alone used to pass unremarked), and what to give.
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["market", "scan", "--region", "eu", "--out", str(out), "--as-of", "2026"])
    assert result.exit_code == 0, result.stderr
    eu = pd.read_csv(out)
    assert eu["exclusivity_end_year"].isna().all()
    none = int(eu["protection_end_year"].isna().sum())
    said = " ".join(result.stderr.split())
    assert "EU timing needs --ema FILE: the first EU authorisation" in said
    assert f"is unknown for {len(eu)} of {len(eu)} molecules" in said and f"{none} have none at all" in said
    ema = write_ema_workbook(tmp_path / "medicines.xlsx")
    args = ["market", "scan", "--region", "eu", "--ema", str(ema), "--out", str(tmp_path / "e.csv"),
            "--as-of", "2026"]  # fmt: skip
    with_ema = runner.invoke(app, args)
    assert with_ema.exit_code == 0 and "--ema FILE" not in with_ema.stderr
    dated = pd.read_csv(tmp_path / "e.csv").set_index("inn")["exclusivity_end_year"]
    # the fixture dates Humira (2003), Stelara (2009), Prolia (2010) and Keytruda (2015): + 10 years
    assert dated.dropna().to_dict() == {"adalimumab": 2013, "ustekinumab": 2019, "denosumab": 2020,
                                        "pembrolizumab": 2025}  # fmt: skip
    said = " ".join(with_ema.stderr.split())
    assert f"EU: {len(dated) - 4} of {len(dated)} molecules have no first authorisation in the EMA" in said


def test_scan_flags_the_molecules_scored_on_one_markets_sales(tmp_path: Path) -> None:
    # The market size is scored on worldwide sales; the shipped aflibercept figure is Regeneron's US net
    # sales only: flagged in the CSV (both regions) and under the table, its score unchanged.
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["market", "scan", "--out", str(out), "--as-of", "2026"])
    assert result.exit_code == 0, result.stderr
    table = pd.read_csv(out, keep_default_na=False)
    flagged = table[table["sales_scope_flag"] != ""]
    assert sorted(flagged["inn"]) == ["aflibercept", "aflibercept"]
    said = " ".join(result.stderr.split())
    assert (
        "warning: 1 molecule's market size is scored on one market's sales, a lower bound of the worldwide "
        "sales the others are scored on (column sales_scope_flag): aflibercept (US)"
    ) in said


def test_scan_on_a_past_date_records_it(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    args = ["market", "scan", "--trials", str(CTGOV), "--out", str(out), "--on", "2025-06-30",
            "--completed-window", "2"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "Scan date: 2025-06-30 (fact ages and the 2-year window" in result.stderr
    provenance = json.loads((tmp_path / "r.csv.provenance.json").read_text())
    assert provenance["data"]["scan_date"] == "2025-06-30"
    assert provenance["options"]["on"] == "2025-06-30"
    assert provenance["options"]["completed_window_years"] == 2
    assert provenance["options"]["as_of_year"] == 2025  # the year of --on
    assert (pd.read_csv(out)["as_of_year"] == 2025).all()


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--on", "30/06/2025"], "--on '30/06/2025' is not a date (write YYYY-MM-DD"),
        (["--on", "2025-06-30", "--as-of", "2026"], "--on 2025-06-30 is in 2025 but --as-of is 2026"),
    ],
)
def test_a_bad_scan_date_fails_before_writing(tmp_path: Path, extra: list[str], said: str) -> None:
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["market", "scan", "--out", str(out), *extra])
    assert result.exit_code == 2 and said in result.stderr
    assert not out.exists()


def test_scan_names_the_molecules_scored_on_old_sales(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    result = runner.invoke(app, ["market", "scan", "--out", str(out), "--on", "2026-12-07"])
    assert result.exit_code == 0, result.stderr
    table = pd.read_csv(out, keep_default_na=False)
    old = sorted(set(table.loc[table["sales_stale"] != "", "inn"]))
    assert "bevacizumab" in old and "pembrolizumab" not in old
    said = f"warning: {len(old)} molecules are scored on a sales figure older than 12 months"
    said += " (column sales_stale)"
    assert said + ": " + ", ".join(old) in result.stderr
