"""The shipped knowledge base against its schema: every fact sourced and dated, no duplicate INN."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from bioparity.errors import DataFileError
from bioparity.market import MODALITIES, UNKNOWN, load_knowledge_base, validate_knowledge_base
from bioparity.market.knowledge import FACTS, default_path

RAW = yaml.safe_load(default_path().read_text(encoding="utf-8"))


def test_the_shipped_file_is_valid_and_has_at_least_50_records() -> None:
    assert validate_knowledge_base(RAW) == []
    kb = load_knowledge_base()
    assert len(kb.records) >= 50


def test_no_duplicate_inn() -> None:
    inns = [" ".join(r["inn"].split()).casefold() for r in RAW["records"]]
    assert len(inns) == len(set(inns))


def test_every_fact_has_a_check_date_and_every_known_fact_a_listed_source() -> None:
    for record in RAW["records"]:
        for name in FACTS:
            fact = record[name]
            assert dt.date.fromisoformat(str(fact["checked"])) <= dt.date(2026, 11, 25), (record["inn"], name)
            if fact["value"] != UNKNOWN:
                assert fact["source"] in RAW["sources"], (record["inn"], name)


def test_every_record_has_a_sourced_brand_and_modality() -> None:
    for record in RAW["records"]:
        assert record["originator_brand"]["value"] != UNKNOWN
        assert record["modality"]["value"] in MODALITIES
        assert record["modality"]["source"] in RAW["sources"]


def test_sources_carry_title_publisher_url_and_date() -> None:
    for sid, src in RAW["sources"].items():
        assert re.match(r"https?://", src["url"]), sid
        assert src["title"] and src["publisher"] and src["date"], sid


def test_loe_years_say_what_they_are() -> None:
    for record in RAW["records"]:
        for name in ("us_loe_year", "eu_loe_year"):
            if record[name]["value"] != UNKNOWN:
                assert record[name]["basis"].strip(), (record["inn"], name)


def _mutated(tmp_path: Path, change: str) -> Path:
    raw = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    first = raw["records"][0]
    if change == "no source":
        del first["us_loe_year"]["source"]
    elif change == "no date":
        del first["modality"]["checked"]
    elif change == "duplicate":
        raw["records"].append(dict(first))
    elif change == "bad source":
        first["originator_brand"]["source"] = "nowhere"
    elif change == "invented year without basis":
        first["eu_loe_year"] = {"value": 2031, "source": first["modality"]["source"], "checked": "2026-11-25"}
    path = tmp_path / "kb.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("no source", "us_loe_year: has a value but no source"),
        ("no date", "modality: checked date None is not an ISO date"),
        ("duplicate", "duplicate INN"),
        ("bad source", "source 'nowhere' is not in the sources table"),
        ("invented year without basis", "a year needs a basis"),
    ],
)
def test_schema_violations_are_reported(tmp_path: Path, change: str, message: str) -> None:
    with pytest.raises(DataFileError, match=re.escape(message)):
        load_knowledge_base(_mutated(tmp_path, change))
