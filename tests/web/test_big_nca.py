"""A large NCA run (thousands of profiles) in the run report and on the review page.

The report's per-subject tables print as fixed-width listings from ``LISTING_FROM`` profiles on: every
row and value, in aligned columns, a few rows to a table cell (WeasyPrint lays a PDF out cell by cell:
76,000 cells of a 2,004-profile appendix took 74 s of CPU). The report says where the individual
concentrations are. The review page lists one page of profiles, with a filter by flag that counts each
flag of the run, and reads a run once for all its pages.
"""

from __future__ import annotations

import html
import math
import re
from typing import Any

import pytest

from bioparity.analyses.nca import LISTING_FROM
from bioparity.analyses.tables import Table
from bioparity.demo import pk_concentrations
from bioparity.i18n import use_language
from bioparity.i18n.printing import display_width, listing
from bioparity.report.tables import LISTING_LINES, run_tables, table_html
from bioparity.store import make_sessionmaker
from bioparity.store.models import AnalysisRun
from bioparity.web.pages_review import ANY_FLAG, PAGE_PROFILES, Profile, profile_list
from bioparity.workspace import accounts, analyses, datasets
from bioparity.workspace.access import Actor
from tests.web.conftest import DemoStore, demo_client

COLUMNS = ["arm", "subject", "PPTESTCD", "PPSTRESN", "PPSTRESU"]
CODES = (("CMAX", 12.5, "ug/mL"), ("AUCIFO", 3921.36, "h*ug/mL"), ("LAMZ", 0.0241551, "1/h"))


def _pp_rows(subjects: int) -> list[list[object]]:
    return [
        ["test" if i % 2 else "reference", f"S{i:04d}", code, value * (1 + i / 1000), unit]
        for i in range(subjects)
        for code, value, unit in CODES
    ]


def _listing_lines(markup: str) -> list[str]:
    """The lines of a listing table's cells (header cell first), as printed."""
    cells = re.findall(r"<t[hd](?: [^>]*)?>(.*?)</t[hd]>", markup, re.S)
    return [line for c in cells for line in html.unescape(c).split("\n")]


def test_a_listing_prints_every_value_in_aligned_columns_a_few_rows_a_cell() -> None:
    rows = tuple((f"S{i}", "test", f"{1.5 * 10 ** (i % 5):.6g}") for i in range(23))
    table = Table(
        "Cmax per subject", ("subject", "arm", "CMAX (ug/mL)"), rows, (False, False, True), listing=True
    )
    markup = str(table_html(table))
    assert markup.startswith('<table class="listing"><caption>Cmax per subject</caption>')
    # one header cell, then LISTING_LINES rows a cell: 3 cells for 23 rows (was a cell per value: 69)
    assert markup.count("<th scope") == 1 and markup.count("<td>") == math.ceil(23 / LISTING_LINES) == 3
    lines = _listing_lines(markup)
    head, rule, body = lines[:2], lines[2], lines[3:]
    assert head == [" " * 18 + "CMAX", "subject  arm   (ug/mL)"] and rule == "-------  ----  -------"
    assert [line.split() for line in body] == [list(r) for r in rows]  # every value, in order
    # numbers right-aligned: every value ends where the rule's last column does
    assert {len(line) for line in body} == {len(rule)}


def test_a_listing_keeps_chinese_columns_aligned() -> None:
    """A CJK character takes two columns of the listing's font (Noto Sans Mono CJK SC), as the padding
    counts it (Unicode Standard Annex #11)."""
    lines = listing(["组别", "subject"], [["受试药", "S1"], ["ref", "S10"]])
    assert lines == ["组别    subject", "------  -------", "受试药  S1", "ref     S10"]
    assert display_width("受试药") == 6 == len("ref   ")


def test_nca_per_subject_tables_are_listings_from_listing_from_profiles() -> None:
    many = run_tables("nca", COLUMNS, _pp_rows(LISTING_FROM))
    few = run_tables("nca", COLUMNS, _pp_rows(LISTING_FROM - 1))
    per_subject = [t for t in many.appendix if "per subject" in t.title]
    assert per_subject and all(t.listing for t in per_subject)
    assert sum(len(t.rows) for t in per_subject) == LISTING_FROM  # every profile listed
    assert not any(t.listing for t in few.appendix) and not any(t.listing for t in few.main)
    assert (
        f"printed as listings (one line per profile, aligned columns) from {LISTING_FROM}"
        in many.appendix_note
    )
    assert "listings" not in few.appendix_note
    markup = "".join(str(table_html(t)) for t in per_subject)
    assert markup.count("<td>") == math.ceil(LISTING_FROM / LISTING_LINES) * len(per_subject)
    listed = _listing_lines(markup)
    for subject in (f"S{i:04d}" for i in range(LISTING_FROM)):  # each subject's line, values as the table's
        assert any(line.split()[:2] == ["reference" if int(subject[1:]) % 2 == 0 else "test", subject]
                   for line in listed)  # fmt: skip
    table_values = {v for t in per_subject for r in t.rows for v in r[2:]}
    listed_values = {v for line in listed for v in line.split()[2:]}
    assert table_values <= listed_values


def test_the_nca_appendix_says_where_the_concentrations_are() -> None:
    """The report prints no concentration per time point (ICH E3 16.2.5 lists them): it says they are
    the input dataset, identified by the SHA-256 in the provenance."""
    report = run_tables("nca", COLUMNS, _pp_rows(3))
    assert report.appendix_note.endswith(
        "; the individual concentrations (every sample of every profile) are the input dataset, "
        "identified by its SHA-256 above, and are not printed in this report"
    )
    with use_language("zh-CN"):
        chinese = run_tables("nca", COLUMNS, _pp_rows(LISTING_FROM)).appendix_note
    assert "SHA-256" in chinese and "concentrations" not in chinese and "listings" not in chinese


