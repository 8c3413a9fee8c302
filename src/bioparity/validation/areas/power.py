"""Power and sample size against PowerTOST (sampleN.TOST, power.TOST) and its published examples, including
the simulated scaled-ABE values of its README (T7-T9), its Health Canada / FDA ABEL examples (evaluation by
intra-subject contrasts) and fresh seeded HC, FDA and low-CV cases computed by PowerTOST."""

from __future__ import annotations

import contextvars
import math
import os
from collections.abc import Callable, Hashable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast

from bioparity.power import (
    cv_from_ci,
    cv_to_mse,
    cv_to_se,
    power_rsabe,
    power_scabel,
    power_tost,
    sample_size_rsabe,
    sample_size_scabel,
    sample_size_tost,
    scabel_adjusted_alpha,
)
from bioparity.validation.areas._io import read_reference_csv, row_case
from bioparity.validation.cases import CaseResult, compare

AREA = "power"

_T = TypeVar("_T")
_R = TypeVar("_R")


def _in_threads(fn: Callable[[_T], _R], items: Iterable[_T]) -> list[_R]:
    """``[fn(x) for x in items]`` computed by one thread per CPU, in the order of ``items``.

    The scaled-ABE simulations spend their time in NumPy (random draws, array arithmetic), which releases
    the GIL; each has its own seeded generator, so the values do not depend on the threads.
    """
    todo = list(items)
    workers = min(len(todo), os.cpu_count() or 1)
    if workers <= 1:
        return [fn(x) for x in todo]
    contexts = [contextvars.copy_context() for _ in todo]  # the caller's language for any message
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda ctx, x: ctx.run(fn, x), contexts, todo))


def run(reference: Path) -> list[CaseResult]:
    """Every row of the PowerTOST reference files and the published examples."""
    return [
        *_sample_sizes(reference),
        *_powers(reference),
        *_published(reference),
        *_scaled(reference),
        *_scaled_isc(reference),
    ]


def _sample_sizes(reference: Path) -> list[CaseResult]:
    ref = read_reference_csv(reference / "expected" / "sample_size_tost.csv")
    res = sample_size_tost(
        design=ref["design"].to_numpy(dtype=object),
        cv=ref["cv"].to_numpy(),
        theta0=ref["theta0"].to_numpy(),
        theta1=ref["theta1"].to_numpy(),
        theta2=ref["theta2"].to_numpy(),
        alpha=ref["alpha"].to_numpy(),
        target_power=ref["target_power"].to_numpy(),
    )
    out = []
    n_ref, power_ref = ref["n"].to_numpy(dtype=float), ref["power"].to_numpy(dtype=float)
    for i, row in enumerate(ref.itertuples()):
        case = (
            f"row {i + 1}: {row.design} CV {row.cv} theta0 {row.theta0} "
            f"limits {row.theta1:.4g}-{row.theta2:.4g} target {row.target_power}"
        )
        out.append(
            compare(AREA, "powertost-samplesize", case, "n", n_ref[i], float(res.n[i]), comparison="exact")
        )
        out.append(
            compare(AREA, "powertost-samplesize", case, "power", power_ref[i], float(res.power[i]), 1e-9)
        )
    return out


def _powers(reference: Path) -> list[CaseResult]:
    ref = read_reference_csv(reference / "expected" / "power_tost.csv")
    out = []
    for method, tol in (("exact", 1e-9), ("nct", 1e-7), ("shifted", 1e-7)):
        res = power_tost(
            design=ref["design"].to_numpy(dtype=object),
            cv=ref["cv"].to_numpy(),
            theta0=ref["theta0"].to_numpy(),
            n=ref["n"].to_numpy(),
            method=method,
        )
        column = ref[f"power_{method}"].to_numpy(dtype=float)
        for i, row in enumerate(ref.itertuples()):
            case = f"row {i + 1}: {row.design} CV {row.cv} theta0 {row.theta0} n {row.n}"
            out.append(
                compare(AREA, "powertost-power", case, f"power ({method})", column[i], res.power[i], tol)
            )
    return out


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _published(reference: Path) -> list[CaseResult]:
    ref = read_reference_csv(reference / "power" / "published_vectors.csv")
    out = []
    for row in ref.to_dict("records"):
        groups = (
            None if _blank(row["n_by_group"]) else tuple(int(v) for v in str(row["n_by_group"]).split("|"))
        )
        theta1 = None if _blank(row["theta1"]) else float(row["theta1"])
        theta2 = None if _blank(row["theta2"]) else float(row["theta2"])
        if row["function"] == "power":
            n = None if groups else int(row["n"])
            observed = float(
                power_tost(
                    design=row["design"],
                    cv=row["cv"],
                    theta0=row["theta0"],
                    n=n,
                    n_by_group=groups,
                    method=row["method"],
                    theta1=theta1,
                    theta2=theta2,
                )
            )
        elif row["function"] == "samplesize":
            res = sample_size_tost(
                design=row["design"],
                cv=row["cv"],
                theta0=row["theta0"],
                method=row["method"],
                theta1=theta1,
                theta2=theta2,
            )
            observed = float(res.n) if row["quantity"] == "n" else float(res.power)
        elif row["function"] == "cv_conversion":
            convert = cv_to_se if row["quantity"] == "se" else cv_to_mse
            observed = float(convert(float(row["cv"])))
        else:
            observed = cv_from_ci(
                lower=row["lower"],
                upper=row["upper"],
                point=row["point"],
                n=groups if groups else int(row["n"]),
                design=row["design"],
            )
        comparison = "exact" if row["quantity"] == "n" else "abs"
        out.append(row_case(AREA, "powertost-published", str(row["case"]), row, observed, comparison))
    return out


