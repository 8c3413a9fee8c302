"""Acceptance: the same seed gives identical results on 1 and 2 workers and with two chunk sizes.

A LocalCluster of worker processes is started by the test and shut down at the end.
(the two-worker cluster is the session fixture in conftest.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bioparity.scale import dask_client, simulate_pk_similarity
from bioparity.simulate import PKSimilarityDesign, StudyOutcomes

DESIGN = PKSimilarityDesign(
    n_per_arm=(24, 22, 23), bioavailability=(0.95, 1.0, 1.02), dropout=0.1, lloq=0.05, ada_fraction=0.1
)
K, SEED = 420, 20261125


def _same(a: StudyOutcomes, b: StudyOutcomes) -> None:
    for name in ("gmr", "ci_lower", "ci_upper"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))  # bitwise, NaN == NaN
    for name in ("passed", "estimable", "n_analysed", "n_dropouts", "n_ada"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_identical_on_one_and_two_workers_and_any_chunk_size(two_worker_client: Any) -> None:
    runs = {}
    with dask_client(workers=1) as one:
        runs["1 worker, chunk 100"] = simulate_pk_similarity(
            DESIGN, K, SEED, client=one, chunk_size=100, details=True
        )
    assert one is not None and one.status == "closed"
    runs["2 workers, chunk 37"] = simulate_pk_similarity(
        DESIGN, K, SEED, client=two_worker_client, chunk_size=37, details=True
    )
    runs["2 workers, chunk 250"] = simulate_pk_similarity(
        DESIGN, K, SEED, client=two_worker_client, chunk_size=250, details=True
    )
    runs["in process, chunk 420"] = simulate_pk_similarity(
        DESIGN, K, SEED, workers=0, chunk_size=K, details=True
    )
    assert runs["2 workers, chunk 37"].n_chunks == 12 and runs["2 workers, chunk 37"].execution.workers == 2
    first = runs.pop("1 worker, chunk 100")
    assert first.execution.workers == 1
    for label, run in runs.items():
        assert run.outcomes is not None and first.outcomes is not None, label
        _same(first.outcomes, run.outcomes)
        assert run.result.to_dict() == first.result.to_dict(), label
    # the tallied run (no per-study details) gives the same summary
    tallied = simulate_pk_similarity(DESIGN, K, SEED, client=two_worker_client, chunk_size=64)
    assert tallied.result.to_dict() == first.result.to_dict()
    assert (
        0.0 < first.result.probability < 1.0 and first.result.dropout_rate > 0 and first.result.ada_rate > 0
    )


def test_another_seed_gives_other_studies(two_worker_client: Any) -> None:
    a = simulate_pk_similarity(DESIGN, 100, 1, client=two_worker_client, details=True)
    b = simulate_pk_similarity(DESIGN, 100, 2, client=two_worker_client, details=True)
    assert a.outcomes is not None and b.outcomes is not None
    assert not np.array_equal(a.outcomes.ci_lower, b.outcomes.ci_lower, equal_nan=True)


def test_existing_cluster_by_scheduler_address(two_worker_client: Any) -> None:
    """``--scheduler tcp://...``: connect to a running cluster, leave it running, same answer."""
    address = two_worker_client.scheduler.address
    run = simulate_pk_similarity(DESIGN, 150, SEED, scheduler=address, chunk_size=50)
    assert run.execution.backend == "scheduler" and run.execution.workers == 2
    here = simulate_pk_similarity(DESIGN, 150, SEED, workers=0)
    assert run.result.to_dict() == here.result.to_dict()
    assert two_worker_client.status == "running"  # the cluster was not shut down by the run
