"""Probability of success of a PK similarity study, simulated on a Dask cluster (or in this process)."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bioparity.errors import InputError
from bioparity.progress import ProgressCallback
from bioparity.scale.chunks import auto_chunk_size
from bioparity.scale.cluster import Execution, dask_client, default_workers, describe
from bioparity.scale.runner import map_chunks
from bioparity.seeding import check_seed
from bioparity.simulate import (
    STUDIES_PER_BLOCK,
    PKSimilarityDesign,
    PKSimilarityPower,
    StudyOutcomes,
    Tally,
    simulate_studies,
    summarise,
)

if TYPE_CHECKING:
    from distributed import Client

#: More studies than this are not kept per study (``details=True``): about 1 kB per study.
MAX_DETAILED_STUDIES = 1_000_000


@dataclass(frozen=True)
class SimulationRun:
    """A finished run: the result (independent of how it ran) and how it ran.

    Attributes
    ----------
    result : bioparity.simulate.PKSimilarityPower
        Probability of success with its Monte Carlo standard error and the per-metric rates; the same
        for any workers and chunk size.
    execution : Execution
        Backend, workers and threads the run used.
    chunk_size : int
        Studies per task.
    n_chunks : int
        Number of tasks (``ceil(n_studies / chunk_size)``).
    seconds : float
        Wall-clock time of the run, in seconds (cluster start included when one was started).
    outcomes : bioparity.simulate.StudyOutcomes or None, default None
        Every study's estimates and intervals with ``details=True``; None otherwise.
    """

    result: PKSimilarityPower
    execution: Execution
    chunk_size: int
    n_chunks: int
    seconds: float
    outcomes: StudyOutcomes | None = None


def _tally_task(design: PKSimilarityDesign, seed: int, lo: int, hi: int) -> Tally:
    return simulate_studies(design, seed, lo, hi).tally()


def _outcomes_task(design: PKSimilarityDesign, seed: int, lo: int, hi: int) -> StudyOutcomes:
    return simulate_studies(design, seed, lo, hi)


def simulate_pk_similarity(
    design: PKSimilarityDesign,
    n_studies: int,
    seed: int,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    client: Client | None = None,
    details: bool = False,
    progress: ProgressCallback | None = None,
) -> SimulationRun:
    """Simulate ``n_studies`` studies of ``design`` from ``seed``; identical for any workers and chunks.

    Runs on ``client`` if given, else on a new local cluster of ``workers`` processes (default: one per
    CPU; 0 = in this process) or on the cluster at ``scheduler``. ``chunk_size`` studies per task
    (default: about four tasks per worker, at most 20,000 studies). ``details`` keeps every study's
    intervals (``outcomes``); otherwise tasks return integer tallies only. ``progress(done, total)`` is
    called as chunks complete.

    Parameters
    ----------
    design : bioparity.simulate.PKSimilarityDesign
        The study simulated (arms, subjects per arm, CVs, bioavailabilities, margins, dropout, ADA).
    n_studies : int
        Number of simulated studies, >= 1 (the Monte Carlo SE falls as ``1 / sqrt(n_studies)``).
    seed : int
        Seed (whole number >= 0); study ``k`` always draws from block ``k // STUDIES_PER_BLOCK`` of it.
    workers : int or None, default None
        Worker processes of a new local cluster (None: one per CPU; 0: in this process).
    scheduler : str or None, default None
        Address of an existing Dask scheduler to run on instead.
    chunk_size : int or None, default None
        Studies per task (>= 1); None: about four tasks per worker, at most 20,000 studies.
    client : distributed.Client or None, default None
        A client to run on (``workers`` and ``scheduler`` are then ignored).
    details : bool, default False
        Keep every study's outcome (``SimulationRun.outcomes``; at most 1,000,000 studies); otherwise
        tasks return integer tallies only.
    progress : callable or None, default None
        ``progress(done, total)`` in chunks.

    Returns
    -------
    SimulationRun
        The probability of success and how the run was executed.

    Raises
    ------
    bioparity.errors.InputError
        When ``n_studies``, ``seed`` or ``chunk_size`` is not a valid whole number, or ``details`` is
        asked for more than 1,000,000 studies.
    ClusterError
        When a scheduler cannot be reached.

    References
    ----------
    Morris TP, White IR, Crowther MJ. Using simulation studies to evaluate statistical methods. Stat
    Med 2019;38(11):2074-2102 (Monte Carlo standard error of a proportion).

    Examples
    --------
    The same studies whatever the chunking (100 studies in this process):

    >>> from bioparity.simulate import PKSimilarityDesign
    >>> design = PKSimilarityDesign(n_per_arm=60)
    >>> a = simulate_pk_similarity(design, 100, seed=1, workers=0)
    >>> b = simulate_pk_similarity(design, 100, seed=1, workers=0, chunk_size=30)
    >>> a.result.probability, b.result.probability, b.n_chunks
    (0.52, 0.52, 4)
    """
    if isinstance(n_studies, bool) or int(n_studies) != n_studies or n_studies < 1:
        raise InputError(f"n_studies = {n_studies!r}; expected a whole number >= 1")
    n_studies = int(n_studies)
    seed = check_seed(seed)
    if details and n_studies > MAX_DETAILED_STUDIES:
        raise InputError(
            f"per-study details for {n_studies:,} studies would not fit in memory; expected at most "
            f"{MAX_DETAILED_STUDIES:,} (drop the per-study output for larger runs)"
        )
    if chunk_size is not None and (int(chunk_size) != chunk_size or chunk_size < 1):
        raise InputError(f"chunk_size = {chunk_size!r}; expected a whole number of studies >= 1")
    start = time.perf_counter()
    if client is not None:
        return _run(design, n_studies, seed, chunk_size, client, details, start, progress)
    with dask_client(workers, scheduler) as own:
        return _run(design, n_studies, seed, chunk_size, own, details, start, progress)


def _run(
    design: PKSimilarityDesign,
    n_studies: int,
    seed: int,
    chunk_size: int | None,
    client: Client | None,
    details: bool,
    start: float,
    progress: ProgressCallback | None = None,
) -> SimulationRun:
    execution = describe(client)
    n_workers = execution.workers if client is not None else 1
    size = (
        int(chunk_size)
        if chunk_size is not None
        else auto_chunk_size(
            n_studies, max(n_workers, 1) if client else default_workers(), multiple=STUDIES_PER_BLOCK
        )
    )
    outcomes = None
    if details:
        parts = map_chunks(
            functools.partial(_outcomes_task, design, seed), n_studies, size, client, name="pk-sim-studies",
            progress=progress,
        )  # fmt: skip
        outcomes = StudyOutcomes.concat(parts)
        tally = outcomes.tally()
    else:
        tallies = map_chunks(
            functools.partial(_tally_task, design, seed), n_studies, size, client, name="pk-sim-tally",
            progress=progress,
        )  # fmt: skip
        tally = Tally.total(tallies)
    result = summarise(design, seed, tally, STUDIES_PER_BLOCK)
    return SimulationRun(
        result=result,
        execution=execution,
        chunk_size=size,
        n_chunks=-(-n_studies // size),
        seconds=time.perf_counter() - start,
        outcomes=outcomes,
    )
