"""One contract for every public vectorised function of the numerical cores: scenarios broadcast.

For each function documented as taking ``array_like`` arguments per scenario (found through the packages'
``__all__``), a table of cases gives three scenarios that differ in every broadcastable argument
(confidence levels, alpha, CVs, sizes, margins, true ratios, allocation ratios, directions...). Then:

1. a call with the scenarios as arrays gives, element by element, exactly what separate scalar calls give
   (every field of the result, to 1e-12 relative; most are bit-identical), in four layouts: every argument
   a vector of 3; every argument a vector of 1; one argument varying at a time (the others scalars); and a
   grid, alternate arguments along two axes ((3, 1) against (2,): 6 scenarios);
2. arguments that cannot broadcast give a :class:`~bioparity.errors.BioparityError` naming the shapes,
   never a bare NumPy ``ValueError``/``IndexError``;
3. every per-scenario field has the broadcast shape (plus the function's own trailing axes, e.g. strata
   weights), and a call with Python scalars gives 0-d arrays (as the result classes document).

Functions deliberately left out, and why, are listed in :data:`EXCLUDED`; a test checks that every public
function of the packages is either covered or excluded, so that a new vectorised function is not missed.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pytest

from bioparity import be, bioassay, caa, clinical, market, potency, power, profiles, simulate, stability
from bioparity.errors import BioparityError

#: Relative tolerance of a vectorised result against the scalar call (absolute for values near 0).
RTOL = 1e-12
ATOL = 1e-14

PACKAGES = (
    "power",
    "clinical",
    "caa",
    "simulate",
    "bioassay",
    "potency",
    "stability",
    "be",
    "profiles",
    "market",
)


#: Per-scenario values of arguments, by name.
Values = dict[str, Sequence[Any]]


@dataclasses.dataclass(frozen=True)
class Case:
    """A function and three scenarios.

    ``vary`` maps each broadcastable argument to its 3 per-scenario values (a value may be a list when
    the argument has trailing axes of its own: ``core`` gives their number); ``fixed`` holds the
    arguments that are not per scenario (a method name, a side). ``positional`` names the arguments
    passed by position, in order. ``grid=False`` where not every combination of the values is valid.
    """

    id: str
    func: Callable[..., Any]
    vary: Mapping[str, Sequence[Any]]
    fixed: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    positional: tuple[str, ...] = ()
    core: Mapping[str, int] = dataclasses.field(default_factory=dict)
    grid: bool = True
    #: 0-d fields for a call with scalars (False: the function documents one row per line even then).
    scalar_0d: bool = True
    #: Fields that describe all the scenarios together (a text), not one per scenario.
    overall: tuple[str, ...] = ()


def _call(case: Case, args: Mapping[str, Any]) -> Any:
    merged = {**case.fixed, **args}
    pos = [merged.pop(name) for name in case.positional]
    return case.func(*pos, **merged)


def _fields(result: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    if isinstance(result, tuple):
        names = getattr(result, "_fields", None) or [f"[{i}]" for i in range(len(result))]
        return dict(zip(names, result, strict=True))
    return {"value": result}


def _array(case: Case, name: str, values: Sequence[Any], shape: tuple[int, ...]) -> np.ndarray:
    """The per-scenario ``values`` of ``name`` laid out with scenario ``shape`` (core axes kept)."""
    arr = np.asarray(values, dtype=object if isinstance(values[0], str) else None)
    core = arr.shape[1:]
    return arr.reshape(shape + core)


def _scalar(value: Any) -> Any:
    arr = np.asarray(value)
    if arr.ndim == 0:
        item = arr.item()
        return str(item) if isinstance(item, str) else item
    return arr.tolist()


def _layouts(case: Case) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, vectorised arguments) of the layouts of part 1."""
    names = list(case.vary)
    yield "vectors", {k: _array(case, k, v, (3,)) for k, v in case.vary.items()}
    yield "one-scenario", {k: _array(case, k, v[:1], (1,)) for k, v in case.vary.items()}
    for k in names:
        args = {j: _scalar(_array(case, j, v[:1], (1,))[0]) for j, v in case.vary.items() if j != k}
        yield f"only-{k}", {**args, k: _array(case, k, case.vary[k], (3,))}
    yield "lists", {k: list(v) for k, v in case.vary.items()}  # array_like: plain Python lists too
    if case.grid and len(names) >= 2:
        for parity in (0, 1):  # alternate arguments along axis 0 (3 values) and axis 1 (the last 2)
            args = {}
            for i, k in enumerate(names):
                v = case.vary[k]
                args[k] = _array(case, k, v, (3, 1)) if i % 2 == parity else _array(case, k, v[1:], (2,))
            yield f"grid-{parity}", args


