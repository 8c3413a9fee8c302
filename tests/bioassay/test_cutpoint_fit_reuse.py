"""The screening and titration tiers analyse the same values (the screening signals, the same transform and
outlier rule; Devanarayan et al. 2017, AAPS J 19:1487, "Titer cut point"), so their REML fit of
``y = mu + run + donor + e`` is made once and reused; the confirmatory tier (% inhibition) has a fit of its
own. The reused fit is the one a separate titration analysis makes: its variance components and run
comparison are equal to those of ``compute_cut_point(tier="titration")`` to the last bit (the same
computation on the same doubles), and the variance components are those of R's ANOVA estimator for this
balanced design (``(MS_donor - MS_error) / runs`` and ``MS_error``, which REML equals when the donor
variance is positive; Searle, Casella & McCulloch 1992, Variance Components, section 6.3), computed here from
the mean squares with NumPy (relative 1e-6, the optimiser's tolerance).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import bioparity.bioassay.cutpoint as cutpoint
from bioparity.bioassay import compute_cut_point, screening_and_confirmatory
from bioparity.bioassay.reml import reml_fit


def _validation() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    rows = []
    for d in range(20):
        u = rng.normal(0, 0.15)
        for r in range(4):
            signal = float(np.exp(4.6 + u + rng.normal(0, 0.08) + 0.03 * r))
            rows.append((f"D{d:02d}", f"R{r}", signal, signal * (1 - rng.normal(5, 5) / 100)))
    return pd.DataFrame(rows, columns=["donor", "run", "signal", "signal_drug"])


def test_screening_and_titration_share_one_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    fitted: list[int] = []

    def counted(*args: object) -> object:
        fitted.append(len(args[0]))  # type: ignore[arg-type]
        return reml_fit(*args)  # type: ignore[arg-type]

    frame = _validation()
    monkeypatch.setattr(cutpoint, "reml_fit", counted)
    screening, confirmatory, titration = screening_and_confirmatory(
        frame, titration_fpr=0.001, remove_outliers=False
    )
    assert len(fitted) == 2  # screening (reused by titration) and confirmatory; 3 before
    alone = compute_cut_point(
        frame.rename(columns={"signal": "value"}), tier="titration", fpr=0.001, remove_outliers=False
    )
    for name in ("var_donor", "var_residual", "run_means_p", "run_variances_p", "cut_point"):
        assert getattr(titration, name) == getattr(alone, name)
        assert getattr(titration, name) == getattr(screening, name) or name == "cut_point"
    assert confirmatory.var_residual != screening.var_residual

    # the ANOVA estimators of the balanced donor x run table (log scale)
    y = np.log(frame.pivot(index="donor", columns="run", values="signal").to_numpy())
    donors, runs = y.shape
    resid = y - y.mean(axis=1, keepdims=True) - y.mean(axis=0, keepdims=True) + y.mean()
    ms_error = float((resid**2).sum() / ((donors - 1) * (runs - 1)))
    ms_donor = float(runs * ((y.mean(axis=1) - y.mean()) ** 2).sum() / (donors - 1))
    assert screening.transform == "log"
    assert titration.var_residual == pytest.approx(ms_error, rel=1e-6)
    assert titration.var_donor == pytest.approx((ms_donor - ms_error) / runs, rel=1e-6)
