"""Reproducible random streams for work split across tasks and processes: one stream per fixed block of items.

Items (simulated studies) are numbered ``0 .. K-1`` and grouped in blocks of a fixed size that belongs to
the simulation, not to the execution. Block ``b`` draws from
``SeedSequence(seed, spawn_key=(b,))``, which is exactly the ``b``-th child of
``SeedSequence(seed).spawn(...)`` (NumPy's documented spawning), computed directly so that a worker
needs only ``(seed, b)``. Any chunking of the items into tasks, on any number of workers, therefore sees
the same numbers for the same item.
"""

from __future__ import annotations

import numpy as np

from bioparity.errors import InputError


def check_seed(seed: int) -> int:
    """A seed must be a non-negative integer (NumPy's SeedSequence entropy)."""
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise InputError(f"seed = {seed!r}; expected a whole number >= 0")
    return int(seed)


def block_seed_sequence(seed: int, block: int) -> np.random.SeedSequence:
    """The SeedSequence of block ``block`` (the ``block``-th spawned child of ``SeedSequence(seed)``)."""
    return np.random.SeedSequence(check_seed(seed), spawn_key=(int(block),))


def block_generator(seed: int, block: int) -> np.random.Generator:
    """A PCG64 generator for block ``block``."""
    return np.random.default_rng(block_seed_sequence(seed, block))


def block_spans(lo: int, hi: int, block_size: int) -> list[tuple[int, int, int]]:
    """Blocks overlapping items ``[lo, hi)``: ``(block, first, stop)`` with offsets inside the block."""
    if block_size < 1:
        raise InputError(f"block_size = {block_size}; expected >= 1")
    out: list[tuple[int, int, int]] = []
    if hi <= lo:
        return out
    for b in range(lo // block_size, (hi - 1) // block_size + 1):
        start = b * block_size
        out.append((b, max(lo, start) - start, min(hi, start + block_size) - start))
    return out
