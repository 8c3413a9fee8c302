"""A sample's ADA status from validated cut points (tiered testing), for the immunogenicity summaries.

Screening: positive when the signal is at or above the screening cut point; with a floating cut point
and the plate's negative control ``nc``, the plate cut point is ``nc * exp(NF)`` (additive NF on the log
scale) or ``nc * NF`` (multiplicative). Confirmation: a screen-positive sample is ADA positive when its
% inhibition by excess drug is at or above the confirmatory cut point (Shankar et al. 2008, J Pharm
Biomed Anal 48:1267, section 2; FDA 2019 ADA guidance, section III). The ``status`` column uses the
``POS``/``NEG`` codes of ``bioparity.clinical.immunogenicity``; ``cut_point_run`` records which cut-point
analysis was applied (provenance).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from bioparity.bioassay.cutpoint import inhibition
from bioparity.bioassay.results import CutPointResult
from bioparity.errors import InputError


def _plate_cut_point(result: CutPointResult, nc: np.ndarray | None) -> np.ndarray | float:
    if (
        result.cut_point_type.startswith("floating")
        and nc is not None
        and not math.isnan(result.normalization_factor)
    ):
        if result.normalization == "additive on log scale":
            return nc * math.exp(result.normalization_factor)
        return nc * result.normalization_factor
    return result.cut_point


def classify_samples(
    samples: pd.DataFrame,
    screening: CutPointResult,
    confirmatory: CutPointResult | None = None,
    *,
    cut_point_run: str = "",
) -> pd.DataFrame:
    """``samples`` has ``sample``, ``signal`` [, ``signal_drug``, ``nc``]; one row per sample out.

    Parameters
    ----------
    samples : pandas.DataFrame
        Study samples: ``sample`` and ``signal``, ``signal_drug`` (signal with excess drug; required
        with ``confirmatory``) and optionally ``nc`` (the plate's negative control, for a floating
        screening cut point).
    screening : CutPointResult
        The validated screening cut point (tier ``screening``); when it floats and ``nc`` is given,
        the plate cut point is ``nc exp(NF)`` or ``nc NF``.
    confirmatory : CutPointResult or None, default None
        The validated confirmatory cut point (tier ``confirmatory``, % inhibition); ``None`` reports
        the screening result only.
    cut_point_run : str, default ""
        Identifier of the cut-point analysis applied, copied into every row (provenance).

    Returns
    -------
    pandas.DataFrame
        One row per sample: ``sample``, ``signal``, ``screening_cut_point``, ``screen_positive``,
        then ``inhibition`` (%) and ``confirmatory_cut_point`` when confirmed, or ``note`` when
        screened only; ``status`` (``POS``/``NEG``) and ``cut_point_run``.

    Raises
    ------
    InputError
        When a cut point has the wrong tier or a required column is missing.
    """
    if screening.tier != "screening":
        raise InputError(f"the screening cut point has tier {screening.tier!r}")
    if confirmatory is not None and confirmatory.tier != "confirmatory":
        raise InputError(f"the confirmatory cut point has tier {confirmatory.tier!r}")
    for col in ("sample", "signal"):
        if col not in samples.columns:
            raise InputError(f"samples need a '{col}' column")
    signal = samples["signal"].to_numpy(float)
    nc = samples["nc"].to_numpy(float) if "nc" in samples.columns else None
    cp = _plate_cut_point(screening, nc)
    screen_pos = signal >= cp
    out = pd.DataFrame(
        {
            "sample": samples["sample"].astype(str),
            "signal": signal,
            "screening_cut_point": np.broadcast_to(cp, signal.shape).astype(float),
            "screen_positive": screen_pos,
        }
    )
    if confirmatory is not None:
        if "signal_drug" not in samples.columns:
            raise InputError("confirmation needs a 'signal_drug' column")
        inh = inhibition(signal, samples["signal_drug"].to_numpy(float))
        confirmed = screen_pos & (inh >= confirmatory.cut_point)
        out["inhibition"] = inh
        out["confirmatory_cut_point"] = confirmatory.cut_point
        out["status"] = np.where(confirmed, "POS", "NEG")
    else:
        out["status"] = np.where(screen_pos, "POS", "NEG")
        out["note"] = "screening only (not confirmed)"
    out["cut_point_run"] = cut_point_run
    return out
