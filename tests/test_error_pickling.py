"""Every error with location fields survives pickling, as it must when raised in a worker process.

Job workers and Dask send exceptions back to the caller by pickle; before, ``ScenarioError`` and
``RuleFileError`` (required keyword arguments) failed to unpickle with a ``TypeError`` that hid the
user's actual problem.
"""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pytest

from bioparity.errors import BioparityError, DataFileError, RuleFileError, ScenarioError

CASES: list[BioparityError] = [
    ScenarioError(
        "cv must be > 0 at scenario 3; got -0.1", parameter="cv", index=3, value=-0.1, expected="> 0"
    ),
    RuleFileError("unknown key 'regions'", file="rules/ema.toml", rule_id="EMA-7", field="regions"),
    DataFileError(
        "not a number", file="pk.csv", row=4, line=5, column="conc", value="x", expected="a number"
    ),
]


def _raise(error: BioparityError) -> None:
    raise error


@pytest.mark.parametrize("error", CASES, ids=lambda e: type(e).__name__)
def test_pickle_round_trip_keeps_message_and_fields(error: BioparityError) -> None:
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert back.args == error.args
    assert vars(back) == vars(error)


def test_error_raised_in_a_worker_process_reaches_the_caller_intact() -> None:
    error = CASES[0]
    with (
        ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool,
        pytest.raises(ScenarioError, match="scenario 3") as caught,
    ):
        pool.submit(_raise, error).result()
    assert (caught.value.parameter, caught.value.index, caught.value.value) == ("cv", 3, -0.1)
