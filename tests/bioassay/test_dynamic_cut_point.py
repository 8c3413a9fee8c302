"""Run variances that differ make the screening cut point dynamic, never floating.

Shankar et al. 2008 (J Pharm Biomed Anal 48:1267, Appendix 1 section 3): a fixed cut point when the runs'
means and variances agree, a floating one (a normalisation factor on each run's negative control) when only
the means differ, and a dynamic one (each in-study run's own cut point from its own negative samples) when
the variances differ: a factor shifts a run's cut point but cannot rescale its spread. The validation set
here has run R2's donors spread 2.5 times as wide as R1's (same mean): ``dynamic``, no normalisation factor
even with ``nc``, the pooled estimate for reference and each validation run's own cut point in the note.
R 4.2.2 (the script in the first test's docstring) gives Levene's p and the cut points: absolute 1e-9 for p,
relative 1e-12 for the cut points, 4 significant digits as printed in the note. Applying such a result as one
cut point (sensitivity, drug tolerance, an ADA listing) is refused with what to give instead; a result of an
earlier version, which called it ``floating (variances differ)`` and applied it as floating, is refused the
same way.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.bioassay import compute_cut_point
from bioparity.bioassay.classify import (
    DYNAMIC_FOR_LISTING,
    DYNAMIC_FOR_RUNS,
    ValidatedCutPoint,
    ada_status,
    classify_samples,
    with_validated_cut_point,
)
from bioparity.cli.main import app
from bioparity.errors import InputError

_BASE = (92.1, 95.4, 97.0, 98.2, 99.1, 99.8, 100.5, 101.3, 102.0, 103.2,
         104.1, 105.6, 107.3, 108.9, 111.2, 96.3, 98.7, 100.9, 102.8, 106.1)  # fmt: skip
_JITTER = (0.4, -0.3, 0.2, -0.5, 0.1, 0.3, -0.2, 0.5, -0.4, 0.2,
           -0.1, 0.3, -0.3, 0.4, -0.2, 0.1, -0.4, 0.2, 0.3, -0.1)  # fmt: skip


def validation_set() -> pd.DataFrame:
    """20 donors x 2 runs: R1 the donors' levels, R2 the same levels spread 2.5 times as wide around 101."""
    rows = []
    for d, (level, jitter) in enumerate(zip(_BASE, _JITTER, strict=True)):
        rows.append((f"D{d + 1:02d}", "R1", round(level, 2), 100.0))
        rows.append((f"D{d + 1:02d}", "R2", round(101 + 2.5 * (level - 101) + jitter, 2), 100.0))
    return pd.DataFrame(rows, columns=["donor", "run", "signal", "nc"])


def test_variances_that_differ_make_a_dynamic_cut_point() -> None:
    """R 4.2.2 on the same values (``d``: ``run``, ``value``)::

    g <- factor(d$run); z <- abs(d$value - ave(d$value, g))
    anova(lm(z ~ g))[["Pr(>F)"]][1]                      # Levene (mean-centred) p 0.00220923413416316
    mean(d$value) + qnorm(0.95) * sd(d$value)            # pooled parametric 116.707653637353
    # each run alone: R1 109.383395849809, R2 121.971182039563
    """
    frame = validation_set().rename(columns={"signal": "value"})
    result = compute_cut_point(frame, transform="none", method="parametric")
    assert result.cut_point_type == "dynamic"
    assert result.run_variances_p == pytest.approx(0.00220923413416316, abs=1e-9)
    assert result.cut_point == pytest.approx(116.707653637353, rel=1e-12)
    assert result.normalization == "none" and math.isnan(result.normalization_factor)  # nc given, not used
    (note,) = [n for n in result.notes if n.startswith("run variances differ")]
    assert "dynamic cut point" in note and "Appendix 1 section 3" in note
    assert note.endswith("the validation runs' own cut points (parametric, data scale): R1 109.4, R2 122")