def _scenario_shape(case: Case, args: Mapping[str, Any]) -> tuple[int, ...]:
    shapes = []
    for k, v in args.items():
        shape = np.shape(v)
        core = case.core.get(k, 0)
        shapes.append(shape[: len(shape) - core])
    return np.broadcast_shapes(*shapes)


def _element(case: Case, name: str, value: Any, shape: tuple[int, ...], idx: tuple[int, ...]) -> Any:
    arr = np.asarray(value)
    core = case.core.get(name, 0)
    core_shape = arr.shape[arr.ndim - core :] if core else ()
    return _scalar(np.broadcast_to(arr, shape + core_shape)[idx])


def _same(field: str, got: Any, want: Any, where: str) -> None:
    if dataclasses.is_dataclass(want) or (isinstance(want, tuple) and not isinstance(got, np.ndarray)):
        got_fields, want_fields = _fields(got), _fields(want)
        for k, value in want_fields.items():
            _same(f"{field}.{k}", got_fields[k], value, where)
        return
    g, w = np.asarray(got), np.asarray(want)
    assert g.shape == w.shape, f"{where}: {field} has shape {g.shape} in the vector call, {w.shape} alone"
    if g.dtype.kind in "fc" or w.dtype.kind in "fc":
        np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL, equal_nan=True, err_msg=f"{where}: {field}")
    else:
        assert g.tolist() == w.tolist(), f"{where}: {field} = {g!r} in the vector call, {w!r} alone"


def _per_scenario(value: Any, shape: tuple[int, ...]) -> bool:
    return isinstance(value, np.ndarray) and value.shape[: len(shape)] == shape and value.ndim >= len(shape)


def check_layout(case: Case, layout: str, args: Mapping[str, Any]) -> None:
    shape = _scenario_shape(case, args)
    vector = _fields(_call(case, args))
    for name, value in vector.items():  # no array field loses or mixes up the scenario axes
        if isinstance(value, np.ndarray | np.generic) and name not in case.overall:
            assert _per_scenario(np.asarray(value), shape), (
                f"{case.id} [{layout}]: {name} has shape {value.shape}, not the scenarios' {shape}"
            )
    for idx in np.ndindex(*shape):
        alone = _fields(_call(case, {k: _element(case, k, v, shape, idx) for k, v in args.items()}))
        where = f"{case.id} [{layout}] scenario {idx}"
        for name, want in alone.items():
            got = vector[name]
            if name in case.overall:
                continue
            one_row = isinstance(want, np.ndarray) and np.ndim(got) == len(shape) + want.ndim - 1
            if not case.scalar_0d and one_row:
                assert want.shape[0] == 1, f"{where}: {name} has shape {want.shape} for one line"
                want = want[0]  # one row for the one line of a scalar call
            if isinstance(got, np.ndarray):
                got = got[idx]
            _same(name, got, want, where)


def check_scalar_call(case: Case) -> None:
    """A call with Python scalars: per-scenario fields are 0-d arrays (their trailing axes only)."""
    args = {k: _scalar(_array(case, k, v[:1], (1,))[0]) for k, v in case.vary.items()}
    vector = _fields(_call(case, {k: _array(case, k, v[:1], (1,)) for k, v in case.vary.items()}))
    alone = _fields(_call(case, args))
    for name, value in alone.items():
        got = vector[name]
        if _per_scenario(got, (1,)):
            assert isinstance(value, np.ndarray), (
                f"{case.id}: {name} is {type(value).__name__} for one scenario"
            )
            assert value.shape == got.shape[1:], (
                f"{case.id}: {name} has shape {value.shape}, not {got.shape[1:]}"
            )


