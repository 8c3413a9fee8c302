"""Synthetic data of the demo program (pure functions, seeded: the same seed gives the same bytes).

The PK study is a single-dose, three-arm parallel study of an IgG1 mAb (150 mg subcutaneous) in healthy
volunteers: the proposed biosimilar (``test``), EU-sourced and US-sourced reference (``eu-ref``,
``us-ref``). Concentrations follow a one-compartment model with first-order absorption,

    C(t) = F·D·ka / (V·(ka - ke)) · (exp(-ke·t) - exp(-ka·t)),  ke = CL / V,

with log-normal between-subject variability on CL (CV ~ 25 %), V (~ 20 %) and ka (~ 20 %), body weight as
a covariate of CL and V (allometric exponents 0.75 and 1), a proportional residual error (~ 8 %), and
samples below the LLOQ (0.1 µg/mL) reported as ``BLQ``. Times are in hours (to 12 weeks), concentrations
in µg/mL. True ratios: test/EU-ref 0.97, EU-ref/US-ref 1.02, so all comparisons should be similar.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 20261125
ARMS = ("test", "eu-ref", "us-ref")
#: Sampling times (h): pre-dose, then to day 84.
TIMES_H = np.array([0, 6, 12, 24, 48, 72, 96, 144, 168, 336, 504, 672, 1008, 1344, 2016.0])
DOSE_MG = 150.0
LLOQ_UG_ML = 0.1
_RELATIVE_CL = {"test": 1 / 0.97, "eu-ref": 1.0, "us-ref": 1.02}


def pk_concentrations(seed: int = SEED, per_arm: int = 67) -> pd.DataFrame:
    """Long table ``subject, arm, weight_kg, time, conc, dose`` (``conc`` text: numbers or ``BLQ``)."""
    rng = np.random.default_rng(seed)
    n = per_arm * len(ARMS)
    arm = np.repeat(np.array(ARMS), per_arm)
    weight = np.clip(rng.normal(75.0, 11.0, n), 50.0, 110.0).round(1)
    size = weight / 75.0
    cl_l_h = 0.012 * size**0.75 * np.exp(rng.normal(0, 0.25, n)) * np.vectorize(_RELATIVE_CL.get)(arm)
    v_l = 6.0 * size * np.exp(rng.normal(0, 0.20, n))
    ka_h = 0.012 * np.exp(rng.normal(0, 0.20, n))
    ke_h = cl_l_h / v_l
    t = TIMES_H[None, :]
    bioavailability = 0.65
    conc = (
        bioavailability
        * DOSE_MG
        * ka_h[:, None]
        / (v_l[:, None] * (ka_h - ke_h)[:, None])
        * (np.exp(-ke_h[:, None] * t) - np.exp(-ka_h[:, None] * t))
    )
    conc = conc * np.exp(rng.normal(0, 0.08, conc.shape))
    text = np.where(conc < LLOQ_UG_ML, "BLQ", np.char.mod("%.4f", np.round(conc, 4)))
    text[:, 0] = "0"  # pre-dose sample: no drug yet
    subject = np.array([f"PK101-{i + 1:04d}" for i in range(n)])
    return pd.DataFrame(
        {
            "subject": np.repeat(subject, TIMES_H.size),
            "arm": np.repeat(arm, TIMES_H.size),
            "weight_kg": np.repeat(weight, TIMES_H.size),
            "time": np.tile(TIMES_H, n),
            "conc": text.ravel(),
            "dose": DOSE_MG,
        }
    )


def power_grid() -> pd.DataFrame:
    """Planning scenarios: parallel design, total CV 25-40 %, GMR 0.95, total n 60-360 (power grid)."""
    cvs = np.array([0.25, 0.30, 0.35, 0.40])
    ns = np.arange(60, 361, 30)
    cv, n = np.meshgrid(cvs, ns, indexing="ij")
    return pd.DataFrame(
        {"design": "parallel", "cv": cv.ravel(), "theta0": 0.95, "n": n.ravel(), "method": "exact"}
    )
