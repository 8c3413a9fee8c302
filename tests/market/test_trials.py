"""Saved ClinicalTrials.gov API v2 pages, and the live fetch (never online in tests)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
from pathlib import Path

import pytest

from bioparity.errors import BioparityWarning, DataFileError
from bioparity.market import NetworkUnavailableError, fetch_trials, read_trials
from tests.market.conftest import CTGOV


def test_pages_are_merged_and_deduplicated() -> None:
    trials = read_trials(CTGOV)
    assert trials.pages == 4 and trials.final_pages == 3
    expected = [f"NCT9000000{i}" for i in range(1, 6)] + ["NCT90000011", "NCT90000012"]
    assert list(trials.studies["nct_id"]) == expected
    first = trials.studies.iloc[0]
    assert first["status"] == "RECRUITING" and first["sponsor"] == "Alvotech Swiss AG"
    assert first["phases"] == "PHASE3" and first["interventions"] == "AVT04;Stelara"


def test_mentioning_matches_whole_words_in_titles_and_interventions() -> None:
    trials = read_trials(CTGOV)
    assert set(trials.mentioning(["ustekinumab", "stelara"])["nct_id"]) == {
        "NCT90000001", "NCT90000002", "NCT90000003", "NCT90000004", "NCT90000005",
    }  # fmt: skip
    assert set(trials.mentioning(["denosumab"])["nct_id"]) == {"NCT90000011", "NCT90000012"}
    assert trials.mentioning(["ustek"]).empty


def test_a_single_page_file_is_accepted() -> None:
    trials = read_trials(CTGOV / "denosumab-page-001.json")
    assert trials.pages == 1 and len(trials.studies) == 2


def test_a_set_without_final_page_warns(tmp_path: Path) -> None:
    (tmp_path / "p1.json").write_text((CTGOV / "ustekinumab-page-001.json").read_text())
    with pytest.warns(BioparityWarning, match="later pages are missing"):
        read_trials(tmp_path)


def test_not_a_studies_page(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text(json.dumps({"totalCount": 3}))
    with pytest.raises(
        DataFileError, match=r"not a ClinicalTrials.gov API v2 studies page \(found: totalCount\)"
    ):
        read_trials(tmp_path)


def test_a_study_without_nct_number(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text(json.dumps({"studies": [{"protocolSection": {}}]}))
    with pytest.raises(DataFileError, match="study 1 has no valid"):
        read_trials(tmp_path)


def test_offline_fetch_fails_with_a_clear_message(tmp_path: Path) -> None:
    def offline(url: str, timeout: float) -> bytes:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    with pytest.raises(NetworkUnavailableError) as info:
        fetch_trials("ustekinumab", tmp_path, opener=offline)
    message = str(info.value)
    assert "cannot reach ClinicalTrials.gov" in message and "offline" in message
    assert "--trials" in message and "query.intr=ustekinumab" in message
    assert not list(tmp_path.iterdir())


def test_fetch_follows_next_page_tokens_and_saves_readable_pages(tmp_path: Path) -> None:
    pages = {
        None: json.loads((CTGOV / "ustekinumab-page-001.json").read_text()),
        "NF0g5JGBlPY": json.loads((CTGOV / "ustekinumab-page-002.json").read_text()),
    }
    asked: list[dict[str, list[str]]] = []

    def server(url: str, timeout: float) -> bytes:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        asked.append(query)
        return json.dumps(pages[query.get("pageToken", [None])[0]]).encode()

    saved = fetch_trials("ustekinumab", tmp_path, opener=server)
    assert [p.name for p in saved] == ["ustekinumab-page-001.json", "ustekinumab-page-002.json"]
    assert asked[0]["query.intr"] == ["ustekinumab"] and asked[0]["query.term"] == ["biosimilar"]
    assert asked[1]["pageToken"] == ["NF0g5JGBlPY"]
    assert len(read_trials(tmp_path).studies) == 5
