"""Issue #22: one scenario of scalars takes a fast path in ``power_tost`` and ``sample_size_tost``; its
results equal the general (vectorised) path's bit for bit on random scenarios, and bad input is still
reported exactly as before (the fast path hands every failing input to the general path)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from bioparity.errors import BioparityError
from bioparity.power import sample_size as ss
from bioparity.power import tost
from bioparity.power.designs import DESIGN_NAMES
from bioparity.power.sample_size import sample_size_tost
from bioparity.power.scenarios import ScenarioInputs
from bioparity.power.tost import power_tost

FIELDS_POWER = ("power", "design", "cv", "theta0", "theta1", "theta2", "alpha", "n", "df", "method")
FIELDS_N = ("n", "power", "design", "cv", "theta0", "theta1", "theta2", "alpha", "target_power", "method")


def _same(a: Any, b: Any, fields: tuple[str, ...]) -> None:
    for name in fields:
        x, y = getattr(a, name), getattr(b, name)
        assert x.shape == y.shape == (), name
        assert x.dtype == y.dtype, name
        if x.dtype.kind == "f":
            assert np.array_equal(x.view(np.int64), y.view(np.int64)), (name, x, y)  # same bits
        else:
            assert x == y, name


def _scenarios(seed: int, count: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        theta1 = float(rng.choice([0.8, 0.85, 0.9, 0.75]))
        sc: dict[str, Any] = {
            "design": str(rng.choice(DESIGN_NAMES)),
            "cv": float(rng.uniform(0.05, 0.8)),
            "theta0": float(rng.uniform(0.92, 1.06)),
            "theta1": theta1,
            "theta2": None if rng.random() < 0.5 else 1.0 / theta1,
            "alpha": float(rng.choice([0.05, 0.025, 0.1])),
            "method": str(rng.choice(["exact", "exact", "nct", "shifted"])),
            "robust": bool(rng.random() < 0.2),
        }
        out.append(sc)
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_power_fast_path_equals_the_general_path(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    for sc in _scenarios(seed, 150):
        n = int(rng.choice([6, 12, 24, 37, 60, 150, 400, 3001]))  # df from a few to thousands
        fast = tost._power_tost_scalar(ScenarioInputs(**sc), n)
        if fast is None:  # n too small for this design: the general path must refuse it
            with pytest.raises(BioparityError):
                power_tost(n=n, **sc)
            continue
        general = tost._power_tost_general(ScenarioInputs(**sc), n, None)
        _same(fast, general, FIELDS_POWER)
        _same(power_tost(n=n, **sc), general, FIELDS_POWER)


@pytest.mark.parametrize("seed", [3])
def test_sample_size_fast_path_equals_the_general_path(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    for sc in _scenarios(seed, 120):
        target = float(rng.choice([0.8, 0.9, 0.95, 0.5]))
        fast = ss._sample_size_scalar(ScenarioInputs(**sc), target)
        general = ss._sample_size_general(ScenarioInputs(**sc), target)
        assert fast is not None
        _same(fast, general, FIELDS_N)


def test_numpy_scalars_and_0d_arrays_take_the_fast_path() -> None:
    forms: list[Any] = [0.3, np.float64(0.3), np.asarray(0.3), np.float32(0.3)]
    design = np.asarray("2x2")
    results = [
        tost._power_tost_scalar(
            ScenarioInputs(design, f, None, None, None, None, "EXACT", False), np.int64(24)
        )
        for f in forms
    ]
    assert all(r is not None for r in results)
    given = ScenarioInputs("2x2", np.float32(0.3), None, None, None, None, "exact", False)
    general = tost._power_tost_general(given, 24, None)
    _same(results[-1], general, FIELDS_POWER)
    default = ScenarioInputs("2x2", 0.3, 0.95, None, None, 0.05, "exact", False)
    assert tost._power_tost_scalar(default._replace(cv=[0.3]), 24) is None
    assert tost._power_tost_scalar(default, True) is None


BAD_POWER = [
    {"cv": 0.0, "n": 24}, {"cv": float("nan"), "n": 24}, {"cv": 0.3, "n": 24.5}, {"cv": 0.3, "n": 1},
    {"cv": 0.3, "n": 24, "theta1": 1.3}, {"cv": 0.3, "n": 24, "alpha": 0.5},
    {"cv": 0.3, "n": 24, "method": "x"},
    {"cv": 0.3, "n": 24, "design": "5x5"}, {"cv": 0.3, "n": 24, "theta0": -1.0}, {"cv": 0.3},
]  # fmt: skip


@pytest.mark.parametrize("kwargs", BAD_POWER)
def test_bad_power_input_is_reported_as_before(kwargs: dict[str, Any]) -> None:
    with pytest.raises(BioparityError) as fast:
        power_tost(**kwargs)
    full = {"n": None, "design": "2x2", "theta0": 0.95, "theta1": None, "theta2": None, "alpha": 0.05,
            "method": "exact", "robust": False, **kwargs}  # fmt: skip
    n = full.pop("n")
    with pytest.raises(BioparityError) as general:
        tost._power_tost_general(ScenarioInputs(**full), n, None)
    assert type(fast.value) is type(general.value) and str(fast.value) == str(general.value)


BAD_N = [
    {"cv": 0.3, "target_power": 1.0}, {"cv": 0.3, "theta0": 1.25}, {"cv": 0.3, "theta0": 0.8},
    {"cv": -0.3}, {"cv": 0.3, "method": "nope"}, {"cv": 0.3, "target_power": float("nan")},
]  # fmt: skip


@pytest.mark.parametrize("kwargs", BAD_N)
def test_bad_sample_size_input_is_reported_as_before(kwargs: dict[str, Any]) -> None:
    full = {"design": "2x2", "theta0": 0.95, "theta1": None, "theta2": None, "alpha": 0.05,
            "target_power": 0.8, "method": "exact", "robust": False, **kwargs}  # fmt: skip
    target = full.pop("target_power")
    with pytest.raises(BioparityError) as fast:
        sample_size_tost(**kwargs)
    with pytest.raises(BioparityError) as general:
        ss._sample_size_general(ScenarioInputs(**full), target)
    assert type(fast.value) is type(general.value) and str(fast.value) == str(general.value)