def _cv(text: str) -> float | tuple[float, ...]:
    """``0.45`` or ``(CVwT, CVwR)`` from ``0.40|0.50``."""
    parts = tuple(float(v) for v in text.split("|"))
    return parts[0] if len(parts) == 1 else parts


_SIMULATIONS = ("power_scabel", "power_rsabe", "sample_size_scabel", "sample_size_rsabe")


def _scaled_keys(row: Mapping[Hashable, Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The row's simulation key and its group: rows of one group share an adjusted-alpha search."""
    n = None if _blank(row["n"]) else int(row["n"])
    setting = (str(row["design"]), str(row["regulator"]), str(row["cv"]), n, int(row["nsims"]))
    key = (str(row["function"]), *setting)
    return key, key if row["function"] in _SIMULATIONS else ("adjusted alpha search", *setting)


def _scaled_values(row: Mapping[Hashable, Any], cache: dict[tuple[Any, ...], Any]) -> dict[str, float]:
    """The quantities of one simulation of a published scaled-ABE row (results cached per call)."""
    fn, design, regulator = str(row["function"]), str(row["design"]), str(row["regulator"])
    cv, nsims = _cv(str(row["cv"])), int(row["nsims"])
    n = None if _blank(row["n"]) else int(row["n"])
    key, adj_key = _scaled_keys(row)
    if key in cache:
        return cast(dict[str, float], cache[key])
    if fn == "power_scabel":
        values = {"power": power_scabel(cv, n, design, regulator=regulator, nsims=nsims).power}
    elif fn == "power_rsabe":
        values = {"power": power_rsabe(cv, n, design, nsims=nsims).power}
    elif fn == "sample_size_scabel":
        res = sample_size_scabel(cv, design, regulator=regulator, nsims=nsims)
        values = {"n": float(res.n), "power": res.power}
    elif fn == "sample_size_rsabe":
        res = sample_size_rsabe(cv, design, nsims=nsims)
        values = {"n": float(res.n), "power": res.power}
    else:
        if adj_key not in cache:
            cache[adj_key] = scabel_adjusted_alpha(cv, n, design, regulator=regulator, nsims=nsims)
        ad = cache[adj_key]
        if fn == "scabel_adjusted_alpha":
            return {
                "theta0_boundary": ad.theta0_boundary,
                "type1_error": ad.type1_error,
                "alpha_adjusted": ad.alpha_adjusted,
                "type1_error_adjusted": ad.type1_error_adjusted,
            }
        power = power_scabel(cv, n, design, alpha=ad.alpha_adjusted, regulator=regulator, nsims=nsims)
        values = {"power": power.power}
    cache[key] = values
    return values


def _scaled(reference: Path) -> list[CaseResult]:
    """PowerTOST's published simulated values (README; T7-T9): 4 combined Monte Carlo SE or as stated."""
    ref = read_reference_csv(reference / "power" / "scaled_published.csv")
    rows = ref.to_dict("records")
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(_scaled_keys(row)[1], []).append(i)

    def simulate(members: list[int]) -> list[tuple[int, dict[str, float]]]:
        cache: dict[tuple[Any, ...], Any] = {}
        return [(i, _scaled_values(rows[i], cache)) for i in members]

    values = dict(pair for group in _in_threads(simulate, groups.values()) for pair in group)
    out = []
    for i, row in enumerate(rows):
        quantity, expected = str(row["quantity"]), float(row["expected"])
        observed = float(values[i][quantity])
        if quantity == "n":
            tol, comparison = 0.0, "exact"
        elif _blank(row["tolerance"]):
            inv = 1 / int(row["nsims"]) + (
                0.0 if _blank(row["nsims_published"]) else 1 / row["nsims_published"]
            )
            tol, comparison = 4 * math.sqrt(expected * (1 - expected) * inv), "abs"
        else:
            tol, comparison = float(row["tolerance"]), "abs"
        n = "" if _blank(row["n"]) else f", n {int(row['n'])}"
        case = f"{row['case']}: {row['function']} {row['design']} CV {row['cv']}{n} {row['regulator']}"
        out.append(compare(AREA, "powertost-scaled", case, quantity, expected, observed, tol, comparison))
    return out


#: Simulated studies per scaled-ABE validation case (PowerTOST's values used 1e5 or 1e6).
_ISC_NSIMS = 200_000


def _mc_tolerance(p: float, nsims: int, nsims_reference: float) -> float:
    """4 combined Monte Carlo standard errors (different random streams)."""
    return 4 * math.sqrt(max(p * (1 - p), 1e-6) * (1 / nsims + 1 / nsims_reference))


def _tuple_or_scalar(text: object, kind: type) -> Any:
    """``0.45`` or ``(0.40, 0.50)`` from ``0.40|0.50``; whole numbers also from ``33.0``."""
    parts = [kind(float(v)) for v in str(text).split("|")]
    return parts[0] if len(parts) == 1 else tuple(parts)


def _isc_observed(row: Mapping[Hashable, Any]) -> tuple[dict[str, float], int]:
    """The simulated quantities of a published HC / FDA / low-CV row and its number of simulated studies."""
    cv = _tuple_or_scalar(row["cv"], float)
    settings = {"theta0": float(row["theta0"]), "regulator": str(row["regulator"])}
    if row["function"] == "power_scabel":
        res = power_scabel(
            cv, _tuple_or_scalar(row["n"], int), str(row["design"]), nsims=_ISC_NSIMS,
            evaluation=str(row["evaluation"]), **settings,  # type: ignore[arg-type]
        )  # fmt: skip
        return {"power": res.power}, _ISC_NSIMS
    size = sample_size_scabel(
        cv, str(row["design"]), target_power=float(row["target_power"]),
        evaluation=str(row["evaluation"]), **settings,  # type: ignore[arg-type]
    )  # fmt: skip
    return {"n": float(size.n), "power": size.power}, 100_000


def _parity_power(row: Mapping[Hashable, Any]) -> float:
    """Simulated power of one fresh seeded PowerTOST case."""
    return power_scabel(
        (float(row["cvwt"]), float(row["cvwr"])), _tuple_or_scalar(row["n"], int), str(row["design"]),
        theta0=float(row["theta0"]), regulator=str(row["regulator"]), nsims=_ISC_NSIMS, seed=20261205,
    ).power  # fmt: skip


def _scaled_isc(reference: Path) -> list[CaseResult]:
    """HC / FDA ABEL and the low-CV branch: published examples and fresh seeded PowerTOST cases."""
    out = []
    rows = read_reference_csv(reference / "power" / "scaled_isc_published.csv").to_dict("records")
    # one simulation per setting: the n and the power of a sample size come from the same search
    setting = ("function", "regulator", "evaluation", "design", "cv", "n", "theta0", "target_power")
    unique = {tuple(str(row[k]) for k in setting): row for row in rows}
    found = dict(zip(unique, _in_threads(_isc_observed, unique.values()), strict=True))
    for row in rows:
        values, nsims = found[tuple(str(row[k]) for k in setting)]
        observed = values[str(row["quantity"])]
        expected = float(row["expected"])
        if row["quantity"] == "n":
            tol, comparison = 0.0, "exact"
        else:
            tol, comparison = _mc_tolerance(expected, nsims, float(row["nsims_published"])), "abs"
        n = "" if _blank(row["n"]) else f" n {row['n']}"
        case = f"{row['case']}: {row['function']} {row['design']} CV {row['cv']}{n} {row['evaluation']}"
        out.append(
            compare(
                AREA, "powertost-scaled-isc", case, str(row["quantity"]), expected, observed, tol, comparison
            )
        )
    cases = read_reference_csv(reference / "power" / "scaled_parity_cases.csv").to_dict("records")
    for row, power in zip(cases, _in_threads(_parity_power, cases), strict=True):
        expected = float(row["power"])
        case = (
            f"{row['kind']}: power_scabel {row['design']} CV {row['cvwt']}|{row['cvwr']} n {row['n']} "
            f"theta0 {row['theta0']} {row['regulator']}"
        )
        tol = _mc_tolerance(expected, _ISC_NSIMS, float(row["nsims"]))
        out.append(compare(AREA, "powertost-scaled-isc", case, "power", expected, power, tol, "abs"))
    return out
