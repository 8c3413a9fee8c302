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


def test_the_shipped_file_is_valid_and_has_at_least_80_records() -> None:
    assert validate_knowledge_base(RAW) == []
    kb = load_knowledge_base()
    assert len(kb.records) >= 80
    assert kb.reviewed == "2026-12-08"


def test_no_duplicate_inn() -> None:
    inns = [" ".join(r["inn"].split()).casefold() for r in RAW["records"]]
    assert len(inns) == len(set(inns))


def test_every_known_fact_has_a_source_with_url_and_the_date_it_refers_to() -> None:
    for record in RAW["records"]:
        for name in FACTS:
            fact = record[name]
            checked = dt.date.fromisoformat(str(fact["checked"]))
            assert checked <= dt.date.fromisoformat(str(RAW["reviewed"])), (record["inn"], name)
            if fact["value"] != UNKNOWN:
                source = RAW["sources"][fact["source"]]
                assert re.match(r"https?://", source["url"]), (record["inn"], name)
                assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", str(fact["as_of"])), (record["inn"], name)
                # a fact cannot refer to a date after its source was published
                assert str(fact["as_of"]) <= str(source["date"]) + "-99", (record["inn"], name)


def test_weak_sources_are_gone() -> None:
    publishers = {s["publisher"] for s in RAW["sources"].values()}
    assert "OMICS International" not in publishers  # open-access predatory publisher
    assert not any("Wikipedia" in p for p in publishers)  # non-English wiki
    assert not any(r["inn"] == "palivizumab" for r in RAW["records"])  # only source was OMICS


def test_protection_dates_are_separate_fields_and_loe_is_derived() -> None:
    for record in RAW["records"]:
        assert "us_loe_year" not in record and "eu_loe_year" not in record
    kb = load_knowledge_base()
    infliximab = next(r for r in kb.records if r.inn == "infliximab")
    assert infliximab.value("us_first_biosimilar_launch") == 2016  # Inflectra marketed November 2016
    loe = infliximab.facts["us_loe_year"]
    assert loe.value == 2016 and loe.basis.startswith("first biosimilar launch")
    etanercept = next(r for r in kb.records if r.inn == "etanercept")
    assert etanercept.value("us_patent_expiry") == 2028
    assert etanercept.facts["us_loe_year"].basis.startswith("latest known protection date")


# Spot checks of the stale counts the 2026 review found (each list dated by its source):
US_COUNTS = [
    ("etanercept", 2, "2020-03-01"),  # Erelzi, Eticovo (JAMA Intern Med 2020 table)
    ("infliximab", 4, "2024-03-05"),  # Inflectra, Renflexis, Ixifi, Avsola
    ("rituximab", 3, "2024-03-05"),  # Truxima, Ruxience, Riabni
    ("bevacizumab", 6, "2025-04-17"),  # ... Jobevne, 9 April 2025 (Drugs.com)
    ("filgrastim", 4, "2024-12"),  # Zarxio, Nivestym, Releuko, Nypozi (FDA list)
    ("pegfilgrastim", 6, "2024-03-05"),
    ("ustekinumab", 8, "2025-05-22"),  # incl. Steqeyma (FDA, December 2024) and Starjemza
    ("aflibercept", 5, "2024-12"),  # incl. Pavblu (FDA, August 2024)
    ("insulin glargine", 2, "2024-03-05"),  # Semglee, Rezvoglar
    ("denosumab", 9, "2026-01-05"),  # one entry per Prolia/Xgeva pair
]


@pytest.mark.parametrize(("inn", "count", "as_of"), US_COUNTS)
def test_corrected_us_counts_with_their_dates(inn: str, count: int, as_of: str) -> None:
    record = next(r for r in RAW["records"] if r["inn"] == inn)
    fact = record["us_biosimilars_approved"]
    assert (len(fact["value"]), fact["as_of"]) == (count, as_of)


