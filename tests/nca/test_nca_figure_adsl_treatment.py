"""The NCA report's concentration-time figure of a crossover read with an ADSL is per planned treatment
(TRTP = the period's TRTxxP), as its summary statistics are (EMA CPMP/EWP/QWP/1401/98 Rev. 1, section
4.1.8: descriptive statistics per treatment). Before, the figure read the samples without the ADSL: its
lines were the periods derived from the order of each subject's sampled doses (subject 2's period 2 drawn
as period 1), each pooling both treatments.

Data: the ADSL crossover of tests/nca/test_nca_adsl_periods.py (R's Theoph subjects 1-6, period 2 = 0.8 x
period 1; sequence AB for subjects 1, 3, 5 and BA for 2, 4, 6; subject 2 not sampled in period 1).
Reference: R 4.2.2, ``R_SCRIPT`` below (base R): the figure bins the k-th sample of every profile at the
median of their times (Theoph's times differ between subjects) and draws the mean per line, rounded to 10
decimals (``profile_plot``): compared to 1e-10 (absolute), the times to 1e-12.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
import pytest

from bioparity.analyses.contract import RunView, StoredInput
from bioparity.analyses.figures import ProfilePlot
from bioparity.analyses.nca import concentration_profile, nca_kind, read_concentrations
from tests.nca.test_nca_adsl_periods import _pc, adsl

R_SCRIPT = r"""
d <- datasets::Theoph; d$S <- as.integer(as.character(d$Subject))
prof <- function(s, f) { x <- d[d$S == s, ]; x <- x[order(x$Time), ]; list(t = x$Time, c = x$conc * f) }
A <- c(lapply(c(1,3,5), prof, f = 1), lapply(c(2,4,6), prof, f = 0.8))
B <- c(lapply(c(1,3,5), prof, f = 0.8), lapply(c(4,6), prof, f = 1))
all <- c(A, B)
x <- sapply(1:11, function(k) median(sapply(all, function(p) p$t[k])))
yA <- sapply(1:11, function(k) mean(sapply(A, function(p) p$c[k])))
yB <- sapply(1:11, function(k) mean(sapply(B, function(p) p$c[k])))
"""
R_X = (0, 0.27, 0.58, 1.07, 2.02, 3.57, 5.02, 7.02, 9.05, 12.1, 24.35)
R_MEANS = {
    "A": (0.123333333333333, 2.19666666666667, 5.262, 8.13, 7.53566666666667, 6.79266666666667,
          6.07333333333333, 5.33666666666667, 4.727, 3.66566666666667, 1.37933333333333),
    "B": (0.1184, 2.1176, 4.592, 7.824, 7.2264, 6.5852, 5.9032, 5.1376, 4.5884, 3.6356, 1.358),
}  # fmt: skip


def report_runs(tmp_path: Path, options: dict[str, str], stored: dict[str, str]) -> tuple[RunView, RunView]:
    """The NCA run of ``tmp_path / "pc.csv"`` with ``options`` (the files it reads besides the samples) as the
    workspace stores it (``stored``: each such option a dataset id, which a report does not read again) and
    a PK-similarity run that follows it (the NCA result in its chain)."""
    result = nca_kind(read_concentrations(tmp_path / "pc.csv"), options)
    table = pd.DataFrame(result["rows"], columns=result["columns"])
    upload = StoredInput("0" * 64, "nca", lambda: read_concentrations(tmp_path / "pc.csv"))
    options = stored | {"blq_rule": "pknca"}
    nca = RunView("nca", options, table, (upload,))
    stored_table = StoredInput("1" * 64, None, lambda: table, produced_by="nca", produced_options=options)
    return nca, RunView("pk-similarity", {}, pd.DataFrame(), (stored_table, upload))


def assert_lines(plot: ProfilePlot, x: Sequence[float], means: Mapping[str, Sequence[float]]) -> None:
    """The plot's mean lines are those of ``means`` (name -> R's means), at R's binned times ``x``."""
    lines = {line.name: line for line in plot.lines}
    assert set(lines) == set(means)
    for name, values in means.items():
        assert lines[name].x == pytest.approx(list(x), rel=1e-12, abs=1e-12)
        assert lines[name].y == pytest.approx(list(values), rel=0, abs=1e-10)


def test_the_report_figure_is_per_planned_treatment(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """Two lines, A (6 profiles) and B (5), each the mean of its profiles at R's binned times (R's means);
    the same figure for the PK-similarity run that follows the NCA."""
    _pc(theoph).to_csv(tmp_path / "pc.csv", index=False)
    adsl().to_csv(tmp_path / "adsl.csv", index=False)
    for run in report_runs(tmp_path, {"dose": "auto", "adsl": str(tmp_path / "adsl.csv")}, {"adsl": "17"}):
        figure = concentration_profile(run)
        assert figure is not None
        plot = figure.data
        assert isinstance(plot, ProfilePlot) and plot.n_subjects == {"A": 6, "B": 5}
        assert_lines(plot, R_X, R_MEANS)
