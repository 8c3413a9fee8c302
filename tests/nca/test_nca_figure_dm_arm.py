"""The NCA report's concentration-time figure of an SDTM PC read with a DM domain (``bioparity nca --dm``,
the workspace option ``dm``) is per DM arm, as its summary statistics are (ARM: SDTMIG v3.4, section 5.2;
EMA CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.8: descriptive statistics per treatment). Before, the figure
read the samples without the DM and knew only a lower-case ``arm`` column: one line pooling both arms,
while the tables were per ARM.

Data: R's Theoph (12 subjects) as a parallel SDTM PC; DM ARM TEST for odd subjects, REFERENCE for even ones,
ACTARM REFERENCE for subject 3 (the figure is per ARM, as the tables). Reference: R 4.2.2, ``R_SCRIPT`` below
(base R): the figure bins the k-th sample of every profile at the median of their times (Theoph's times
differ between subjects) and draws the mean per line, rounded to 10 decimals (``profile_plot``): compared to
1e-10 (absolute), the times to 1e-12.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat

from bioparity.analyses.figures import ProfilePlot, arm_column
from bioparity.analyses.nca import concentration_profile, parameter_statistics
from bioparity.io.sdtm import hours_to_iso8601
from tests.nca.test_nca_figure_adsl_treatment import assert_lines, report_runs

R_SCRIPT = r"""
d <- datasets::Theoph; d$S <- as.integer(as.character(d$Subject))
prof <- function(s) { x <- d[d$S == s, ]; x <- x[order(x$Time), ]; list(t = x$Time, c = x$conc) }
A <- lapply(c(1,3,5,7,9,11), prof); B <- lapply(c(2,4,6,8,10,12), prof)
all <- c(A, B)
x <- sapply(1:11, function(k) median(sapply(all, function(p) p$t[k])))
yA <- sapply(1:11, function(k) mean(sapply(A, function(p) p$c[k])))
yB <- sapply(1:11, function(k) mean(sapply(B, function(p) p$c[k])))
print(x, digits = 15); print(yA, digits = 15); print(yB, digits = 15)
"""
R_X = (0, 0.27, 0.545, 1.02, 2.02, 3.53, 5.02, 7.03, 9.03, 12.075, 24.195)
R_MEANS = {
    "TEST": (0.148333333333333, 3.723333333333334, 6.286666666666667, 8.376666666666667, 7.751666666666667,
             7.24, 6.611666666666666, 5.633333333333333, 4.968333333333334, 3.898333333333333, 1.505),
    "REFERENCE": (0.04, 2.015, 4.63666666666667, 7.48166666666667, 8.02333333333333, 7.745,
                  6.92166666666667, 5.75666666666667, 5.19333333333333, 3.87166666666667, 1.30166666666667),
}  # fmt: skip


def _pc(theoph: pd.DataFrame) -> pd.DataFrame:
    """Every Theoph subject as a PC record set of one dose (a parallel design), no arm."""
    return pd.DataFrame({
        "STUDYID": "P1", "DOMAIN": "PC", "USUBJID": "P1-" + theoph["Subject"].astype(str),
        "PCTESTCD": "THEOPH", "PCTEST": "THEOPH Concentration", "PCSPEC": "PLASMA",
        "PCELTM": [hours_to_iso8601(t) for t in theoph["Time"]], "PCSTRESN": theoph["conc"],
        "PCSTRESU": "mg/L", "PCRFTDTC": "2026-01-05T08:00",
    })  # fmt: skip


def _dm(path: Path) -> None:
    subjects = [f"P1-{s}" for s in range(1, 13)]
    arms = ["TEST" if s % 2 else "REFERENCE" for s in range(1, 13)]
    dm = pd.DataFrame({"STUDYID": "P1", "DOMAIN": "DM", "USUBJID": subjects, "ARM": arms})
    dm["ACTARM"] = dm["ARM"].where(dm["USUBJID"] != "P1-3", "REFERENCE")  # subject 3 given the reference
    pyreadstat.write_xport(dm, str(path), table_name="DM", file_format_version=5)


def test_the_report_figure_is_per_dm_arm(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """Two lines, TEST and REFERENCE (6 profiles each), the groups of the report's summary statistics, each
    the mean of its profiles at R's binned times (R's means); the same figure for the PK-similarity run
    that follows the NCA."""
    _pc(theoph).to_csv(tmp_path / "pc.csv", index=False)
    _dm(tmp_path / "dm.xpt")
    nca, similarity = report_runs(tmp_path, {"dose": "320", "dm": str(tmp_path / "dm.xpt")}, {"dm": "17"})
    stats = parameter_statistics(nca.table).to_frame()
    assert arm_column(nca.table) == "ARM" and set(stats["ARM"]) == set(R_MEANS)
    for run in (nca, similarity):
        figure = concentration_profile(run)
        assert figure is not None
        plot = figure.data
        assert isinstance(plot, ProfilePlot) and plot.n_subjects == {"REFERENCE": 6, "TEST": 6}
        assert_lines(plot, R_X, R_MEANS)