# EU lists re-reviewed 2026-12-07 against published lists of European Commission approvals (each dated by
# its source): tocilizumab gained Celltrion's Avtozma (EMEA/H/C/006196, authorised 14 February 2025;
# Pearce IP, 4 December 2025), the 2024-06-24 list had Tyenne and Tofidence only; the other EU lists were
# found right for their dates (denosumab: 12 holders' Prolia/Xgeva pairs, Pearce IP December 2025;
# eculizumab: Bekemv, Epysqli; insulin glargine: Abasaglar, Semglee, still authorised per its EMA page).
EU_COUNTS = [
    ("tocilizumab", ["Tyenne", "Tofidence", "Avtozma"], "2025-12-04"),
    ("denosumab", 12, "2025-12"),
    ("eculizumab", ["Bekemv", "Epysqli"], "2025-03-05"),
    ("insulin glargine", ["Abasaglar", "Semglee"], "2022-07-11"),
]


@pytest.mark.parametrize(("inn", "expected", "as_of"), EU_COUNTS)
def test_eu_counts_with_their_dates(inn: str, expected: list[str] | int, as_of: str) -> None:
    record = next(r for r in RAW["records"] if r["inn"] == inn)
    fact = record["eu_biosimilars_approved"]
    value = fact["value"] if isinstance(expected, list) else len(fact["value"])
    assert (value, str(fact["as_of"])) == (expected, as_of)


def test_us_tocilizumab_list_has_the_third_approval() -> None:
    # Pearce IP, 4 December 2025: Tofidence (September 2023), Tyenne (March 2024), Avtozma (January 2025)
    record = next(r for r in RAW["records"] if r["inn"] == "tocilizumab")
    fact = record["us_biosimilars_approved"]
    assert (fact["value"], fact["as_of"]) == (["Tofidence", "Tyenne", "Avtozma"], "2025-12-04")


# Refreshed 2026-12-08 from stored Pearce IP BioBlast pages (each dated by its source):
# ustekinumab EU, 26 August 2025 (Usymro the latest; one entry per developer's product);
# natalizumab US, 17 November 2025 (Tyruko the only US approval; launched in the US in November 2025);
# pembrolizumab US, 10 February 2026 (no US BLA filed yet: Zydus hoped to be the first to file).
REFRESHED = [
    ("ustekinumab", "eu", ["Uzpruvo", "Pyzchiva/Eksunbi", "Wezenla", "Steqeyma", "Otulfi/Fymskina",
                           "Imuldosa/Absimky", "Yesintek", "Usymro"], "2025-08-26"),
    ("natalizumab", "us", ["Tyruko"], "2025-11-17"),
    ("pembrolizumab", "us", [], "2026-02-10"),
]  # fmt: skip


@pytest.mark.parametrize(("inn", "region", "expected", "as_of"), REFRESHED)
def test_lists_refreshed_on_2026_12_08(inn: str, region: str, expected: list[str], as_of: str) -> None:
    record = next(r for r in RAW["records"] if r["inn"] == inn)
    fact = record[f"{region}_biosimilars_approved"]
    assert (fact["value"], fact["as_of"], fact["checked"]) == (expected, as_of, "2026-12-08")


def test_first_launches_refreshed_on_2026_12_08() -> None:
    kb = {r.inn: r for r in load_knowledge_base().records}
    assert kb["ustekinumab"].value("eu_first_biosimilar_launch") == 2024  # Uzpruvo, Pyzchiva: July 2024
    assert kb["natalizumab"].value("us_first_biosimilar_launch") == 2025  # Tyruko: November 2025


def test_denosumab_brands_are_not_counted_twice() -> None:
    record = next(r for r in RAW["records"] if r["inn"] == "denosumab")
    for region in ("us", "eu"):
        assert all("/" in entry for entry in record[f"{region}_biosimilars_approved"]["value"])


def test_the_void_molecules_polyclonals_and_adcs_are_listed() -> None:
    inns = {r["inn"] for r in RAW["records"]}
    assert {"durvalumab", "panitumumab", "mepolizumab", "evolocumab", "ravulizumab",
            "trastuzumab deruxtecan"} <= inns  # fmt: skip
    modalities = [r["modality"]["value"] for r in RAW["records"]]
    assert modalities.count("polyclonal") >= 4 and modalities.count("ADC") >= 8


