"""Which ClinicalTrials.gov studies count as biosimilar programmes in development (the rule of
bioparity.market.pipeline), on hand-made API v2 pages whose expected counts are worked out by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bioparity.errors import DataFileError, InputError
from bioparity.market import (
    load_knowledge_base,
    read_ema_medicines,
    read_purple_book,
    read_trials,
    scan_market,
)
from bioparity.market.pipeline import same_company
from tests.market.conftest import EMA_ROWS, PURPLE_BOOK, write_ema_workbook
from tests.market.test_scan import MINI_KB, _record

TODAY = date(2026, 12, 7)


def _study(
    nct: str,
    title: str,
    status: str,
    sponsor: str,
    klass: str | None,
    phases: list[str],
    interventions: list[str],
    completion: str = "",
) -> dict[str, Any]:
    """One study as /api/v2/studies returns it (the modules and fields the scan reads, same nesting)."""
    lead: dict[str, str] = {"name": sponsor}
    if klass is not None:
        lead["class"] = klass
    status_module: dict[str, Any] = {
        "overallStatus": status,
        "startDateStruct": {"date": "2023-03", "type": "ACTUAL"},
        "lastUpdatePostDateStruct": {"date": "2026-10-01", "type": "ACTUAL"},
    }
    if completion:
        status_module["completionDateStruct"] = {"date": completion, "type": "ACTUAL"}
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct, "briefTitle": title, "orgStudyIdInfo": {"id": nct[-4:]}},
            "statusModule": status_module,
            "sponsorCollaboratorsModule": {"leadSponsor": lead},
            "conditionsModule": {"conditions": ["Postmenopausal Osteoporosis"]},
            "designModule": {"studyType": "INTERVENTIONAL", "phases": phases},
            "armsInterventionsModule": {
                "interventions": [{"type": "BIOLOGICAL", "name": n} for n in interventions]
            },
        },
        "hasResults": False,
    }


STUDIES = [
    # counted: a biosimilar developer's ongoing phase 3 naming the brand only
    _study("NCT91000001", "HLX14 Versus Prolia", "RECRUITING", "Shanghai Henlius Biotech", "INDUSTRY",
           ["PHASE3"], ["HLX14", "Prolia"]),
    # counted: completed 2025-10 (14 months before TODAY, inside 3 years), product under review
    _study("NCT91000002", "Pharmacokinetics of EB1001 and Xgeva", "COMPLETED", "Example Bio Co., Ltd.",
           "INDUSTRY", ["PHASE1"], ["EB1001", "Xgeva"], completion="2025-10"),
    # left out: the originator's own study (Amgen Inc. is the KB originator company "Amgen")
    _study("NCT91000003", "Denosumab in Giant Cell Tumour", "RECRUITING", "Amgen Inc.", "INDUSTRY",
           ["PHASE3"], ["Denosumab"]),
    # left out: an investigator's study (university hospital, class OTHER)
    _study("NCT91000004", "Denosumab After Hip Fracture", "RECRUITING", "University Hospital Basel", "OTHER",
           ["PHASE2"], ["denosumab"]),
    # left out: phase 4 of a marketed biosimilar
    _study("NCT91000005", "Switching to a Denosumab Biosimilar", "RECRUITING", "Other Pharma AG", "INDUSTRY",
           ["PHASE4"], ["Denosumab"]),
    # left out: completed 2022-06, more than 3 years before TODAY
    _study("NCT91000006", "A Proposed Denosumab Biosimilar", "COMPLETED", "Old Biologics Inc.", "INDUSTRY",
           ["PHASE3"], ["OB-5", "denosumab"], completion="2022-06"),
    # left out: terminated
    _study("NCT91000007", "A Study of a Proposed Denosumab Biosimilar", "TERMINATED", "Example Pharma Ltd",
           "INDUSTRY", ["PHASE1"], ["EP-D1 (denosumab)"]),
    # US only: Sandoz holds Jubbonti/Wyost in the Purple Book fixture; not in the EMA rows below
    _study("NCT91000008", "GP2411 Extension Study", "ACTIVE_NOT_RECRUITING", "Sandoz", "INDUSTRY",
           ["PHASE3"], ["GP2411 (denosumab)"]),
]  # fmt: skip


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "ctgov"
    folder.mkdir()
    (folder / "denosumab-page-001.json").write_text(json.dumps({"studies": STUDIES}), encoding="utf-8")
    return folder


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    doc: dict[str, object] = dict(MINI_KB)
    record = _record("denosumab", "Prolia/Xgeva")
    record["originator_company"] = {"value": "Amgen", "source": "s", "checked": "2026-11-25", "as_of": "2025"}
    doc["records"] = [record]
    path = tmp_path / "kb.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def _row(kb: Path, pages: Path, region: str, on: date = TODAY, **files: Any) -> Any:
    ranking = scan_market(
        load_knowledge_base(kb),
        regions=[region],
        trials=read_trials(pages),
        as_of_year=2026,
        on=on,
        **files,
    )
    return ranking.table.iloc[0]


def test_originator_investigator_phase_4_old_and_stopped_studies_are_not_programmes(
    kb: Path, pages: Path
) -> None:
    # By hand from STUDIES, without Purple Book or EMA file: Henlius (ongoing), Example Bio
    # (completed 14 months ago) and Sandoz (ongoing; its approvals cannot be checked) = 3.
    row = _row(kb, pages, "eu")
    assert row["biosimilars_in_development"] == 3
    counted, left = str(row["development_source"]).split(". Left out: ")
    for sponsor in ("Shanghai Henlius Biotech (NCT91000001)", "Example Bio Co., Ltd. (NCT91000002)",
                    "Sandoz (NCT91000008)"):  # fmt: skip
        assert sponsor in counted
    for reason in (
        "Amgen Inc. (NCT91000003): originator",
        "University Hospital Basel (NCT91000004): sponsor class OTHER (investigator study)",
        "Other Pharma AG (NCT91000005): phase PHASE4",
        "Old Biologics Inc. (NCT91000006): completed 2022-06, over 3 years ago",
        "Example Pharma Ltd (NCT91000007): status TERMINATED",
    ):
        assert reason in left
    assert "approvals of the sponsors not checked" in left


def test_a_sponsor_with_an_approved_biosimilar_is_counted_once(kb: Path, pages: Path, tmp_path: Path) -> None:
    # US: the Purple Book fixture licenses Sandoz's Jubbonti (denosumab-bbdz), so Sandoz's extension
    # study is not a second programme: 2. EU: the EMA rows have no Sandoz denosumab: 3. Scanned while the
    # files are current (Purple Book June 2025, EMA 01/06/2025; a stale count would be unknown).
    current = date(2026, 5, 31)
    us = _row(kb, pages, "us", on=current, purple_book=read_purple_book(PURPLE_BOOK))
    assert us["biosimilars_in_development"] == 2
    assert "Sandoz (NCT91000008): has an approved biosimilar here" in us["development_source"]
    assert us["approved_biosimilars"] == 1
    assert not [r for r in EMA_ROWS if r[3] == "denosumab" and r[7] == "Authorised" and r[11] == "Yes"]
    ema = write_ema_workbook(tmp_path / "ema.xlsx", rows=EMA_ROWS)
    eu = _row(kb, pages, "eu", on=current, ema=read_ema_medicines(ema))
    assert eu["biosimilars_in_development"] == 3
    assert "not checked" not in eu["development_source"]


def test_the_completed_window_is_measured_from_the_scan_date(kb: Path, pages: Path) -> None:
    # Example Bio completed 2025-10 (period end 2025-10-31): 36 whole months later is 2028-10-31.
    assert _row_on(kb, pages, date(2028, 10, 31)) == 3
    assert _row_on(kb, pages, date(2028, 11, 30)) == 2


def _row_on(kb: Path, pages: Path, on: date) -> float:
    # Fact age up to 3 years: the pages (updated up to 2026-10) stay current at the later scan dates.
    ranking = scan_market(
        load_knowledge_base(kb),
        regions=["eu"],
        trials=read_trials(pages),
        as_of_year=2026,
        on=on,
        max_fact_age_years=3,
    )
    return float(ranking.table.iloc[0]["biosimilars_in_development"])


def test_a_record_without_sponsor_class_is_counted_and_said(kb: Path, tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    study = _study("NCT91000009", "X vs Prolia", "RECRUITING", "New Bio", None, ["PHASE1"], ["X"])
    (folder / "p.json").write_text(json.dumps({"studies": [study]}), encoding="utf-8")
    row = _row(kb, folder, "eu")
    assert row["biosimilars_in_development"] == 1
    assert "some counted studies give no sponsor class" in row["development_source"]


def test_a_bad_completion_date_names_the_file_and_study(kb: Path, tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    study = _study(
        "NCT91000010", "X vs Prolia", "COMPLETED", "New Bio", "INDUSTRY", ["PHASE1"], ["X"], "10/2025"
    )
    (folder / "bad.json").write_text(json.dumps({"studies": [study]}), encoding="utf-8")
    with pytest.raises(
        DataFileError, match=r"bad\.json.*NCT91000010: completion date '10/2025' is not a date"
    ):
        _row(kb, folder, "eu")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Amgen", "Amgen Technology (Ireland) Unlimited Company", True),
        ("Janssen-Cilag International N.V.", "Janssen Research & Development, LLC", True),
        ("F. Hoffmann-La Roche Ltd", "Roche", True),
        ("Bio-Thera Solutions, Ltd.", "Bio-Thera Solutions", True),
        ("Samsung Bioepis NL B.V.", "Celltrion", False),
        ("Shanghai Henlius Biotech", "Amgen Inc.", False),
        ("Inc.", "Ltd", False),
        ("Merck & Co., Inc.", "Merck Sharp & Dohme LLC", True),
        ("Merck & Co., Inc.", "Merck KGaA, Darmstadt, Germany", False),  # unaffiliated since 1917
        ("Merck KGaA", "EMD Serono Research & Development Institute", False),  # no shared word
        ("Novartis Pharmaceuticals", "Sandoz", False),  # spun off 4 October 2023
    ],
)
def test_company_spellings(a: str, b: str, same: bool) -> None:
    assert same_company(a, b) is same


def test_a_trial_of_the_originators_group_is_the_originators(tmp_path: Path) -> None:
    """KB originator 'Janssen Biotech': Centocor and Johnson & Johnson are of its group
    (ORIGINATOR_GROUPS) and left out; Merck KGaA shares no word with it and is counted. Without the
    group table the count was 3."""
    doc: dict[str, object] = dict(MINI_KB)
    record = _record("ustekinumab", "Stelara")
    record["originator_company"] = {"value": "Janssen Biotech", "source": "s", "checked": "2026-11-25",
                                    "as_of": "2025"}  # fmt: skip
    doc["records"] = [record]
    kb = tmp_path / "kb.yaml"
    kb.write_text(yaml.safe_dump(doc), encoding="utf-8")
    studies = [
        _study("NCT92000001", "Stelara in Crohn's Disease", "RECRUITING", "Centocor, Inc.", "INDUSTRY",
               ["PHASE3"], ["Stelara"]),
        _study("NCT92000002", "Ustekinumab in Children", "RECRUITING",
               "Johnson & Johnson Innovative Medicine", "INDUSTRY", ["PHASE3"], ["ustekinumab"]),
        _study("NCT92000003", "MK-1 Versus Stelara", "RECRUITING", "Merck KGaA, Darmstadt, Germany",
               "INDUSTRY", ["PHASE1"], ["MK-1", "Stelara"]),
    ]  # fmt: skip
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "p.json").write_text(json.dumps({"studies": studies}), encoding="utf-8")
    row = _row(kb, folder, "eu")
    assert row["biosimilars_in_development"] == 1
    text = row["development_source"]
    assert "Centocor, Inc. (NCT92000001): originator (Johnson & Johnson group since 1961)" in text
    assert "(NCT92000002): originator" in text
    assert "Merck KGaA, Darmstadt, Germany (NCT92000003)" in text.split(". Left out")[0]


def test_the_trial_listing_reads_in_chinese(kb: Path, pages: Path) -> None:
    """development_source is stored in English and shown through the note templates of the pipeline."""
    from bioparity.i18n.notes import translate_note

    listing = translate_note(str(_row(kb, pages, "eu")["development_source"]), "zh-CN")
    assert listing.startswith("ClinicalTrials.gov [")
    assert "Amgen Inc.（NCT91000003）：原研方" in listing
    assert "Example Pharma Ltd（NCT91000007）：状态 TERMINATED" in listing
    assert "Old Biologics Inc.（NCT91000006）：于 2022-06 完成，已超过 3 年" in listing
    assert "注：未核对申办方的批准情况" in listing
    assert "Left out" not in listing and "originator" not in listing


def test_the_completed_window_is_an_option(kb: Path, pages: Path) -> None:
    # Example Bio completed 2025-10, 14 whole months before TODAY: inside 3 years (counted, 3 sponsors),
    # outside 1 year (left out, 2); 0 counts ongoing studies only (Henlius, Sandoz).
    def count(years: int) -> tuple[float, str]:
        ranking = scan_market(load_knowledge_base(kb), regions=["eu"], trials=read_trials(pages),
                              as_of_year=2026, on=TODAY, completed_window_years=years)  # fmt: skip
        row = ranking.table.iloc[0]
        assert ranking.inputs["completed_window_years"] == str(years)
        return float(row["biosimilars_in_development"]), str(row["development_source"])

    assert count(3)[0] == 3
    one, text = count(1)
    assert one == 2 and "Example Bio Co., Ltd. (NCT91000002): completed 2025-10, over 1 years ago" in text
    assert count(0)[0] == 2
    with pytest.raises(InputError, match="completed_window_years must be >= 0"):
        count(-1)
