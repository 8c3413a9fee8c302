"""The boxplot outlier rule's quartiles are an explicit choice, stated in the result (ADA review gap 3).

Shankar et al. 2008 (J Pharm Biomed Anal 48:1267, Appendix 1) and Devanarayan et al. 2017 (AAPS J 19:1487,
"Outlier evaluation") give the rule ``Q1 - 1.5 IQR`` / ``Q3 + 1.5 IQR`` but no quartile algorithm; bioparity
used R ``quantile`` type 7 silently, while R's ``boxplot``/``boxplot.stats`` (the usual reference) uses
Tukey's hinges (``fivenum``). ``outlier_quartiles`` chooses (default ``type7``, unchanged).

Reference values: R 4.2.2 Patched (2022-11-10 r83330), Debian r-base-core, by

    x <- c(...); b <- boxplot.stats(x); b$stats[c(2, 4)]; which(x %in% b$out) - 1
    q <- quantile(x, c(.25, .75), type = t); which(x < q[1] - 1.5 * diff(q) | x > q[2] + 1.5 * diff(q)) - 1

(printed with ``%.17g``; 0-based positions). Tolerance: quartiles to 1e-12 absolute (R and NumPy compute the
same order-statistic averages, so they agree to rounding); flags exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.bioassay import compute_cut_point
from bioparity.bioassay.stats import OUTLIER_QUARTILES, boxplot_flags, quartiles
from bioparity.cli.main import app
from bioparity.errors import InputError

VALUES: dict[str, list[float]] = {
    "a": [10, 11, 12, 13, 14, 15, 19, 25],
    "b": [1.02, 1.10, 0.97, 1.05, 1.31, 0.99, 1.01],
    "c": [5.1, 4.8, 5.3, 5.0, 4.9, 7.9, 5.2, 5.05, 4.95, 2.1],
    "d": [0.1, 0.4, 0.35, 0.2, 0.3, 0.25, 0.9, 0.22, 0.28, 0.31, 0.27],
    "e": [3, 3.2, 3.1, 2.9, 4.4],
}
#: (vector, method) -> (Q1, Q3, 0-based positions flagged), from R as in the module docstring.
R_REFERENCE = {
    ("a", "tukey"): (11.5, 17.0, ()),
    ("a", "type2"): (11.5, 17.0, ()),
    ("a", "type6"): (11.25, 18.0, ()),
    ("a", "type7"): (11.75, 16.0, (7,)),
    ("b", "tukey"): (1.0, 1.0750000000000002, (4,)),
    ("b", "type2"): (0.98999999999999999, 1.1000000000000001, (4,)),
    ("b", "type6"): (0.98999999999999999, 1.1000000000000001, (4,)),
    ("b", "type7"): (1.0, 1.0750000000000002, (4,)),
    ("c", "tukey"): (4.9000000000000004, 5.2000000000000002, (5, 9)),
    ("c", "type2"): (4.9000000000000004, 5.2000000000000002, (5, 9)),
    ("c", "type6"): (4.875, 5.2250000000000005, (5, 9)),
    ("c", "type7"): (4.9125000000000005, 5.1750000000000007, (5, 9)),
    ("d", "tukey"): (0.23499999999999999, 0.32999999999999996, (6,)),
    ("d", "type2"): (0.22, 0.34999999999999998, (6,)),
    ("d", "type6"): (0.22, 0.34999999999999998, (6,)),
    ("d", "type7"): (0.23499999999999999, 0.32999999999999996, (6,)),
    ("e", "tukey"): (3.0, 3.2000000000000002, (4,)),
    ("e", "type2"): (3.0, 3.2000000000000002, (4,)),
    ("e", "type6"): (2.9500000000000002, 3.8000000000000003, ()),
    ("e", "type7"): (3.0, 3.2000000000000002, (4,)),
}


@pytest.mark.parametrize(("name", "method"), sorted(R_REFERENCE))
def test_quartiles_and_flags_match_r_boxplot_stats_and_quantile(name: str, method: str) -> None:
    x = np.asarray(VALUES[name], dtype=float)
    q1, q3, flagged = R_REFERENCE[(name, method)]
    assert quartiles(x, method) == pytest.approx((q1, q3), abs=1e-12)
    assert tuple(np.flatnonzero(boxplot_flags(x, method=method))) == flagged


def test_the_default_is_type_7_and_an_unknown_method_is_refused() -> None:
    x = np.asarray(VALUES["a"], dtype=float)
    assert boxplot_flags(x).tolist() == boxplot_flags(x, method="type7").tolist()
    assert OUTLIER_QUARTILES[0] == "type7" and "tukey" in OUTLIER_QUARTILES
    with pytest.raises(InputError, match="tukey"):
        boxplot_flags(x, method="hinges")


def _donors(means: list[float]) -> pd.DataFrame:
    """Each donor's mean ``m`` as ``m + d`` in R1 and ``m - d`` in R2, ``d`` = 0.5 and -0.5 alternately (two
    values per donor: no analytical outlier is possible, the rule needs 4)."""
    rows = []
    for i, m in enumerate(means):
        d = 0.5 if i % 2 else -0.5
        rows += [(f"D{i}", "R1", m + d), (f"D{i}", "R2", m - d)]
    return pd.DataFrame(rows, columns=["donor", "run", "value"])


def test_the_cut_point_removes_the_donors_that_its_stated_quartiles_flag() -> None:
    # donor means = vector a: type 7 (R quantile) flags the donor at 25 (fence 16 + 1.5 x 4.25 = 22.375);
    # Tukey's hinges (R boxplot.stats) do not (fence 17 + 1.5 x 5.5 = 25.25)
    frame = _donors([float(v) for v in VALUES["a"]])
    typed = compute_cut_point(frame, transform="none", method="parametric")
    tukey = compute_cut_point(frame, transform="none", method="parametric", outlier_quartiles="tukey")
    assert [(o.step, o.donor) for o in typed.outliers] == [("biological", "D7")]
    assert typed.outliers[0].upper_fence == pytest.approx(22.375, abs=1e-12)
    assert tukey.outliers == () and tukey.n_donors == 8
    assert typed.settings["outlier_rule"] == "boxplot 1.5 IQR, type-7 quartiles"
    assert tukey.settings["outlier_rule"] == "boxplot 1.5 IQR, Tukey's hinges (R boxplot.stats)"
    assert set(typed.to_frame()["outlier_quartiles"]) == {"type7"}
    assert set(tukey.to_frame()["outlier_quartiles"]) == {"tukey"}
    with pytest.raises(InputError, match="outlier quartiles"):
        compute_cut_point(frame, outlier_quartiles="type10")


def test_the_report_and_the_command_state_the_quartiles(tmp_path: Path) -> None:
    from bioparity.analyses.ada_cutpoint import ada_tables

    frame = _donors([float(v) for v in VALUES["a"]]).rename(columns={"value": "signal"})
    data, out = tmp_path / "cp.csv", tmp_path / "out.csv"
    frame.to_csv(data, index=False)
    args = ["ada-cutpoint", str(data), "--out", str(out), "--transform", "none", "--method", "parametric"]
    shown = CliRunner().invoke(app, [*args, "--outlier-quartiles", "tukey"])
    assert shown.exit_code == 0, shown.output
    assert "quartiles by Tukey's hinges (as R boxplot.stats)" in " ".join(shown.output.split())  # wrapped
    table = pd.read_csv(out)
    assert set(table["outlier_quartiles"]) == {"tukey"} and set(table["n_outliers"]) == {0}
    assert "quartiles by Tukey's hinges (as R boxplot.stats)." in (ada_tables(table).main[0].note or "")
    old = table.drop(columns=["outlier_quartiles"])  # a result stored before the option: type 7
    assert "quartiles by R quantile type 7." in (ada_tables(old).main[0].note or "")
