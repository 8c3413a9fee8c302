"""The NCA report's table of why values are missing and which profiles are flagged
(:func:`bioparity.analyses.nca.nca_tables`): a stored reason in the report's language, a reason that no
note template makes as stored, the flags' thresholds from the run's options, and a one-line note instead
of the table when nothing is missing or flagged. The rendered reports are checked in
tests/web/test_report_notes.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bioparity.analyses import get_analysis
from bioparity.analyses.nca import nca_kind, nca_tables
from bioparity.analyses.tables import Table
from bioparity.i18n import use_language
from bioparity.nca.lambda_z import LAMZ_REASONS, LAMZ_TOO_FEW_POINTS
from bioparity.nca.single.engine import LAMZ_NOT_ESTIMATED

TITLE = {
    "en": "Missing values and review flags per profile: the reasons",
    "zh-CN": "各曲线的缺失值和审核标记：原因",
}
OPTIONS = {"conc_unit": "mg/L", "time_unit": "h", "dose_unit": "mg"}


@pytest.fixture(scope="module")
def theoph(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The NCA of the kind's example (Theoph, 12 subjects), subject 2 cut to 2 samples after Tmax."""
    example = get_analysis("nca").example
    assert example is not None
    frame = pd.read_csv(example.write(Path(tmp_path_factory.mktemp("nca"))))
    two = frame[frame["subject"] == 2]
    after = two[two["time"] > two["time"].to_numpy()[two["conc"].to_numpy().argmax()]]
    frame = frame.drop(index=after.index[2:])
    result = nca_kind(frame, {**OPTIONS, "max_aucpext": 10.0})
    return pd.DataFrame(result["rows"], columns=result["columns"])


def _reasons(frame: pd.DataFrame, language: str, options: dict[str, object]) -> Table | None:
    with use_language(language):
        tables = nca_tables(frame, options)
    return next((t for t in tables.main if t.title == TITLE[language]), None)


def test_a_reason_no_template_makes_is_printed_as_stored_the_others_in_chinese(theoph: pd.DataFrame) -> None:
    frame = theoph.copy()
    withheld = (frame["subject"] == 5) & (frame["PPTESTCD"] == "CMAX")
    frame.loc[withheld, "reason"] = "value withheld by the sponsor"
    options = {**OPTIONS, "max_aucpext": 10.0}
    english, chinese = _reasons(frame, "en", options), _reasons(frame, "zh-CN", options)
    assert english is not None and chinese is not None
    assert english.columns == ("subject", "parameters (PPTESTCD)", "reason or review flag")
    assert ("5", "CMAX", "value withheld by the sponsor") in english.rows
    assert ("5", "CMAX", "value withheld by the sponsor") in chinese.rows
    too_few = LAMZ_NOT_ESTIMATED.format(reason=LAMZ_REASONS[LAMZ_TOO_FEW_POINTS])
    mine = [r for r in english.rows if r[0] == "2"]
    assert mine[0][2] == too_few and len(mine[0][1].split(", ")) == 16  # lambda_z and what needs it
    assert (
        next(r for r in chinese.rows if r[0] == "2")[2] == "未估算 lambda_z：Tmax 之后用于 lambda_z 的点太少"
    )
    # the threshold of the run's options, not the default 20%
    flagged = [r[0] for r in english.rows if r[2] == "review flag: AUC extrapolated beyond Tlast above 10%"]
    aucpeo = theoph[theoph["PPTESTCD"] == "AUCPEO"]
    assert flagged == [str(s) for s in aucpeo.loc[aucpeo["PPSTRESN"] > 10, "subject"]]
    assert len(flagged) >= 1
    # the English stored text is left as it is
    assert frame.loc[withheld, "reason"].tolist() == ["value withheld by the sponsor"]
    assert theoph["reason"].isin(["", too_few]).all()


def test_nothing_missing_or_flagged_gives_a_note_and_no_table(theoph: pd.DataFrame) -> None:
    frame = theoph[theoph["subject"] == 7].drop(columns=[c for c in theoph.columns if c.startswith("flag_")])
    frame = frame.assign(reason="")
    for language in ("en", "zh-CN"):
        with use_language(language):
            tables = nca_tables(frame, OPTIONS)
        assert not any(t.title == TITLE[language] for t in tables.main)
        note = {
            "en": "No value is missing and no profile has a review flag.",
            "zh-CN": "没有缺失值，也没有曲线带审核标记。",
        }
        assert tables.notes == (note[language],)


def test_each_profiles_reasons_are_those_of_its_rows_alone_whatever_the_index(theoph: pd.DataFrame) -> None:
    """The table reads the columns once for all profiles: each profile's rows must be those of the table
    cut to that profile alone (a one-profile table has no "all profiles" row), and the frame's index
    labels (here reversed and repeated) must not matter."""
    frame = theoph.copy()
    frame.loc[(frame["subject"] == 5) & (frame["PPTESTCD"] == "CMAX"), "reason"] = "value withheld"
    options = {**OPTIONS, "max_aucpext": 10.0}
    full = _reasons(frame, "en", options)
    assert full is not None
    relabelled = frame.set_axis([i // 2 for i in range(len(frame))][::-1])
    assert _reasons(relabelled, "en", options) == full
    assert nca_tables(relabelled, options) == nca_tables(frame, options)
    shared = {(params, text) for who, params, text in full.rows if who.startswith("all ")}
    subjects = list(dict.fromkeys(frame["subject"].tolist()))
    assert [r[0] for r in full.rows if not r[0].startswith("all ")] == sorted(
        [r[0] for r in full.rows if not r[0].startswith("all ")], key=lambda s: subjects.index(int(s))
    )  # profiles in the order of the data
    for subject in subjects:
        alone = _reasons(frame[frame["subject"] == subject], "en", options)
        expected = set() if alone is None else {(params, text) for _who, params, text in alone.rows}
        mine = {(params, text) for who, params, text in full.rows if who == str(subject)}
        assert mine | shared == expected, subject
    assert ("CMAX", "value withheld") in {(p, t) for who, p, t in full.rows if who == "5"}