def check_mismatch(case: Case) -> None:
    """Each argument with 2 scenarios against the others' 3: a BioparityError naming both shapes."""
    problems = []
    for k in case.vary:
        args = {j: _array(case, j, v, (3,)) for j, v in case.vary.items()}
        args[k] = _array(case, k, case.vary[k][:2], (2,))
        try:
            _call(case, args)
        except BioparityError as exc:
            if not ("(2," in str(exc) and "(3," in str(exc)):
                problems.append(f"{k}: {exc!r} names no shapes")
        except Exception as exc:  # what the contract forbids: a bare NumPy error
            problems.append(f"{k}: {type(exc).__name__}: {exc}")
        else:
            problems.append(f"{k}: no error")
    assert not problems, f"{case.id}, one argument (2,) against the others (3,):\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------------------- the cases

TABLES: Values = {"x1": [12, 30, 0], "n1": [40, 50, 45], "x2": [10, 28, 3], "n2": [40, 60, 30]}
CONF: Values = {"conf": [0.90, 0.95, 0.80]}
SUMMARIES: Values = {
    "mean1": [5.2, 3.0, -1.0],
    "sd1": [1.1, 0.5, 2.0],
    "n1": [40, 12, 25],
    "mean2": [4.9, 3.3, -0.5],
    "sd2": [1.3, 0.7, 1.5],
    "n2": [42, 15, 30],
}
#: Strata on the last axis (3 scenarios of 3 strata); every row of x fits in every row of n (grid).
STRATA: Values = {
    "x1": [[12, 20, 8], [5, 9, 14], [0, 3, 7]],
    "n1": [[40, 50, 30], [20, 25, 35], [15, 28, 22]],
    "x2": [[10, 15, 9], [7, 11, 2], [4, 0, 12]],
    "n2": [[40, 50, 30], [30, 20, 25], [18, 25, 40]],
}
STRATA_CORE = dict.fromkeys(STRATA, 1)
TOST: Values = {
    "cv": [0.20, 0.30, 0.25],
    "design": ["2x2", "parallel", "2x2x4"],
    "theta0": [0.95, 1.05, 0.90],
    "theta1": [0.80, 0.85, 0.80],
    "theta2": [1.25, 1.20, 1.30],
    "alpha": [0.05, 0.025, 0.10],
    "method": ["exact", "nct", "shifted"],
}
ALPHA: Values = {"alpha": [0.05, 0.025, 0.10]}
#: ln(dose) of a plate and the responses of 3 plates: two curves (with replicate noise) and a flat plate.
LOG_DOSE = np.log(np.repeat([0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0], 2))
PLATES = [
    (0.1 + 1.9 / (1 + np.exp(1.2 * (LOG_DOSE - np.log(3.0)))) + np.tile([0.01, -0.01], 7)).tolist(),
    (0.2 + 1.5 / (1 + np.exp(0.8 * (LOG_DOSE - np.log(5.0)))) + 0.01 * np.sin(np.arange(14))).tolist(),
    (0.5 + 0.01 * np.cos(np.arange(14))).tolist(),
]
DIRECTIONS = ["two-sided", "higher-is-worse", "lower-is-worse"]
#: The statement of the CI levels of an equivalence result names every level of the call in one text.
STATEMENT = ("ci_statement",)
PROPORTION_MARGINS: Values = {"margin_lower": [-0.15, -0.10, -0.20], "margin_upper": [0.15, 0.12, 0.25]}


def _decision(x1: Any, n1: Any, x2: Any, n2: Any, *, conf: Any, margin_lower: Any, margin_upper: Any) -> Any:
    """equivalence_decision of a Newcombe interval (its CI object built from the same scenarios)."""
    ci = clinical.ci_difference(x1, n1, x2, n2, conf=conf)
    return clinical.equivalence_decision(
        ci, ci.diff, margin_lower=margin_lower, margin_upper=margin_upper, measure="difference of proportions"
    )


def _each(
    func: Callable[..., Any], settings: Sequence[Mapping[str, Any]], vary: Values, **options: Any
) -> list[Case]:
    """One case of ``func`` per setting that is not per scenario (a method, a side), named after it."""
    package = func.__module__.split(".")[1]
    return [
        Case(f"{package}.{func.__name__}-" + "-".join(map(str, s.values())), func, vary, dict(s), **options)
        for s in settings
    ]


def _methods(*names: str) -> list[dict[str, str]]:
    return [{"method": name} for name in names]


