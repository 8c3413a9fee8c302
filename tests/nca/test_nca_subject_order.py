"""Subjects in their natural order in SDTM PP, ADaM ADPP and the concentration figure: numeric parts of the
identifiers as numbers (1, 2, ..., 10, 11, 12; X1-2 before X1-10), each USUBJID written as it was read.

SDTMIG v3.3, section 3.2.1: a domain's records are sorted by its keys (PP: STUDYID, USUBJID, ...), PPSEQ
numbered 1..n per subject after that sort; ADPP in the same order (ADaMIG v1.3, BDS). Before, the USUBJID
key was sorted as text: 1, 10, 11, 12, 2, ... (``bioparity.io.sdtm.in_key_order``), and the figure drew a
line's profiles in that order too.

Data: R's datasets::Theoph (12 subjects, dose in mg = Dose x Wt), subjects listed 10, 2, 1, 12, 3, 11, 4, ...
in the file. Reference: R 4.2.2, ``tapply(Theoph$conc, Theoph$Subject, max)`` in subject order 1..12
(printed to 10 significant digits), the Cmax each subject's PP record must keep (exact, 1e-12 relative).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from bioparity.analyses.figures import profile_plot
from bioparity.cli.main import app
from bioparity.natural_order import natural_ranks

#: R 4.2.2: ``sprintf("%.10g", tapply(d$conc, as.integer(as.character(d$Subject)), max))``, subjects 1..12.
R_CMAX = (10.5, 8.33, 8.2, 8.6, 11.4, 6.44, 7.09, 7.56, 9.03, 10.21, 8.0, 9.75)
FILE_ORDER = (10, 2, 1, 12, 3, 11, 4, 5, 6, 7, 8, 9)


def _plain(theoph: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
    """Theoph as ``subject,time,conc,dose``, the subjects in :data:`FILE_ORDER`."""
    rows = [theoph[theoph["Subject"] == s] for s in FILE_ORDER]
    frame = pd.concat(rows, ignore_index=True)
    return pd.DataFrame(
        {
            "subject": [f"{prefix}{s}" for s in frame["Subject"]],
            "time": frame["Time"],
            "conc": frame["conc"],
            "dose": frame["dose_mg"],
        }
    )


@pytest.mark.parametrize("prefix", ["", "X1-"], ids=["numbers", "prefixed"])
def test_pp_and_adpp_list_the_subjects_in_natural_order(
    theoph: pd.DataFrame, tmp_path: Path, prefix: str
) -> None:
    """PP and ADPP: USUBJID 1, 2, ..., 12 (or X1-1 ... X1-12) as written, PPSEQ 1..n per subject, each
    subject's CMAX R's; OUT keeps the order of the file (it is not sorted)."""
    _plain(theoph, prefix).to_csv(tmp_path / "in.csv", index=False)
    args = ["nca", str(tmp_path / "in.csv"), "--out", str(tmp_path / "o.csv"), "--parameters", "CMAX,TMAX"]
    args += ["--studyid", "S1"]
    args += ["--sdtm-pp", str(tmp_path / "pp.xpt"), "--adpp", str(tmp_path / "adpp.csv")]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    want = [f"{prefix}{s}" for s in range(1, 13)]
    pp = pyreadstat.read_xport(str(tmp_path / "pp.xpt"))[0]
    adpp = pd.read_csv(tmp_path / "adpp.csv", dtype={"USUBJID": str})
    for table in (pp, adpp):
        assert list(dict.fromkeys(table["USUBJID"])) == want
        assert list(table["STUDYID"].unique()) == ["S1"]
    assert pp["PPSEQ"].astype(int).tolist() == (pp.groupby("USUBJID", sort=False).cumcount() + 1).tolist()
    cmax = pp[pp["PPTESTCD"] == "CMAX"]
    assert cmax["USUBJID"].tolist() == want
    assert cmax["PPSTRESN"].tolist() == pytest.approx(list(R_CMAX), rel=1e-12)
    out = pd.read_csv(tmp_path / "o.csv", dtype={"subject": str})
    assert list(dict.fromkeys(out["subject"])) == [f"{prefix}{s}" for s in FILE_ORDER]


def test_the_natural_order_keeps_every_identifier() -> None:
    """Numbers as numbers, text as text; ``010`` and ``10`` stay two subjects (text order between them); a
    missing identifier first, as ''."""
    ids = pd.Series(["S10", "S2", "010", "10", "S1", "2", "X1-10", "X1-9"])
    ordered = ids.iloc[np.argsort(natural_ranks(ids), kind="stable")].tolist()
    assert ordered == ["2", "010", "10", "S1", "S2", "S10", "X1-9", "X1-10"]
    assert natural_ranks(pd.Series(["B2", None, "B10", "B2"])).tolist() == [1, 0, 2, 1]


def test_the_figure_draws_a_lines_profiles_subject_by_subject(theoph: pd.DataFrame) -> None:
    """The individual profiles of a line in subject order 1..12 (each profile's largest concentration is
    R's Cmax of that subject), not 1, 10, 11, 12, 2, ..."""
    frame = _plain(theoph).drop(columns="dose")
    plot = profile_plot(frame)
    assert plot is not None and len(plot.individual) == 12
    assert [max(line.y) for line in plot.individual] == pytest.approx(list(R_CMAX), rel=1e-12)
