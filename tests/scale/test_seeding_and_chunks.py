"""Block seeding is NumPy's SeedSequence spawning; chunks and block spans cover items exactly once."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bioparity.errors import InputError
from bioparity.scale import auto_chunk_size, block_generator, block_seed_sequence, block_spans, chunk_ranges


def test_block_stream_is_the_spawned_child() -> None:
    children = np.random.SeedSequence(12345).spawn(7)
    for b, child in enumerate(children):
        assert block_seed_sequence(12345, b).generate_state(4).tolist() == child.generate_state(4).tolist()
        want = np.random.default_rng(child).random(3)
        np.testing.assert_array_equal(block_generator(12345, b).random(3), want)


@given(n=st.integers(1, 5000), chunk=st.integers(1, 700), block=st.integers(1, 300))
def test_chunks_and_block_spans_partition_the_items(n: int, chunk: int, block: int) -> None:
    covered: list[int] = []
    for lo, hi in chunk_ranges(n, chunk):
        assert 0 < hi - lo <= chunk
        for b, first, stop in block_spans(lo, hi, block):
            assert 0 <= first < stop <= block
            covered.extend(range(b * block + first, b * block + stop))
    assert covered == list(range(n))


def test_auto_chunk_size_is_a_multiple_of_the_block() -> None:
    assert auto_chunk_size(1_000_000, 2, multiple=100) == 20_000
    assert auto_chunk_size(1000, 2, multiple=100) == 200
    assert auto_chunk_size(10, 64, multiple=100) == 100


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_bad_seed(seed: object) -> None:
    with pytest.raises(InputError, match="seed"):
        block_seed_sequence(seed, 0)  # type: ignore[arg-type]