TWO_TABLES = ("x1", "n1", "x2", "n2")
POWER_MEANS: Values = {
    "diff": [0.0, 0.1, -0.2],
    "sd": [1.0, 1.2, 0.8],
    "n1": [70, 50, 30],
    "n2": [70, 60, 35],
}
MEANS_MARGINS: Values = {"margin_lower": [-0.5, -0.6, -0.4], "margin_upper": [0.5, 0.6, 0.45]}
POWER_PROPORTIONS: Values = {
    "p1": [0.6, 0.5, 0.3],
    "p2": [0.6, 0.55, 0.35],
    "n1": [50, 40, 30],
    "n2": [50, 45, 35],
}
TARGET: Values = {"target_power": [0.8, 0.9, 0.85], "ratio": [1.0, 2.0, 1.5]}
SIZE_MEANS: Values = {"diff": [0.1, 0.0, -0.1], "sd": [1.2, 1.0, 0.8], **MEANS_MARGINS, **ALPHA, **TARGET}
SIZE_PROPORTIONS: Values = {
    "p1": [0.6, 0.55, 0.5],
    "p2": [0.6, 0.5, 0.55],
    "margin_lower": [-0.2, -0.25, -0.2],
    "margin_upper": [0.2, 0.25, 0.22],
    **ALPHA,
    **TARGET,
}
#: Exact enumeration: wide margins, so that the sizes (and the run time) stay small.
SIZE_PROPORTIONS_EXACT: Values = {
    "p1": [0.5, 0.45, 0.5],
    "p2": [0.5, 0.5, 0.45],
    "margin_lower": [-0.35, -0.4, -0.35],
    "margin_upper": [0.35, 0.4, 0.4],
    "alpha": [0.05, 0.1, 0.05],
    "target_power": [0.8, 0.7, 0.75],
    "ratio": [1.0, 1.5, 1.0],
}
LOT_SUMMARIES: Values = {
    "mean_test": [100.5, 50.0, 10.0],
    "sd_test": [4.0, 2.0, 1.0],
    "n_test": [10, 6, 8],
    "mean_reference": [100.0, 51.0, 10.5],
    "sd_reference": [5.0, 2.5, 0.8],
    "n_reference": [15, 8, 9],
    "margin_multiplier": [1.5, 1.2, 2.0],
    **ALPHA,
    "variance": ["welch", "pooled", "welch"],
    "direction": DIRECTIONS,
}
REFERENCE: Values = {"mean_reference": [100.0, 50.0, 7.0], "sd_reference": [2.0, 1.0, 0.5]}
COVERAGE: Values = {"coverage": [0.99, 0.9, 0.95], "confidence": [0.95, 0.9, 0.99]}
PK: Values = {
    "t": [0.0, 24.0, 336.0],
    "dose": [40.0, 10.0, 100.0],
    "ka": [0.012, 0.5, 0.01],
    "ke": [0.002, 0.1, 0.01],
}
COMPOSITIONS = [[50, 30, 20], [40, 40, 20], [10, 60, 30]]
LINES: Values = {
    "intercept": [100.0, 98.0, 101.0],
    "slope": [-0.2, -0.1, -0.3],
    "s2": [0.25, 0.4, 0.1],
    "df": [10, 8, 20],
    "n": [12, 10, 22],
    "tbar": [6.0, 8.0, 9.0],
    "sxx": [360.0, 300.0, 500.0],
}
#: Plates fitted at once: one case of each model and number of preparations; rows per plate beside y.
PLATE_OPTIONS: dict[str, Any] = {"positional": ("x", "y"), "grid": False, "scalar_0d": False}
ONE_OR_TWO = ([0] * 14, [0, 1] * 7)