def _profile(subject: str, flags: list[str]) -> Profile:
    nan = math.nan
    return Profile({"subject": subject}, [], [], [], [], nan, None, nan, nan, nan, flags, [])


def test_the_profile_list_pages_filters_by_flag_and_finds_by_name() -> None:
    profiles = [_profile(f"S{i:04d}", ["r2adj_low"] if i % 7 == 0 else []) for i in range(250)]
    profiles[13] = _profile("S0013", ["aucpeo_high", "r2adj_low"])
    first = profile_list(profiles, chosen=0)
    assert (first.page, first.pages, first.matching, len(first.shown)) == (0, 3, 250, PAGE_PROFILES)
    assert first.flags == {"r2adj_low": 37, "aucpeo_high": 1} and first.flagged == 37
    # the list opens on the page of the chosen profile; a page past the end shows the last
    assert profile_list(profiles, chosen=230).page == 2 and profile_list(profiles, 0, page=9).page == 2
    assert [i for i, _p in profile_list(profiles, 0, page=2).shown] == list(range(200, 250))
    flagged = profile_list(profiles, chosen=0, flag=ANY_FLAG)
    assert [i for i, _p in flagged.shown] == [i for i in range(250) if i % 7 == 0 or i == 13]
    assert [i for i, _p in profile_list(profiles, 0, flag="aucpeo_high").shown] == [13]
    assert [i for i, _p in profile_list(profiles, 0, find=" s012 ").shown] == list(range(120, 130))
    assert profile_list(profiles, 0, flag="r2adj_low", find="nobody").shown == []


def _flagged_run(demo_store: DemoStore) -> tuple[str, int]:
    """A run of the demo's PK data whose every tenth subject lost its late samples (flagged: too few
    points after Tmax, or a low span ratio), and how many profiles it has."""
    frame = pk_concentrations()
    subjects = frame["subject"].unique()
    late = frame["time"] > frame["time"].quantile(0.5)
    frame = frame[~(frame["subject"].isin(subjects[::10]) & late)]
    with make_sessionmaker(demo_store.engine).begin() as session:
        user = accounts.get_user_by_name(session, "sam")
        sam = Actor(user.id, user.username, user.display_name)
        nca = session.get(AnalysisRun, demo_store.summary.runs["nca"])
        assert nca is not None
        dataset = datasets.upload_dataset(
            session, sam, nca.study_id, name="pk-flagged", filename="pk-flagged.csv",
            content=frame.to_csv(index=False, lineterminator="\n").encode(), analysis_kind="nca",
        )  # fmt: skip
        options = {"conc_unit": "ug/mL", "time_unit": "h", "dose_unit": "mg"}
        return analyses.run_analysis(session, sam, dataset.id, "nca", options).id, len(subjects)


def test_the_review_page_lists_a_page_of_profiles_and_finds_every_flagged_one(
    demo_store: DemoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, n = _flagged_run(demo_store)
    reads: list[int] = []
    read_mapped = datasets.read_mapped

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return read_mapped(*args, **kwargs)

    monkeypatch.setattr(datasets, "read_mapped", counted)  # the module the review page calls through
    with demo_client(demo_store, "sam") as client:
        page = client.get(f"/ui/runs/{run_id}/review").text
        rows = re.findall(r'<tr(?: aria-current="true")?><td>', page.split('id="review-profiles"')[1])
        assert len(rows) == PAGE_PROFILES < n  # one page (was every profile)
        assert f"{n} profiles, " in page and f"page 1 of {math.ceil(n / PAGE_PROFILES)}" in page
        links = re.findall(r'data-flag="([^"]+)"[^>]*>([^<]*) \((\d+)\)</a>', page)
        counts = {f: int(k) for f, _words, k in links}
        words = {f: html.unescape(w) for f, w, _k in links}  # each flag in words (the link keeps its code)
        flag, count = min(counts.items(), key=lambda item: item[1])  # the rarest flag: on a few pages
        assert 0 < count < n
        # every profile with the flag, page after page of the filter, and no other
        seen: list[str] = []
        url = f"/ui/runs/{run_id}/review?flag={flag}&profile={n - 1}&page=1"
        while url:
            shown = client.get(url).text
            table = shown.split('id="review-profiles"')[1].split("</table>")[0]
            for cells in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], re.S):
                seen.append(re.findall(r"<td>([^<]*)</td>", cells)[-1])  # the flags cell
            following = re.search(r'<a href="([^"]+)" rel="next">', shown)
            url = html.unescape(following.group(1)) if following else ""
        assert len(seen) == count and all(words[flag] in html.unescape(f).split("; ") for f in seen)
    assert len(reads) == 1  # the run's samples read once for all its pages


def test_a_two_thousand_profile_appendix_has_a_cell_per_ten_profiles() -> None:
    """The appendix of 2,004 profiles (the size whose 76,000 cells took WeasyPrint 74 s of CPU)."""
    report = run_tables("nca", COLUMNS, _pp_rows(2004))
    per_subject = [t for t in report.appendix if "per subject" in t.title]
    markup = "".join(str(table_html(t)) for t in per_subject)
    assert markup.count("<td") == math.ceil(2004 / LISTING_LINES) * len(per_subject)
