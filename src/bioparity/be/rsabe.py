"""FDA reference-scaled average bioequivalence (RSABE) by intra-subject contrasts and Howe's bound.

Following the analysis of the FDA Draft Guidance on Progesterone (2011) and Davit et al. (2012, AAPS J
14:915-924), as PowerTOST ``power.RSABE`` implements it:

* ``ilat`` per subject: mean of its T values minus mean of its R values, for subjects with every
  planned observation; analysed by sequence (``ilat ~ sequence``). The point estimate is the
  unweighted mean of the sequence means, ``SE^2 = MSE * sum(1/n_s) / S^2``, ``df = n - S``.
* ``dlat`` per subject with two R observations: first R minus second R; ``dlat ~ sequence`` gives
  ``s2wR = MSE / 2`` with ``df_RR = n_RR - S_RR``.
* Linearised criterion ``(muT - muR)^2 - theta_s^2 s2wR <= 0`` tested by the 95% upper bound
  ``UB = Em - Es + sqrt((Cm - Em)^2 + (Cs - Es)^2)``, ``Em = PE^2 - SE^2``, ``Es = theta_s^2 s2wR``,
  ``Cm = (|PE| + t SE)^2``, ``Cs = Es df_RR / chi2_{0.95, df_RR}``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from bioparity.arrays import FloatArray, IntArray
from bioparity.be.data import CrossoverData
from bioparity.errors import InputError


@dataclass(frozen=True)
class ContrastAnalysis:
    """Intra-subject contrast statistics (log scale)."""

    pe: float
    se: float
    df: int
    n_ilat: int
    s2wr: float
    df_rr: int
    n_dlat: int
    s2wt: float | None
    df_tt: int


def _by_sequence(values: FloatArray, seq: IntArray) -> tuple[float, float, float, int]:
    """Unweighted mean of sequence means, its variance factor ``sum(1/n_s)/S^2``, pooled SS, and S."""
    used = np.unique(seq)
    n_s = np.bincount(seq)[used].astype(float)
    means = np.bincount(seq, weights=values)[used] / n_s
    centred = values - np.bincount(seq, weights=values)[seq] / np.bincount(seq)[seq]
    return (
        float(means.mean()),
        float((1.0 / n_s).sum() / used.size**2),
        float(centred @ centred),
        int(used.size),
    )


def _replicate_difference(data: CrossoverData, test: bool) -> tuple[FloatArray, IntArray]:
    """First minus second observation of one treatment, for subjects whose sequence has it exactly twice."""
    letter = "T" if test else "R"
    twice = np.array([s.count(letter) == 2 for s in data.sequences])
    mask = (data.is_test == test) & twice[data.sequence]
    subj, per, y = data.subject[mask], data.period[mask], data.log_pk[mask]
    order = np.lexsort((per, subj))
    subj, y = subj[order], y[order]
    starts = np.flatnonzero(np.r_[True, subj[1:] != subj[:-1]])
    counts = np.diff(np.r_[starts, subj.size])
    first = starts[counts == 2]
    return y[first] - y[first + 1], data.subject_sequence[subj[first]]


def intra_subject_contrasts(data: CrossoverData) -> ContrastAnalysis:
    """``ilat`` and ``dlat`` analyses of a replicate study (needs R replicated in some sequence)."""
    if not data.reference_replicated:
        raise InputError(f"FDA RSABE needs a design that replicates R; design {data.design} does not")
    n_sub = data.n
    n_t = np.bincount(data.subject, weights=data.is_test, minlength=n_sub)
    n_r = np.bincount(data.subject, weights=~data.is_test, minlength=n_sub)
    sum_t = np.bincount(data.subject, weights=np.where(data.is_test, data.log_pk, 0.0), minlength=n_sub)
    sum_r = np.bincount(data.subject, weights=np.where(data.is_test, 0.0, data.log_pk), minlength=n_sub)
    planned_t = np.array([s.count("T") for s in data.sequences])[data.subject_sequence]
    planned_r = np.array([s.count("R") for s in data.sequences])[data.subject_sequence]
    complete = (n_t == planned_t) & (n_r == planned_r) & (planned_t > 0) & (planned_r > 0)
    if complete.sum() < 3:
        raise InputError(
            "fewer than 3 subjects with all planned T and R observations: ilat cannot be analysed"
        )
    ilat = sum_t[complete] / n_t[complete] - sum_r[complete] / n_r[complete]
    seq_i = data.subject_sequence[complete]
    pe, factor, ss, n_seq = _by_sequence(ilat, seq_i)
    df = int(ilat.size - n_seq)
    if df < 1:
        raise InputError("no degrees of freedom left for the ilat analysis")
    se = float(np.sqrt(ss / df * factor))

    dlat_r, seq_r = _replicate_difference(data, test=False)
    _, _, ss_r, n_seq_r = _by_sequence(dlat_r, seq_r) if dlat_r.size else (0.0, 0.0, 0.0, 0)
    df_rr = int(dlat_r.size - n_seq_r)
    if df_rr < 1:
        raise InputError(
            "fewer than 2 subjects with both R observations in a sequence: s2wR cannot be estimated"
        )
    s2wr = ss_r / df_rr / 2.0
    s2wt, df_tt = None, 0
    if data.test_replicated:
        dlat_t, seq_t = _replicate_difference(data, test=True)
        if dlat_t.size:
            _, _, ss_t, n_seq_t = _by_sequence(dlat_t, seq_t)
            df_tt = int(dlat_t.size - n_seq_t)
            s2wt = ss_t / df_tt / 2.0 if df_tt > 0 else None
    return ContrastAnalysis(
        pe=pe,
        se=se,
        df=df,
        n_ilat=int(ilat.size),
        s2wr=float(s2wr),
        df_rr=df_rr,
        n_dlat=int(dlat_r.size),
        s2wt=s2wt,
        df_tt=df_tt,
    )


def howe_upper_bound(
    pe: float, se: float, df: int, s2wr: float, df_rr: int, theta_s: float, alpha: float = 0.05
) -> float:
    """95% upper bound of ``(muT - muR)^2 - theta_s^2 s2wR`` by Howe's method.

    Howe (1974, JASA 69:789-794) as used for the linearised criterion by Hyslop, Hsuan & Holder (2000,
    Stat Med 19:2885-2897) and the FDA Draft Guidance on Progesterone (2011).
    """
    t = float(stats.t.ppf(1.0 - alpha, df))
    em = pe * pe - se * se
    es = theta_s * theta_s * s2wr
    cm = (abs(pe) + t * se) ** 2
    cs = es * df_rr / float(stats.chi2.ppf(1.0 - alpha, df_rr))
    return float(em - es + np.sqrt((cm - em) ** 2 + (cs - es) ** 2))