def test_a_dynamic_cut_point_is_not_applied_as_one_cut_point() -> None:
    curves = pd.DataFrame({"run": ["R1", "R2"], "nc": [100.0, 120.0]})
    listing = pd.DataFrame({"USUBJID": ["1"], "SIGNAL": [2.0], "SIGNAL_DRUG": [0.5], "NC": [1.0]})
    for stored in ("dynamic", "floating (variances differ)"):  # the word of this version and of earlier ones
        screening = ValidatedCutPoint(
            "screening", 1.3, "parametric", 0.05, stored, "additive on log scale", 0.2
        )
        with pytest.raises(InputError) as refused:
            with_validated_cut_point(curves, screening)
        assert str(refused.value) == DYNAMIC_FOR_RUNS
        confirmatory = ValidatedCutPoint("confirmatory", 20.0, "parametric", 0.01, "fixed", "none", math.nan)
        cut_points = {"screening": screening, "confirmatory": confirmatory}
        with pytest.raises(InputError) as refused:
            ada_status(listing, cut_points, cut_point_run="cp")
        assert str(refused.value) == DYNAMIC_FOR_LISTING


def test_the_commands_refuse_a_dynamic_result_and_say_what_to_give(tmp_path: Path) -> None:
    runner = CliRunner()
    validation_set().to_csv(tmp_path / "val.csv", index=False)
    made = runner.invoke(
        app,
        ["ada-cutpoint", str(tmp_path / "val.csv"), "--out", str(tmp_path / "cp.csv"), "--transform", "none"],
    )
    assert made.exit_code == 0, made.output
    table = pd.read_csv(tmp_path / "cp.csv")
    assert set(table.loc[table["tier"] == "screening", "cut_point_type"]) == {"dynamic"}
    pd.DataFrame(
        {"run": ["R1"] * 3, "concentration": [1.0, 10.0, 100.0], "signal": [100.0, 130.0, 200.0], "nc": 100.0}
    ).to_csv(tmp_path / "pc.csv", index=False)
    ran = runner.invoke(
        app,
        ["ada-sensitivity", str(tmp_path / "pc.csv"), "--cut-points", str(tmp_path / "cp.csv"),
         "--out", str(tmp_path / "s.csv")],
    )  # fmt: skip
    assert ran.exit_code == 2
    shown = " ".join(ran.output.split())
    assert "the validated screening cut point is dynamic" in shown
    assert "give each run's own cut point, from that run's negative samples, in a 'cut_point' column" in shown


def test_classify_samples_refuses_what_it_would_apply_as_the_validation_sets_value() -> None:
    """A floating cut point without the plates' ``nc`` (or without its factor) and a dynamic one: before, each
    plate silently got the validation set's pooled cut point."""
    samples = pd.DataFrame({"sample": ["S1", "S2"], "signal": [1.2, 1.5]})
    floating = ValidatedCutPoint("screening", 1.3, "parametric", 0.05, "floating", "multiplicative", 1.25)
    with pytest.raises(InputError, match="the data need each run's negative control in an 'nc' column"):
        classify_samples(samples, floating)
    no_factor = ValidatedCutPoint("screening", 1.3, "parametric", 0.05, "floating", "none", math.nan)
    with pytest.raises(InputError, match="has no normalisation factor"):
        classify_samples(samples.assign(nc=1.0), no_factor)
    dynamic = ValidatedCutPoint("screening", 1.3, "parametric", 0.05, "dynamic", "none", math.nan)
    with pytest.raises(InputError, match="is dynamic"):
        classify_samples(samples.assign(nc=1.0), dynamic)
    plates = classify_samples(samples.assign(nc=[1.0, 1.3]), floating)  # NC x NF per plate
    assert plates["screening_cut_point"].tolist() == [1.25, 1.625]
    assert plates["status"].tolist() == ["NEG", "NEG"]
