"""Scale-out on Dask: simulations and batch analyses with the same answers at every scale.

Public API: :func:`simulate_pk_similarity` (probability of success of a PK similarity study, chunked over
a Dask cluster), :func:`nca_parquet` / :func:`nca_dask` (NCA of a partitioned Parquet data set, larger
than memory, as an :class:`~bioparity.nca.NCASpec` says), :func:`dask_client` (a local cluster of worker
processes, an existing scheduler, or this process), :func:`map_chunks`, and the seeding scheme
(:func:`block_seed_sequence`, :func:`block_generator`): one NumPy ``SeedSequence`` child per fixed block
of items, so results do not depend on the number of workers or the chunk size. Dask is imported only
when a cluster is used.
"""

from bioparity.scale.batch_nca import BatchNCARun, nca_dask, nca_parquet
from bioparity.scale.chunks import auto_chunk_size, chunk_ranges
from bioparity.scale.cluster import ClusterError, Execution, dask_client, describe
from bioparity.scale.pk_similarity import SimulationRun, simulate_pk_similarity
from bioparity.scale.runner import map_chunks
from bioparity.seeding import block_generator, block_seed_sequence, block_spans

__all__ = [
    "BatchNCARun",
    "ClusterError",
    "Execution",
    "SimulationRun",
    "auto_chunk_size",
    "block_generator",
    "block_seed_sequence",
    "block_spans",
    "chunk_ranges",
    "dask_client",
    "describe",
    "map_chunks",
    "nca_dask",
    "nca_parquet",
    "simulate_pk_similarity",
]
