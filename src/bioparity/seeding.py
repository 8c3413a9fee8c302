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
    """The SeedSequence of block ``block`` (the ``block``-th spawned child of ``SeedSequence(seed)``).

    Parameters
    ----------
    seed : int
        The run's seed (entropy of the root ``SeedSequence``), a whole number >= 0.
    block : int
        Block number (items ``block * block_size`` to ``(block + 1) * block_size - 1``), >= 0.

    Returns
    -------
    numpy.random.SeedSequence
        ``SeedSequence(seed, spawn_key=(block,))``, equal to ``SeedSequence(seed).spawn(block + 1)[block]``.

    Raises
    ------
    bioparity.errors.InputError
        When ``seed`` is not a whole number >= 0.

    References
    ----------
    NumPy documentation, "Parallel random number generation" (``SeedSequence`` spawning:
    independent child streams identified by their spawn key).

    Examples
    --------
    >>> import numpy as np
    >>> child = np.random.SeedSequence(7).spawn(3)[2]
    >>> bool((block_seed_sequence(7, 2).generate_state(4) == child.generate_state(4)).all())
    True
    """
    return np.random.SeedSequence(check_seed(seed), spawn_key=(int(block),))


def block_generator(seed: int, block: int) -> np.random.Generator:
    """A PCG64 generator for block ``block``.

    Parameters
    ----------
    seed : int
        The run's seed, a whole number >= 0.
    block : int
        Block number, >= 0.

    Returns
    -------
    numpy.random.Generator
        ``default_rng(block_seed_sequence(seed, block))``: the same stream in every process, whatever
        the chunking of the items.

    Raises
    ------
    bioparity.errors.InputError
        When ``seed`` is not a whole number >= 0.

    Examples
    --------
    >>> int(block_generator(7, 2).integers(100)) == int(block_generator(7, 2).integers(100))
    True
    """
    return np.random.default_rng(block_seed_sequence(seed, block))


def block_spans(lo: int, hi: int, block_size: int) -> list[tuple[int, int, int]]:
    """Blocks overlapping items ``[lo, hi)``: ``(block, first, stop)`` with offsets inside the block.

    A chunk of items ``[lo, hi)`` draws item ``block * block_size + i`` for ``i`` in ``[first, stop)``
    of each block from :func:`block_generator` (drawing the whole block and keeping that part), so the
    numbers of an item do not depend on the chunk boundaries.

    Parameters
    ----------
    lo, hi : int
        First item and one past the last item of the chunk (``hi <= lo``: empty).
    block_size : int
        Items per block (fixed by the simulation, not by the execution), >= 1.

    Returns
    -------
    list of (int, int, int)
        ``(block, first, stop)`` for each block overlapping the chunk, in order.

    Raises
    ------
    bioparity.errors.InputError
        When ``block_size < 1``.

    Examples
    --------
    >>> block_spans(5, 25, 10)
    [(0, 5, 10), (1, 0, 10), (2, 0, 5)]
    """
    if block_size < 1:
        raise InputError(f"block_size = {block_size}; expected >= 1")
    out: list[tuple[int, int, int]] = []
    if hi <= lo:
        return out
    for b in range(lo // block_size, (hi - 1) // block_size + 1):
        start = b * block_size
        out.append((b, max(lo, start) - start, min(hi, start + block_size) - start))
    return out
