"""Simulated PK similarity studies: subjects -> concentrations -> NCA -> pairwise decision, per block.

Studies are numbered ``0 .. K-1`` and simulated in blocks of :data:`STUDIES_PER_BLOCK`; block ``b`` draws
all its random numbers from its own stream (:func:`bioparity.seeding.block_generator`) in a fixed
order and shape, whatever part of the block is requested. Study ``i`` therefore depends only on the seed,
the design and ``i``: the same for any chunking and any number of workers, and the first ``K`` studies of
a longer run are the ``K`` studies of a shorter one. Changing a conduct setting (dropout, LLOQ, ADA) keeps
the subjects' PK parameters (common random numbers across scenarios with the same arm sizes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioparity.arrays import BoolArray, FloatArray
from bioparity.errors import InputError
from bioparity.nca import nca_arrays
from bioparity.seeding import block_generator, block_spans
from bioparity.simulate.decision import pooled_pairwise_intervals, welch_pairwise_intervals
from bioparity.simulate.design import PKSimilarityDesign
from bioparity.simulate.pk_model import central_amount
from bioparity.simulate.results import StudyOutcomes

#: Studies per random stream. Part of the simulation's definition (changing it changes the numbers),
#: independent of how the studies are chunked or how many workers run them.
STUDIES_PER_BLOCK = 100


@dataclass(frozen=True)
class SimulatedStudies:
    """Observed data of ``S`` studies x ``N`` subjects x ``T`` sampling times (arms in column order).

    Subject columns are grouped by arm (arm 0's subjects first, ``design.arm_of_subject()``); times are
    ``design.times``.

    Attributes
    ----------
    conc : numpy.ndarray of float, shape (S, N, T)
        Observed concentrations (mg/L) with residual error; NaN where not sampled (after a dropout).
    blq : numpy.ndarray of bool, shape (S, N, T)
        Observations reported below the LLOQ (the NCA applies its BLQ rule to them).
    dropped : numpy.ndarray of bool, shape (S, N)
        Subjects who dropped out.
    ada : numpy.ndarray of bool, shape (S, N)
        Subjects who developed anti-drug antibodies (higher clearance from ``design.ada_onset``).
    """

    conc: FloatArray  # (S, N, T) mg/L; NaN = not sampled (after a dropout)
    blq: BoolArray  # (S, N, T) reported below the LLOQ
    dropped: BoolArray  # (S, N)
    ada: BoolArray  # (S, N)


def _omega(cv: float) -> float:
    """Log-scale SD of a log-normal with coefficient of variation ``cv``."""
    return float(np.sqrt(np.log1p(cv * cv)))


def simulate_block(
    design: PKSimilarityDesign, seed: int, block: int, first: int = 0, stop: int = STUDIES_PER_BLOCK
) -> SimulatedStudies:
    """Studies ``first .. stop - 1`` of block ``block`` (offsets inside the block).

    Draws every random number of the block in a fixed order and shape (PK parameters, residual errors,
    dropout, dropout time, ADA), then keeps the studies asked for, so a study's data depend only on the
    seed, the design and its number ``block * STUDIES_PER_BLOCK + offset``.

    Parameters
    ----------
    design : PKSimilarityDesign
        Model, conduct and sampling of the study.
    seed : int
        Seed of the run, a whole number >= 0.
    block : int
        Block number, >= 0: studies ``block * STUDIES_PER_BLOCK`` to ``(block + 1) * STUDIES_PER_BLOCK - 1``.
    first : int, default 0
        First study of the block to return (offset inside the block).
    stop : int, default STUDIES_PER_BLOCK
        One past the last offset to return, ``first < stop <= STUDIES_PER_BLOCK``.

    Returns
    -------
    SimulatedStudies
        Concentrations, BLQ flags, dropouts and ADA status of the ``stop - first`` studies.

    Raises
    ------
    InputError
        For a seed that is not a whole number >= 0.

    Examples
    --------
    >>> design = PKSimilarityDesign(n_per_arm=20)
    >>> data = simulate_block(design, seed=1, block=0, first=0, stop=5)
    >>> data.conc.shape  # 5 studies x 60 subjects x 17 sampling times
    (5, 60, 17)
    """
    rng = block_generator(seed, block)
    B, N, T = STUDIES_PER_BLOCK, design.n_subjects, len(design.times)
    # Fixed draw order and shapes for the whole block (see module docstring).
    eta = rng.standard_normal((B, N, 3))[first:stop]
    eps = rng.standard_normal((B, N, T))[first:stop]
    u_dropout = rng.random((B, N))[first:stop]
    u_time = rng.random((B, N))[first:stop]
    u_ada = rng.random((B, N))[first:stop]

    arm = design.arm_of_subject()
    cl = design.cl * np.exp(_omega(design.cv_cl) * eta[..., 0])
    v = design.v * np.exp(_omega(design.cv_v) * eta[..., 1])
    ka = design.ka * np.exp(_omega(design.cv_ka) * eta[..., 2])
    dose = design.dose * np.asarray(design.exposure)[arm]
    ada = u_ada < np.asarray(design.ada_fractions)[arm][None, :]
    onset = np.where(ada, design.ada_onset, np.inf)
    t = np.asarray(design.times)[None, None, :]
    amount = central_amount(
        t,
        np.broadcast_to(dose[None, :, None], (*ada.shape, 1)),
        ka[..., None],
        (cl / v)[..., None],
        onset[..., None],
        design.ada_cl_factor,
    )
    conc = amount / v[..., None] * np.exp(_omega(design.residual_cv) * eps)
    dropped = u_dropout < design.dropout
    t0, t_end = design.times[0], design.times[-1]
    drop_time = np.where(dropped, t0 + u_time * (t_end - t0), np.inf)
    missing = t > drop_time[..., None]
    conc = np.where(missing, np.nan, conc)
    blq = ~missing & (conc < design.lloq)
    return SimulatedStudies(conc=conc, blq=blq, dropped=dropped, ada=ada)


def nca_parameters(design: PKSimilarityDesign) -> list[str]:
    """NCA codes the decision needs (AUCPEO for the extrapolation rule and count on AUCIFO)."""
    return [*design.metrics, *(["AUCPEO"] if "AUCIFO" in design.metrics else [])]


def analyse(design: PKSimilarityDesign, studies: SimulatedStudies) -> StudyOutcomes:
    """NCA of every subject of every study in one call, then the pairwise decision of every study.

    The NCA (lin-up/log-down, PKNCA's BLQ rule) gives ``design.metrics`` (and AUCPEO for the
    extrapolation rule); the analysis set and ``design.aucpext_rule`` select the values; the pairwise
    intervals use ``design.variance``.

    Parameters
    ----------
    design : PKSimilarityDesign
        The design the studies were simulated with (its analysis settings are applied).
    studies : SimulatedStudies
        Observed data of ``S`` studies, e.g. from :func:`simulate_block`.

    Returns
    -------
    StudyOutcomes
        Per study, metric and comparison the GMR, CI, estimability and decision, with the subjects
        analysed, dropouts, ADA-positive subjects and the count above ``max_aucpext``.

    References
    ----------
    EMA, Guideline on the Investigation of Bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1 (2010),
    section 4.1.8 (AUC extrapolation, analysis population). Denney W, Duvvuri S, Buckeridge C (2015)
    Simple, automatic noncompartmental analysis: the PKNCA R package. J Pharmacokinet Pharmacodyn
    42(1):11-107, S65 (abstract).

    Examples
    --------
    >>> design = PKSimilarityDesign(n_per_arm=20)
    >>> out = analyse(design, simulate_block(design, seed=1, block=0, first=0, stop=5))
    >>> out.passed.shape, out.n_analysed[0, 0].tolist()  # (studies, metrics, comparisons); per arm
    ((5, 3, 3), [20, 20, 20])
    """
    S, N, T = studies.conc.shape
    times = np.broadcast_to(np.asarray(design.times), (S * N, T))
    res = nca_arrays(
        times,
        studies.conc.reshape(S * N, T),
        blq=studies.blq.reshape(S * N, T),
        parameters=nca_parameters(design),
        max_workers=1,  # the scale layer parallelises over processes
    )
    values = np.stack([res.value(m).reshape(S, N) for m in design.metrics], axis=1)  # (S, M, N)
    include = np.isfinite(values) & (values > 0)
    if design.analysis_set == "completers":
        # the analysis's completers: no dropout and every metric (pk_similarity_table population)
        include &= (~studies.dropped & include.all(axis=1))[:, None, :]
    n_over = np.zeros(S, dtype=np.int64)
    if "AUCIFO" in design.metrics:
        # the %AUCext rule acts on AUCIFO alone, after the population (as pk_similarity_table): AUC0-t and
        # Cmax of a subject above the limit stay analysed (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8)
        m = design.metrics.index("AUCIFO")
        over = np.nan_to_num(res.value("AUCPEO").reshape(S, N), nan=0.0) > design.max_aucpext
        n_over = (over & include[:, m]).sum(axis=1)  # in the population: kept, or left out below
        if design.aucpext_rule == "exclude":
            include[:, m] &= ~over
    M = len(design.metrics)
    intervals = welch_pairwise_intervals if design.variance == "welch" else pooled_pairwise_intervals
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(np.where(include, values, 1.0))
    iv = intervals(
        logs.reshape(S * M, N),
        include.reshape(S * M, N),
        design.arm_of_subject(),
        len(design.arms),
        design.comparisons,
        alpha=design.alpha,
        theta1=design.theta1,
        theta2=design.upper_limit,
    )
    C = len(design.comparisons)
    return StudyOutcomes(
        gmr=iv.gmr.reshape(S, M, C),
        ci_lower=iv.ci_lower.reshape(S, M, C),
        ci_upper=iv.ci_upper.reshape(S, M, C),
        passed=iv.passed.reshape(S, M, C),
        estimable=iv.estimable.reshape(S, M, C),
        n_analysed=iv.n.reshape(S, M, len(design.arms)),
        n_dropouts=studies.dropped.sum(axis=1),
        n_ada=studies.ada.sum(axis=1),
        n_aucpext_over=np.asarray(n_over, dtype=np.int64),
    )


def simulate_studies(design: PKSimilarityDesign, seed: int, lo: int, hi: int) -> StudyOutcomes:
    """Outcomes of studies ``lo .. hi - 1`` (one NCA call per block: bounded memory).

    The studies are those of any other chunking of the same run (see the module docstring), so chunks
    computed on different workers concatenate (or tally) to the result of one call.

    Parameters
    ----------
    design, seed
        As in :func:`simulate_block`: the design (model, conduct, analysis) and the seed of the run.
    lo : int
        First study number, >= 0.
    hi : int
        One past the last study number, ``hi > lo``.

    Returns
    -------
    StudyOutcomes
        The outcomes of the ``hi - lo`` studies, in study order.

    Raises
    ------
    InputError
        ``lo`` is negative or ``hi <= lo`` (no study to simulate); as :func:`simulate_block` (a seed that
        is not a whole number >= 0).

    Examples
    --------
    >>> design = PKSimilarityDesign(n_per_arm=20)
    >>> whole = simulate_studies(design, seed=1, lo=0, hi=10)
    >>> part = simulate_studies(design, seed=1, lo=5, hi=10)
    >>> bool((whole.gmr[5:] == part.gmr).all())
    True
    """
    if not 0 <= lo < hi:
        raise InputError(f"simulate_studies needs 0 <= lo < hi (study numbers), got lo={lo}, hi={hi}")
    parts = [
        analyse(design, simulate_block(design, seed, b, first, stop))
        for b, first, stop in block_spans(lo, hi, STUDIES_PER_BLOCK)
    ]
    return StudyOutcomes.concat(parts)