def test_every_record_has_a_sourced_brand_and_modality() -> None:
    for record in RAW["records"]:
        assert record["originator_brand"]["value"] != UNKNOWN
        assert record["modality"]["value"] in MODALITIES
        assert record["modality"]["source"] in RAW["sources"]


def test_sources_carry_title_publisher_url_and_date() -> None:
    for sid, src in RAW["sources"].items():
        assert re.match(r"https?://", src["url"]), sid
        assert src["title"] and src["publisher"] and src["date"], sid


def test_protection_years_say_what_they_are() -> None:
    for record in RAW["records"]:
        for name in [n for n, kind in FACTS.items() if kind == "year"]:
            if record[name]["value"] != UNKNOWN:
                assert record[name]["basis"].strip(), (record["inn"], name)


def _mutated(tmp_path: Path, change: str) -> Path:
    raw = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    first = raw["records"][0]
    if change == "no source":
        del first["us_biosimilars_approved"]["source"]
    elif change == "no as_of":
        del first["us_biosimilars_approved"]["as_of"]
    elif change == "no date":
        del first["modality"]["checked"]
    elif change == "duplicate":
        raw["records"].append(dict(first))
    elif change == "bad source":
        first["originator_brand"]["source"] = "nowhere"
    elif change == "invented year without basis":
        first["eu_patent_expiry"] = {
            "value": 2031, "source": first["modality"]["source"], "checked": "2026-11-25", "as_of": "2025",
        }  # fmt: skip
    path = tmp_path / "kb.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("no source", "us_biosimilars_approved: has a value but no source"),
        ("no as_of", "us_biosimilars_approved: as_of None is not the date the fact refers to"),
        ("no date", "modality: checked date None is not an ISO date"),
        ("duplicate", "duplicate INN"),
        ("bad source", "source 'nowhere' is not in the sources table"),
        ("invented year without basis", "a year needs a basis"),
    ],
)
def test_schema_violations_are_reported(tmp_path: Path, change: str, message: str) -> None:
    with pytest.raises(DataFileError, match=re.escape(message)):
        load_knowledge_base(_mutated(tmp_path, change))


def test_pembrolizumab_sales_come_from_mercks_filing() -> None:
    """Re-review of 2026-12-07: Keytruda worldwide sales 2025, USD 31.7 billion (Merck's full-year 2025
    results, Form 8-K of 3 February 2026), replacing a trade-press figure for 2023."""
    fact = next(r for r in RAW["records"] if r["inn"] == "pembrolizumab")["originator_sales"]
    assert fact["value"] == {"usd_million": 31700, "year": 2025, "scope": "worldwide"}
    source = RAW["sources"][fact["source"]]
    assert source["url"].startswith("https://www.sec.gov/Archives/edgar/data/310158/")
    assert str(source["date"]) == "2026-02-03" == str(fact["as_of"])


def test_every_sales_figure_says_its_scope_as_its_basis_does() -> None:
    """The scope field agrees with the words of the source's basis: worldwide/global, or US only."""
    scopes = {}
    for record in RAW["records"]:
        fact = record["originator_sales"]
        if fact["value"] == UNKNOWN:
            continue
        basis = fact["basis"].casefold()
        scope = fact["value"]["scope"]
        scopes[record["inn"]] = scope
        if scope == "worldwide":
            assert "global" in basis or "worldwide" in basis, record["inn"]
        else:
            assert scope == "us" and "us net sales only" in basis, record["inn"]
    assert scopes["aflibercept"] == "us" and list(scopes.values()).count("us") == 1


@pytest.mark.parametrize("value", [{"usd_million": 5720, "year": 2023}, {"usd_million": 5720, "year": 2023,
                                                                          "scope": "global"}])  # fmt: skip
def test_a_sales_figure_without_a_known_scope_is_refused(tmp_path: Path, value: dict[str, object]) -> None:
    """A figure whose scope is not said would be scored beside worldwide figures unnoticed."""
    raw = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    record = next(r for r in raw["records"] if r["inn"] == "aflibercept")
    record["originator_sales"]["value"] = value
    path = tmp_path / "kb.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(DataFileError, match=re.escape("scope: worldwide | us | eu | ex-us")):
        load_knowledge_base(path)
