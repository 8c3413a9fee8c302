"""The rows an analysis left out are named one way (``bioparity.left_out``), by the command line, the run
pages and the stored note of a ``be`` run.

Before, three formatters worded them three ways: ``bioparity be``/``nca`` (``cli.common.left_out_rows``:
``row 3 (line 4) subject=1 time=2; ...``), the NCA run page (``left out for a missing concentration: row 9
(subject A, time 4); 3 more``) and the stored ``be`` note (``2 missing PK value(s) not analysed: ...``), each
with its own count of rows shown (5, 10, 5).
"""

from __future__ import annotations

import pytest

from bioparity.analyses.nca import missing_note as nca_page_note
from bioparity.be.data import MissingPK
from bioparity.be.methods import MISSING_CELL, MISSING_LEFT_OUT
from bioparity.be.methods import missing_note as be_stored_note
from bioparity.i18n import use_language
from bioparity.i18n.notes import translate_note
from bioparity.left_out import SHOWN_LEFT_OUT, STORED_RESULT, left_out_rows

CELLS = [MissingPK(row, row + 1, str(row // 4), str(row % 4 + 1), "RT"[row % 2]) for row in range(3, 10)]


def test_one_row_and_several_with_how_many_more() -> None:
    one = [{"row": 3, "line": 4, "subject": "1", "time": 2.0}]
    assert left_out_rows(one, 1, "out.csv.provenance.json") == (
        "1 row left out: row 3 (line 4) subject=1 time=2 (all in out.csv.provenance.json)"
    )
    rows = [{"row": r, "line": None, "subject": "A", "time": 0.5 * r} for r in range(1, 8)]
    assert SHOWN_LEFT_OUT == 5
    assert left_out_rows(rows, 7, "there") == (
        "7 rows left out: row 1 subject=A time=0.5; row 2 subject=A time=1; row 3 subject=A time=1.5; "
        "row 4 subject=A time=2; row 5 subject=A time=2.5 and 2 more (all in there)"
    )
    # the records may be the first few only: the total says how many
    assert left_out_rows(rows[:2], 40, "there").endswith("row 2 subject=A time=1 and 38 more (all in there)")


def test_the_be_note_and_the_nca_page_are_the_one_wording() -> None:
    stored = be_stored_note(CELLS)
    records = [
        {"row": c.row, "line": c.line, "subject": c.subject, "period": c.period, "treatment": c.treatment}
        for c in CELLS
    ]
    assert stored == left_out_rows(records, 7, STORED_RESULT)
    assert stored == (
        "7 rows left out: row 3 (line 4) subject=0 period=4 treatment=T; "
        "row 4 (line 5) subject=1 period=1 treatment=R; row 5 (line 6) subject=1 period=2 treatment=T; "
        "row 6 (line 7) subject=1 period=3 treatment=R; row 7 (line 8) subject=1 period=4 treatment=T "
        "and 2 more (all in the stored result)"
    )
    page = nca_page_note({"excluded_missing_concentration": records})
    assert page == "; " + stored
    assert be_stored_note([]) is None and nca_page_note({}) == ""


@pytest.mark.parametrize("n", [1, 7])
def test_the_stored_note_reads_in_chinese_as_the_page_writes_it(n: int) -> None:
    """A stored note (English, translated where it is shown, the count's plural form from the catalogue)
    and a text written in the reader's language (the command line, the NCA page) read the same."""
    stored = be_stored_note(CELLS[:n])
    assert stored is not None
    records = [
        {"row": c.row, "line": c.line, "subject": c.subject, "period": c.period, "treatment": c.treatment}
        for c in CELLS[:n]
    ]
    with use_language("zh-CN"):
        written = left_out_rows(records, n, "存储的结果", translate=True)
    shown = translate_note(stored, "zh-CN")
    assert shown == written
    assert shown.startswith(f"剔除 {n} 行：第 3 行（文件第 4 行） subject=0 period=4 treatment=T")
    assert shown.endswith(
        "及另外 2 行（完整清单见存储的结果）" if n > SHOWN_LEFT_OUT else "（完整清单见存储的结果）"
    )


def test_the_note_of_a_run_stored_before_still_reads_in_chinese() -> None:
    old = MISSING_LEFT_OUT.format(
        n=1, cells=MISSING_CELL.format(row=3, line=4, subject="7", period="2", treatment="R")
    )
    assert translate_note(old, "zh-CN") == (
        "1 个缺失的药代动力学值未纳入分析：第 3 行（文件第 4 行） subject=7 period=2 treatment=R"
        "（完整清单见 missing_cells）"
    )