CASES = [
    *(
        Case(f"power.{f.__name__}", f, {"x": [0.1, 0.3, 2.0]}, positional=("x",))
        for f in (power.cv_to_se, power.cv_to_mse, power.mse_to_cv, power.se_to_cv)
    ),
    Case("power.power_tost", power.power_tost, {**TOST, "n": [20, 31, 48]}),
    Case("power.power_tost-robust", power.power_tost, {**TOST, "n": [20, 31, 48]}, {"robust": True}),
    Case("power.sample_size_tost", power.sample_size_tost, {**TOST, "target_power": [0.8, 0.9, 0.85]}),
    *_each(
        clinical.ci_difference,
        _methods(*clinical.DIFFERENCE_METHODS),
        {**TABLES, **CONF},
        positional=TWO_TABLES,
    ),
    *_each(clinical.ci_ratio, _methods(*clinical.RATIO_METHODS), {**TABLES, **CONF}, positional=TWO_TABLES),
    *_each(
        clinical.ci_mean_difference,
        _methods(*clinical.MEAN_METHODS),
        {**SUMMARIES, **CONF},
        positional=tuple(SUMMARIES),
    ),
    *_each(
        clinical.ci_difference_stratified,
        _methods("newcombe", "mh", "mn"),
        {**STRATA, **CONF},
        positional=tuple(STRATA),
        core=STRATA_CORE,
    ),
    Case(
        "clinical.equivalence_decision",
        _decision,
        {**TABLES, **CONF, **PROPORTION_MARGINS},
        positional=TWO_TABLES,
        overall=STATEMENT,
    ),
    *_each(
        clinical.equivalence_proportions,
        _methods(*clinical.DIFFERENCE_METHODS),
        {**TABLES, **CONF, **PROPORTION_MARGINS},
        positional=TWO_TABLES,
        overall=STATEMENT,
    ),
    Case(
        "clinical.equivalence_ratio",
        clinical.equivalence_ratio,
        {**TABLES, **CONF, "margin_lower": [0.8, 0.75, 0.85], "margin_upper": [1.25, 1.3, 1.2]},
        positional=TWO_TABLES,
        overall=STATEMENT,
    ),
    Case(
        "clinical.equivalence_means",
        clinical.equivalence_means,
        {**SUMMARIES, **CONF, "margin_lower": [-0.6, -0.5, -1.0], "margin_upper": [0.6, 0.4, 1.0]},
        positional=tuple(SUMMARIES),
        overall=STATEMENT,
    ),
    *_each(
        clinical.power_equivalence_means,
        _methods("exact", "normal"),
        {**POWER_MEANS, **MEANS_MARGINS, **ALPHA},
    ),
    *_each(
        clinical.power_equivalence_proportions,
        [{"method": "normal", "ci_method": "newcombe"}, {"method": "fm", "ci_method": "newcombe"}]
        + [{"method": "exact", "ci_method": ci} for ci in clinical.DIFFERENCE_METHODS],
        {**POWER_PROPORTIONS, **PROPORTION_MARGINS, **ALPHA},
    ),
    *_each(clinical.sample_size_equivalence_means, _methods("exact", "normal"), SIZE_MEANS),
    *_each(clinical.sample_size_equivalence_proportions, _methods("normal", "fm"), SIZE_PROPORTIONS),
    *_each(clinical.sample_size_equivalence_proportions, _methods("exact"), SIZE_PROPORTIONS_EXACT),
    Case(
        "clinical.wilson_interval",
        clinical.wilson_interval,
        {"x": [8, 0, 20], "n": [20, 25, 20], "z": [1.959963984540054, 1.6448536269514722, 2.5758293035489]},
        positional=("x", "n", "z"),
    ),
    Case(
        "clinical.wilson_cc_interval",
        clinical.wilson_cc_interval,
        {"x": [8, 0, 20], "n": [20, 25, 20], "z": [1.959963984540054, 1.6448536269514722, 2.5758293035489]},
        positional=("x", "n", "z"),
    ),
    Case("caa.equivalence_test_means", caa.equivalence_test_means, LOT_SUMMARIES),
    Case(
        "caa.min_max_limits",
        caa.min_max_limits,
        {"min_reference": [98.0, 1.0, 5.0], "max_reference": [102.0, 3.0, 9.0], "direction": DIRECTIONS},
    ),
    Case(
        "caa.quality_range_limits",
        caa.quality_range_limits,
        {**REFERENCE, "k": [3.0, 2.5, 2.0], "direction": DIRECTIONS},
    ),
    *_each(
        caa.tolerance_factor,
        [{"method": m, "side": side} for m, side in (("exact", 2), ("howe", 2), ("he", 2), ("exact", 1))],
        {"n": [10, 5, 30], **COVERAGE, "df": [9, 6, 25]},
    ),
    *_each(
        caa.tolerance_interval_limits,
        _methods("exact", "howe", "he"),
        {**REFERENCE, "n_reference": [10, 1, 20], **COVERAGE, "direction": DIRECTIONS},
    ),
    Case(
        "caa.nonparametric_order",
        caa.nonparametric_order,
        {"n": [10, 38, 60]},
        {"coverage": 0.9, "confidence": 0.9},
        positional=("n",),
    ),
    Case(
        "simulate.bateman",
        simulate.bateman,
        {k: PK[k] for k in ("t", "ka", "ke")},
        positional=("t", "ka", "ke"),
    ),
    Case(
        "simulate.central_amount",
        simulate.central_amount,
        {**PK, "onset": [np.inf, 12.0, 100.0], "factor": [1.0, 2.0, 0.5]},
        positional=("t", "dose", "ka", "ke"),
    ),
    Case(
        "bioassay.inhibition",
        bioassay.inhibition,
        {"signal": [200.0, 150.0, 80.0], "signal_drug": [40.0, 140.0, 90.0]},
        positional=("signal", "signal_drug"),
    ),
    Case("be.abel_limits", be.abel_limits, {"cvwr": [0.25, 0.35, 0.6]}, positional=("cvwr",)),
    Case("profiles.clr", profiles.clr, {"parts": COMPOSITIONS}, positional=("parts",), core={"parts": 1}),
    Case(
        "profiles.aitchison_distance",
        profiles.aitchison_distance,
        {"a": COMPOSITIONS, "b": [[45, 35, 20], [30, 30, 40], [20, 50, 30]]},
        positional=("a", "b"),
        core={"a": 1, "b": 1},
    ),
    Case(
        "market.void_scores",
        market.void_scores,
        {
            "approved": [0, 3, np.nan],
            "in_development": [1, np.nan, 4],
            "years_to_protection_end": [7, 2, -1],
            "sales_usd_m": [20000, 500, np.nan],
        },
        positional=("approved", "in_development", "years_to_protection_end", "sales_usd_m"),
    ),
    Case(
        "stability.confidence_bound",
        stability.confidence_bound,
        LINES,
        {"time": [0.0, 12.0, 24.0], "confidence": 0.95},
        positional=("time", *LINES, "confidence"),
        scalar_0d=False,
    ),
    *(
        Case(
            f"potency.fit_logistic_batch-{model}-{max(groups) + 1}-preparations",
            potency.fit_logistic_batch,
            {"y": PLATES},
            {"x": LOG_DOSE, "groups": groups, "model": model},
            core={"y": 1},
            **PLATE_OPTIONS,
        )
        for model in ("4pl", "5pl")
        for groups in ONE_OR_TWO
    ),
    Case(
        "potency.fit_logistic_batch-layout-per-plate",
        potency.fit_logistic_batch,
        {"x": [LOG_DOSE, LOG_DOSE + 0.1, 1.1 * LOG_DOSE], "y": PLATES},
        {"groups": [0, 1] * 7},
        core={"x": 1, "y": 1},
        **PLATE_OPTIONS,
    ),
    Case(
        "potency.fit_logistic_batch-start-per-plate",
        potency.fit_logistic_batch,
        {"y": PLATES, "start": [[1.0, 0.1, 2.0, 1.0], [0.8, 0.2, 1.7, 1.6], [1.0, 0.4, 0.6, 0.0]]},
        {"x": LOG_DOSE},
        core={"y": 1, "start": 1},
        **PLATE_OPTIONS,
    ),
]

