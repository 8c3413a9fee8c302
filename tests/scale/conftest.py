"""A LocalCluster of two single-threaded worker processes, started once for the scale tests and shut down."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bioparity.scale import dask_client, describe


@pytest.fixture(scope="session")
def two_worker_client() -> Iterator[Any]:
    with dask_client(workers=2) as client:
        assert client is not None
        info = describe(client)
        assert (info.backend, info.workers, info.threads_per_worker) == ("local-cluster", 2, 1)
        yield client
    assert client.status == "closed"  # the context manager closed the client and the cluster