#: Public functions of the packages' ``__all__`` deliberately not in :data:`CASES`, and why.
EXCLUDED = {
    **dict.fromkeys(
        (
            "power.power_scabel",
            "power.power_rsabe",
            "power.sample_size_scabel",
            "power.sample_size_rsabe",
            "power.scabel_adjusted_alpha",
        ),
        "one scenario per call (cv = CVw or (CVwT, CVwR), n = total or per sequence), simulated with one "
        "seed: not vectorised over scenarios (checked against PowerTOST in tests/power)",
    ),
    "power.cv_from_ci": "one confidence interval of one study (scalars)",
    "power.get_design": "a design by name",
    "power.group_sizes": "one total split into its sequence groups",
    **dict.fromkeys(
        (
            "clinical.ada_incidence",
            "clinical.exposure_by_ada",
            "clinical.incidence_difference",
            "clinical.titre_summary",
            "clinical.treatment_emergent_ada",
        ),
        "reads a subject-level data frame (immunogenicity tables), not scenario arrays",
    ),
    "clinical.ci_mean_difference_samples": "the raw values of two groups: one comparison (the summaries' "
    "version ci_mean_difference is covered)",
    **dict.fromkeys(
        (
            "caa.assess",
            "caa.check_long_table",
            "caa.compare",
            "caa.default_comparisons",
            "caa.read_catalogue",
        ),
        "lot values of one attribute or a long table of lots; the operating characteristics are simulated "
        "per attribute with one seed, not per scenario",
    ),
    **dict.fromkeys(
        ("caa.count_inside", "caa.nonparametric_limits"),
        "lots grouped by a row index (ragged groups of a flat array), not broadcast scenarios; arguments "
        "that do not fit are an InputError naming their shapes (tests/caa/test_lot_rows_shapes.py)",
    ),
    "caa.nonparametric_min_lots": "one coverage and confidence (scalars)",
    **dict.fromkeys(
        ("simulate.analyse", "simulate.simulate_block", "simulate.simulate_studies", "simulate.summarise"),
        "one design simulated in blocks of studies; the seed is per (design, block), see bioparity.seeding",
    ),
    **dict.fromkeys(
        ("simulate.pooled_pairwise_intervals", "simulate.welch_pairwise_intervals"),
        "simulated studies along axis 0 with an arm index per subject: the blocks' building block "
        "(tests/simulate)",
    ),
    **dict.fromkeys(
        (
            "bioassay.ada_status",
            "bioassay.classify_samples",
            "bioassay.compute_cut_point",
            "bioassay.drug_tolerance",
            "bioassay.isr",
            "bioassay.linearity",
            "bioassay.screening_and_confirmatory",
            "bioassay.sensitivity",
            "bioassay.validated_cut_points",
            "bioassay.with_validated_cut_point",
        ),
        "reads a data frame of one assay validation or study (linearity: one calibration line)",
    ),
    "bioassay.isr_sample_count": "one count",
    "bioassay.reml_fit": "one mixed model",
    **dict.fromkeys(
        (
            "potency.analyse",
            "potency.analyse_assay",
            "potency.fit_logistic_parallel",
            "potency.fit_parallel_line",
            "potency.fit_slope_ratio",
        ),
        "one assay's data (AssayData or a table of plates)",
    ),
    "potency.combine_assays": "the arrays are the assays of one sample, combined into one estimate "
    "(reduced, not broadcast)",
    **dict.fromkeys(
        ("stability.compare_slopes", "stability.fit_stability", "stability.stability_table"),
        "long data of lots and time points (one regression)",
    ),
    "stability.stability_time_unit": "one unit name (text), not a number",
    "be.crossover_data": "reads one study's data frame",
    "be.evaluate_be": "one study's data",
    "profiles.profile_similarity": "long data of lots and species",
    "profiles.replace_zeros": "one table of compositions (n, D) with one delta: rows, not scenarios",
    **dict.fromkeys(
        (
            "market.fetch_trials",
            "market.load_knowledge_base",
            "market.parse_regions",
            "market.read_ema_medicines",
            "market.read_purple_book",
            "market.read_trials",
            "market.scan_market",
            "market.timeline_chart",
            "market.validate_knowledge_base",
        ),
        "files, tables and the knowledge base, not scenario arrays",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_vector_call_equals_scalar_calls(case: Case) -> None:
    for layout, args in _layouts(case):
        check_layout(case, layout, args)


@pytest.mark.parametrize("case", [c for c in CASES if c.scalar_0d], ids=lambda c: c.id)
def test_scalar_call_gives_0d_fields(case: Case) -> None:
    check_scalar_call(case)


@pytest.mark.parametrize("case", [c for c in CASES if len(c.vary) > 1], ids=lambda c: c.id)
def test_arguments_that_do_not_broadcast_are_an_input_error(case: Case) -> None:
    check_mismatch(case)


def _public_functions() -> Iterator[str]:
    for package in PACKAGES:
        module = importlib.import_module(f"bioparity.{package}")
        for name in module.__all__:
            if inspect.isfunction(getattr(module, name)):
                yield f"{package}.{name}"


def test_every_public_function_is_covered_or_excluded_with_a_reason() -> None:
    covered = {case.id.split("-")[0] for case in CASES}
    public = set(_public_functions())
    assert not (public - covered - set(EXCLUDED)), "neither covered nor excluded"
    assert not (set(EXCLUDED) - public), "excluded but not public"
    assert not (covered & set(EXCLUDED)), "both covered and excluded"
