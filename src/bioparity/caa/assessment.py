"""The comparative analytical assessment: every attribute, every comparison, one call.

:func:`assess` takes the long measurement table and an attribute catalogue and runs, for each
attribute, the plan its catalogue entry (or tier) selects on each comparison (see
:mod:`bioparity.caa.catalogue` for the default plan ``qr-2025`` and the old ``tiered-2017``): by
default ``test`` against every reference source and every pair of reference sources (the analytical
bridge: the first source's lots judged against the second's range or mean).

Bridge direction: with ``region="ema"`` the other reference's lots (e.g. US-sourced) are judged
against the EU reference (the EU reference product is the comparator of an EU application, EMA
*Guideline on similar biological medicinal products*, CHMP/437/04 Rev 1, 2014, section 3.3, which
allows a non-EEA comparator when it is bridged to the EEA product); with ``region="fda"`` the EU lots
are judged against the US-licensed reference (FDA *Scientific Considerations in Demonstrating
Biosimilarity to a Reference Product*, 2015, section VI.A: a non-US-licensed comparator needs an
analytical bridge to the US-licensed product). Without a region the old alphabetical order is kept
and a note says so. Pooling the references into one ``ref-pooled`` source is only done when asked
(``pool_references=True``) and judged only for attributes whose bridge passed.

Per comparison the result also carries: the spread check (s_T/s_R against its margin), the
sensitivity analysis (the equivalence test for critical attributes in the default plan), the lot
minimum with any recorded justification, and the plan's operating characteristics
(:mod:`bioparity.caa.operating`). The work is vectorised across attributes and comparisons: one
batch per method.

:func:`compare` runs one method on two arrays of lot values (the building block, same code path).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity.caa.catalogue import DEFAULT_PLAN, LEGACY_PLAN, PLANS, SETTING_NAMES, AttributeSpec, Catalogue
from bioparity.caa.inputs import TEST_SOURCE, check_long_table
from bioparity.caa.lots import data_notes, prepare_lots
from bioparity.caa.methods import METHODS, ComparisonBatch
from bioparity.caa.operating import (
    DEFAULT_SEED,
    DEFAULT_SIMULATIONS,
    familywise_false_failure,
    oc_columns,
    plan_text,
    spread_familywise,
)
from bioparity.caa.results import DESCRIPTIVE, FAIL, NOT_EVALUABLE, PASS, CAAResult, ComparisonResult
from bioparity.errors import InputError
from bioparity.i18n.notes import note_plural, note_template
from bioparity.i18n.printing import bridge_statuses_in, comparison_in, comparisons_in

_SHOWN_SETTINGS = {
    "equivalence": ("margin_multiplier", "alpha", "variance"),
    "quality-range": ("k", "min_fraction"),
    "tolerance-interval": ("coverage", "confidence", "tolerance_method", "min_fraction"),
    "min-max": ("min_fraction",),
    "nonparametric": ("coverage", "confidence", "min_fraction"),
    "descriptive": (),
}


REGIONS = ("ema", "fda")
#: The reference source that is the comparator of an application in each region.
REGION_REFERENCE = {"ema": "ref-eu", "fda": "ref-us"}
POOLED_SOURCE = "ref-pooled"

# The notes of an assessment (templates: see bioparity.i18n.notes).
NOT_IN_CATALOGUE = note_template("Not in the catalogue (defaults used): {attributes}.")
NO_CATALOGUE = note_template(
    "No attribute catalogue: every attribute analysed with the defaults of its tier (tier 2 if none)."
)
NO_DATA = note_template("In the catalogue but without data: {attributes}.")
COMPARISONS = note_template("Comparisons: {comparisons}. Statistics on lot values (SD with n - 1).")
#: One comparison of :data:`COMPARISONS` (the list joined by ``"; "``).
COMPARISON = note_template("{test} lots against {reference}")
PLAN_QR_2025 = note_template(
    "Plan qr-2025 (default; each row's 'plan' states what was applied): quality range "
    "mean_R ± k·s_R with k = 2.5 for tier 1 and 3 for tier 2 "
    "(FDA 2019 draft / 2025 final CAA guidance: k justified per attribute, smaller for more critical "
    "attributes), >= 90% of test lots inside, spread check s_T/s_R <= 1.5, >= 10 reference and 10 "
    "test lots; the equivalence test of means (±1.5·s_R, 90% CI) as a sensitivity analysis "
    "for tier 1."
)
PLAN_TIERED_2017 = note_template(
    "Plan tiered-2017 (explicit option, the FDA 2017 draft withdrawn in 2018): tier 1 equivalence "
    "test of means, tier 2 quality range k = 3, no spread check, technical lot minimums only."
)
TIERED_ALPHA = note_template(
    "Plan tiered-2017: alpha {alpha:g} ({level:.0%} confidence interval) for {attributes}; the FDA 2017 "
    "draft's tier 1 equivalence test uses alpha 0.05 (a 90% confidence interval): a larger alpha passes "
    "more easily and needs a justification."
)
BRIDGE_ALPHABETICAL = note_template(
    "Bridge direction: no region given, alphabetical order (old behaviour); state the region "
    "being filed (ema: other lots judged against ref-eu; fda: against ref-us)."
)
BRIDGE_DIRECTION = note_template("Bridge direction for {region}: {bridges}.")
#: One bridge of :data:`BRIDGE_DIRECTION` (the list joined by ``"; "``).
BRIDGE = note_template("{test} lots judged against the {reference} range")
POOLED = note_template(
    "References pooled (explicit option): test vs ref-pooled judged only where every bridge passed; its "
    "mean_R and SD_R (n - 1) are those of all reference lots taken together, with no term for the region "
    "(a difference between the regions' means widens SD_R)."
)
# The reasons of a row that is not evaluable or has a spread check (templates: see bioparity.i18n.notes).
# (the count's two forms: "1 lot of test" read "1 lots of test"; registered before the earlier wording, which
# stays registered so that the notes of runs stored with it still translate)
TOO_FEW_REFERENCE_LOTS = note_plural(
    "{n:d} reference lot ({source}); {method} needs >= {minimum:d}",
    "{n:d} reference lots ({source}); {method} needs >= {minimum:d}",
)
TOO_FEW_TEST_LOTS = note_plural(
    "{n:d} lot of {source}; {method} needs >= {minimum:d}",
    "{n:d} lots of {source}; {method} needs >= {minimum:d}",
)
#: The earlier wording of :data:`TOO_FEW_REFERENCE_LOTS` and :data:`TOO_FEW_TEST_LOTS` (stored notes only).
STORED_TOO_FEW_LOTS = (
    note_template("{n} reference lots ({source}); {method} needs >= {minimum:d}"),
    note_template("{n} lots of {source}; {method} needs >= {minimum:d}"),
)
#: A lot minimum of :data:`TOO_FEW_REFERENCE_LOTS` or :data:`TOO_FEW_TEST_LOTS` that is the plan's default.
DEFAULT_MINIMUM = note_template(
    "{problem} (default minimum of the plan; a catalogue may lower it with a lot_justification)"
)
NO_REFERENCE_SD = note_template("reference SD is 0: no scale for the range or margin")
SPREAD_NEEDS_TWO_LOTS = note_template(
    "{n:d} lot of {source}: the spread check s_T/s_R needs >= 2 lots for an SD"
)
ALL_LOTS_INSIDE = note_template(
    "{reason} (with {n:d} test lots, >= {fraction:.0%} inside means all {n:d} lots)"
)
#: Added to a reason after ``"; "``.
SPREAD = note_template("spread: s_T/s_R = {ratio:.3g} {comparison} {margin:g}")
NOT_EVALUABLE_BECAUSE = note_template("not evaluable: {problems}")
POOLED_NOT_EVALUABLE = note_template(
    "not evaluable: references pooled only after a successful bridge; bridge status {statuses}",
    shown={"statuses": bridge_statuses_in},
)
OPERATING_CHARACTERISTICS = note_template(
    "Operating characteristics: probability of passing at equal distributions, 1 and 2 s_R mean "
    "shifts and a doubled test SD from {n_sim} simulated assessments per plan and lot numbers "
    "(seed {seed}; Monte Carlo SE <= {se:.3f}); for equivalence plans also the "
    "pass probability at a true difference equal to the margin (the test's actual type I error)."
)

SPREAD_FALSE_FAILURE = note_template(
    "Spread check by chance, {comparison}: with test and reference lots from one distribution, each "
    "spread check fails with probability {per_check} (exact: P(F(n_T - 1, n_R - 1) > margin^2)); at least "
    "one of its {n:d} spread checks fails with probability {familywise} ({expected} failures expected, "
    "attributes independent), and at least one of its {n_formal:d} formal attributes fails its whole "
    "criterion (range and spread) with probability {plan} (simulated).",
    shown={"comparison": comparison_in},
)
SINGLE_TEST_LOT = note_template(
    "Single test lot, {comparison}: {attributes} passed on one test lot; the share of test lots inside a "
    "range (or a mean) from one lot says nothing of the test product's lot-to-lot variability: add lots "
    "before relying on it.",
    shown={"comparison": comparison_in},
)


EQUIVALENCE_MULTIPLICITY = note_template(
    "Multiplicity of the equivalence tests: {n_tests:d} tests ({n_attributes:d} attribute(s) x "
    "{n_comparisons:d} comparison(s): {comparisons}), each at alpha {alpha} per side ({level} confidence "
    "interval), not adjusted for the number of attributes or comparisons (FDA 2017 draft, tier 1: alpha "
    "0.05 per attribute; no adjustment described). Each comparison is judged on its own and similarity needs "
    "every one to pass: an intersection-union test, whose chance of a false similarity conclusion stays at "
    "most alpha without adjustment; no simultaneous or Bonferroni-adjusted procedure is applied. What the "
    "number of tests raises is the chance that a truly similar product fails at least one.",
    shown={"comparisons": comparisons_in},
)
EQUIVALENCE_SENSITIVITY_ONLY = note_template(
    "Plan qr-2025: the equivalence tests are a sensitivity analysis; their results change no verdict."
)
EQUIVALENCE_FALSE_FAILURE = note_template(
    "Equivalence tests failed by chance, {comparison}: with equal means and SDs at least one of its {n:d} "
    "tests fails with probability {familywise} (one minus each test's simulated pass probability, combined "
    "over attributes taken as independent).",
    shown={"comparison": comparison_in},
)


def default_comparisons(sources: Sequence[str], region: str | None = None) -> list[tuple[str, str]]:
    """``test`` vs each reference source, then each pair of reference sources (the bridge).

    With ``region`` ("ema" or "fda") every bridge judges the other reference's lots against the
    region's reference (``ref-eu`` for EMA, ``ref-us`` for FDA); without it, alphabetical order.

    Parameters
    ----------
    sources : sequence of str
        Source labels present in the data (``test``, ``ref-eu``, ``ref-us``, ...; duplicates allowed).
    region : {"ema", "fda"}, optional
        The region being filed, which sets the bridge direction (case-insensitive).

    Returns
    -------
    list of (str, str)
        ``(test_source, reference_source)`` pairs: ``test`` against each reference (alphabetical),
        then one bridge per pair of references.

    Raises
    ------
    InputError
        For a region other than ``ema`` or ``fda``.

    References
    ----------
    EMA, Guideline on similar biological medicinal products, CHMP/437/04 Rev 1 (2014), section 3.3.
    FDA, Scientific Considerations in Demonstrating Biosimilarity to a Reference Product (2015),
    section VI.A.

    Examples
    --------
    >>> default_comparisons(["test", "ref-us", "ref-eu"], region="ema")
    [('test', 'ref-eu'), ('test', 'ref-us'), ('ref-us', 'ref-eu')]
    >>> default_comparisons(["test", "ref-us", "ref-eu"], region="fda")[-1]
    ('ref-eu', 'ref-us')
    """
    refs = sorted(s for s in set(sources) if s != TEST_SOURCE)
    pairs = [(TEST_SOURCE, r) for r in refs] if TEST_SOURCE in sources else []
    bridges = list(itertools.combinations(refs, 2))
    if region is not None:
        home = REGION_REFERENCE[_check_region(region)]
        bridges = [(b, a) if a == home else (a, b) for a, b in bridges]
    return pairs + bridges


def _check_region(region: str) -> str:
    name = str(region).strip().lower()
    if name not in REGIONS:
        raise InputError(f"region {region!r} unknown; expected one of {', '.join(REGIONS)} (or none)")
    return name


def _pooled_lots(lots: pd.DataFrame) -> pd.DataFrame:
    """All reference lots once more under the source ``ref-pooled`` (lot ids prefixed with the source)."""
    refs = lots[lots["source"] != TEST_SOURCE].copy()
    refs["lot"] = refs["source"].astype(str) + "/" + refs["lot"].astype(str)
    refs["source"] = POOLED_SOURCE
    return pd.concat([lots, refs], ignore_index=True)


def _stats_grid(lots: pd.DataFrame, attributes: list[str], sources: list[str]) -> dict[str, npt.NDArray[Any]]:
    """Per (attribute, source): n, mean, SD (n - 1), min, max as [A, S] arrays."""
    a = pd.Categorical(lots["attribute"], categories=attributes).codes
    s = pd.Categorical(lots["source"], categories=sources).codes
    shape = (len(attributes), len(sources))
    flat = a * len(sources) + s
    size = shape[0] * shape[1]
    v = lots["value"].to_numpy(dtype=float)
    n = np.bincount(flat, minlength=size).astype(float)
    total = np.bincount(flat, weights=v, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        dev2 = np.bincount(flat, weights=(v - mean[flat]) ** 2, minlength=size)
        sd = np.sqrt(dev2 / (n - 1))
    lo = np.full(size, np.inf)
    hi = np.full(size, -np.inf)
    np.minimum.at(lo, flat, v)
    np.maximum.at(hi, flat, v)
    empty = n == 0
    lo[empty], hi[empty] = np.nan, np.nan
    sd[n < 2] = np.nan  # 0 lots gave sqrt(0 / -1) = -0.0, an SD printed as a number
    return {k: x.reshape(shape) for k, x in {"n": n, "mean": mean, "sd": sd, "min": lo, "max": hi}.items()}


def _build_batch(
    lots: pd.DataFrame, attributes: list[str], comparisons: list[tuple[str, str]], specs: list[AttributeSpec]
) -> tuple[ComparisonBatch, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Rows ordered attribute-major: row = attribute_index * n_comparisons + comparison_index."""
    sources = sorted(set(lots["source"]) | {s for c in comparisons for s in c})
    grid = _stats_grid(lots, attributes, sources)
    n_a, n_c = len(attributes), len(comparisons)
    attr_idx = np.repeat(np.arange(n_a), n_c)
    comp_idx = np.tile(np.arange(n_c), n_a)
    t_src = np.array([sources.index(c[0]) for c in comparisons])[comp_idx]
    r_src = np.array([sources.index(c[1]) for c in comparisons])[comp_idx]
    lot_attr = pd.Categorical(lots["attribute"], categories=attributes).codes.astype(np.int64)
    lot_src = pd.Categorical(lots["source"], categories=sources).codes.astype(np.int64)
    values = lots["value"].to_numpy(dtype=float)
    lot_ids = lots["lot"].to_numpy(dtype=object)
    test_parts: list[tuple[npt.NDArray[Any], ...]] = []
    ref_parts: list[tuple[npt.NDArray[Any], ...]] = []
    for c, (t, r) in enumerate(comparisons):  # one pass per comparison (3 by default), not per attribute
        for parts, source in ((test_parts, t), (ref_parts, r)):
            m = lot_src == sources.index(source)
            parts.append((values[m], lot_attr[m] * n_c + c, lot_ids[m]))
    test_values, test_rows, test_lots = (np.concatenate([p[i] for p in test_parts]) for i in range(3))
    ref_values, ref_rows, _ = (np.concatenate([p[i] for p in ref_parts]) for i in range(3))
    settings = {
        name: np.array([getattr(s, name) for s in specs], dtype=object)[attr_idx] for name in SETTING_NAMES
    }
    batch = ComparisonBatch(
        n_test=grid["n"][attr_idx, t_src].astype(np.int64),
        mean_test=grid["mean"][attr_idx, t_src],
        sd_test=grid["sd"][attr_idx, t_src],
        n_reference=grid["n"][attr_idx, r_src].astype(np.int64),
        mean_reference=grid["mean"][attr_idx, r_src],
        sd_reference=grid["sd"][attr_idx, r_src],
        min_reference=grid["min"][attr_idx, r_src],
        max_reference=grid["max"][attr_idx, r_src],
        test_values=test_values,
        test_rows=test_rows.astype(np.int64),
        test_lots=test_lots,
        reference_values=ref_values,
        reference_rows=ref_rows.astype(np.int64),
        settings=settings,
        test_source=np.array([c[0] for c in comparisons], dtype=object)[comp_idx],
        reference_source=np.array([c[1] for c in comparisons], dtype=object)[comp_idx],
    )
    return batch, attr_idx, comp_idx


def _run(batch: ComparisonBatch) -> dict[str, Any]:
    """Evaluate every row with its method and apply the lot-count rules (not evaluable, never passed)."""
    size = batch.size
    out: dict[str, Any] = {
        "statistic": np.empty(size, dtype=object),
        "reasons": np.empty(size, dtype=object),
        "status": np.empty(size, dtype=object),
        "spread_status": np.full(size, "off", dtype=object),
        "sd_ratio": np.full(size, np.nan),
    }
    for name in ("estimate", "lower_limit", "upper_limit", "ci_lower", "ci_upper", "factor", "n_inside"):
        out[name] = np.full(size, np.nan)
    method = batch.setting("method").astype(str)
    for name in np.unique(method):
        spec = METHODS[str(name)]
        rows = np.flatnonzero(method == name)
        sub = batch.take(rows)
        res = spec.evaluate(sub)
        for field_name in (
            "estimate",
            "lower_limit",
            "upper_limit",
            "ci_lower",
            "ci_upper",
            "factor",
            "n_inside",
        ):
            out[field_name][rows] = getattr(res, field_name)
        out["statistic"][rows] = res.statistic
        min_ref = sub.setting("min_reference_lots").astype(np.int64)
        min_test = sub.setting("min_test_lots").astype(np.int64)
        short_ref = sub.n_reference < min_ref
        short_test = sub.n_test < min_test
        no_sd = spec.needs_reference_sd & ~(np.nan_to_num(sub.sd_reference) > 0)
        spread = sub.setting("spread_check").astype(bool) & spec.formal
        # a plan with a spread check cannot judge one test lot (no s_T): never a NaN ratio read as "> margin"
        no_spread = spread & (sub.n_test < 2)
        evaluable = ~short_ref & ~short_test & ~no_sd & ~no_spread & res.evaluable
        default_minimum = sub.setting("lot_justification").astype(str) == ""
        for j, row in enumerate(rows):
            problems = []
            if short_ref[j]:
                ref_name = sub.reference_source[j]
                n_ref = int(sub.n_reference[j])
                problem = TOO_FEW_REFERENCE_LOTS[n_ref != 1].format(
                    n=n_ref, source=ref_name, method=name, minimum=min_ref[j]
                )
                default = default_minimum[j] and min_ref[j] >= 10
                problems.append(DEFAULT_MINIMUM.format(problem=problem) if default else problem)
            if short_test[j]:
                n_test = int(sub.n_test[j])
                problem = TOO_FEW_TEST_LOTS[n_test != 1].format(
                    n=n_test, source=sub.test_source[j], method=name, minimum=min_test[j]
                )
                default = default_minimum[j] and min_test[j] >= 10
                problems.append(DEFAULT_MINIMUM.format(problem=problem) if default else problem)
            if no_sd[j] and not short_ref[j]:
                problems.append(NO_REFERENCE_SD)
            if no_spread[j] and not short_test[j]:
                problems.append(SPREAD_NEEDS_TWO_LOTS.format(n=int(sub.n_test[j]), source=sub.test_source[j]))
            if evaluable[j]:
                out["status"][row] = (PASS if res.passed[j] else FAIL) if spec.formal else DESCRIPTIVE
                reason = res.reasons[j]
                if np.isfinite(res.n_inside[j]):
                    n_t = int(sub.n_test[j])
                    frac = float(sub.setting("min_fraction")[j])
                    if frac < 1 and n_t >= 1 and int(np.ceil(frac * n_t - 1e-9)) == n_t:
                        reason = ALL_LOTS_INSIDE.format(reason=reason, n=n_t, fraction=frac)
                if spread[j]:
                    ratio = float(sub.sd_test[j] / sub.sd_reference[j])
                    margin = float(sub.setting("sd_ratio_margin")[j])
                    out["sd_ratio"][row] = ratio
                    ok = bool(ratio <= margin)
                    out["spread_status"][row] = PASS if ok else FAIL
                    spread_text = SPREAD.format(ratio=ratio, comparison="<=" if ok else ">", margin=margin)
                    reason += "; " + spread_text
                    if not ok and out["status"][row] == PASS:
                        out["status"][row] = FAIL
                out["reasons"][row] = reason
            else:
                out["status"][row] = NOT_EVALUABLE
                out["reasons"][row] = NOT_EVALUABLE_BECAUSE.format(
                    problems="; ".join(problems or [res.reasons[j]])
                )
                if spread[j]:
                    out["spread_status"][row] = NOT_EVALUABLE
    return out


def assess(
    data: pd.DataFrame,
    catalogue: Catalogue | None = None,
    comparisons: Sequence[tuple[str, str]] | None = None,
    *,
    file: str | None = None,
    plan: str | None = None,
    region: str | None = None,
    pool_references: bool = False,
    operating_characteristics: bool = True,
    oc_simulations: int = DEFAULT_SIMULATIONS,
    seed: int = DEFAULT_SEED,
) -> CAAResult:
    """Run the comparative analytical assessment on a long table.

    Parameters
    ----------
    data
        Columns ``attribute, source, lot, value`` (+ optional ``unit, tier, replicate, date, method``),
        one row per measurement; checked with :func:`bioparity.caa.inputs.check_long_table`.
    catalogue
        Attribute settings (tier, method, k, margin, direction, ...); defaults when None.
    comparisons
        ``(test_source, reference_source)`` pairs; default :func:`default_comparisons`.
    file
        Name used in error messages when ``data`` came from a file.
    plan
        ``"qr-2025"`` (the default plan) or ``"tiered-2017"`` (the old tiers); overrides the catalogue's.
    region
        ``"ema"`` or ``"fda"``: the region being filed sets the bridge direction (see the module
        docstring); None keeps the alphabetical order (old behaviour) with a note.
    pool_references
        Also compare ``test`` with all reference lots pooled (``ref-pooled``), judged only for
        attributes whose bridge passed (explicit option; not done by default).
    operating_characteristics, oc_simulations, seed
        Simulate each plan's pass probabilities (:mod:`bioparity.caa.operating`) with this many
        simulated assessments and this seed.

    Returns
    -------
    CAAResult with one row per attribute and comparison (attribute-major order) and the notes.
    """
    frame = check_long_table(data, file=file)
    catalogue = catalogue or Catalogue()
    if plan is not None:
        if str(plan).lower() not in PLANS:
            raise InputError(f"plan {plan!r} unknown; expected one of {', '.join(PLANS)}")
        catalogue = replace(catalogue, plan=str(plan).lower())
    region = _check_region(region) if region is not None else None
    prepared = prepare_lots(frame)
    lots = prepared.lots
    attributes = list(dict.fromkeys(frame["attribute"].tolist()))
    present = sorted(set(frame["source"]))
    pairs = [
        (str(t).lower(), str(r).lower()) for t, r in (comparisons or default_comparisons(present, region))
    ]
    bridges = [p for p in pairs if TEST_SOURCE not in p]
    if pool_references:
        n_refs = len([s for s in present if s != TEST_SOURCE])
        if TEST_SOURCE not in present or n_refs < 2:
            raise InputError("pool_references needs 'test' and at least two reference sources")
        if not bridges:
            raise InputError("pool_references needs the bridge comparisons between the references")
        lots = _pooled_lots(lots)
        present = [*present, POOLED_SOURCE]
        pairs.append((TEST_SOURCE, POOLED_SOURCE))
    unknown = sorted({s for p in pairs for s in p} - set(present))
    if unknown:
        raise InputError(
            f"comparison source(s) {', '.join(unknown)} not in the data; "
            f"sources present: {', '.join(present)}"
        )
    if not pairs:
        raise InputError(
            "nothing to compare: the data need 'test' and at least one 'ref-...' source, or two references"
        )
    first = frame.drop_duplicates("attribute").set_index("attribute")
    specs = []
    for name in attributes:
        tier: Any = first.at[name, "tier"] if "tier" in first.columns else None
        unit: Any = first.at[name, "unit"] if "unit" in first.columns else None
        specs.append(
            catalogue.resolve(
                name,
                data_tier=None
                if tier is None or pd.isna(tier) or str(tier).strip() == ""
                else int(float(tier)),
                data_unit=None if unit is None or pd.isna(unit) else str(unit),
            )
        )
    batch, attr_idx, comp_idx = _build_batch(lots, attributes, pairs, specs)
    out = _run(batch)
    sens = _sensitivity(batch, specs, attr_idx)
    if pool_references:
        _judge_pooled(out, batch, attr_idx, comp_idx, pairs, bridges)

    outliers = lots[lots["outlier"]]
    flagged = {
        (a, s): ", ".join(g["lot"].astype(str)) for (a, s), g in outliers.groupby(["attribute", "source"])
    }
    missing_counts = prepared.missing.groupby(["attribute", "source"]).size().to_dict()
    rows_attr = np.array(attributes, dtype=object)[attr_idx]
    t_names = np.array([p[0] for p in pairs], dtype=object)[comp_idx]
    r_names = np.array([p[1] for p in pairs], dtype=object)[comp_idx]
    outlier_text, n_missing, settings_text = [], [], []
    for a, t, r, i in zip(rows_attr, t_names, r_names, attr_idx, strict=True):
        parts = [f"{src}: {flagged[(a, src)]}" for src in (t, r) if (a, src) in flagged]
        outlier_text.append("; ".join(parts))
        n_missing.append(int(missing_counts.get((a, t), 0) + missing_counts.get((a, r), 0)))
        settings_text.append(_settings_text(specs[i]))
    plans = [plan_text(spec) for spec in specs]
    status = out["status"]
    passed = np.where(np.isin(status, [PASS, FAIL]), status == PASS, None)
    required = batch.setting("min_fraction").astype(float)
    table = pd.DataFrame(
        {
            "attribute": rows_attr,
            "comparison": [f"{t} vs {r}" for t, r in zip(t_names, r_names, strict=True)],
            "test_source": t_names,
            "reference_source": r_names,
            "method": batch.setting("method"),
            "tier": batch.setting("tier").astype(np.int64),
            "direction": batch.setting("direction"),
            "unit": batch.setting("unit"),
            "n_test": batch.n_test,
            "n_reference": batch.n_reference,
            "mean_test": batch.mean_test,
            "sd_test": batch.sd_test,
            "mean_reference": batch.mean_reference,
            "sd_reference": batch.sd_reference,
            "statistic": out["statistic"],
            "estimate": out["estimate"],
            "lower_limit": out["lower_limit"],
            "upper_limit": out["upper_limit"],
            "ci_lower": out["ci_lower"],
            "ci_upper": out["ci_upper"],
            "factor": out["factor"],
            "n_inside": out["n_inside"],
            "fraction_inside": np.where(np.isfinite(out["n_inside"]), out["estimate"], np.nan),
            "required_fraction": np.where(np.isfinite(out["n_inside"]), required, np.nan),
            "status": status,
            "passed": passed,
            "reasons": out["reasons"],
            "outlier_lots": outlier_text,
            "n_missing": n_missing,
            "settings": settings_text,
            "plan": np.array(plans, dtype=object)[attr_idx],
            "plan_name": catalogue.plan,
            "region": region or "",
            "sd_ratio": out["sd_ratio"],
            "sd_ratio_margin": np.where(
                batch.setting("spread_check").astype(bool),
                batch.setting("sd_ratio_margin").astype(float),
                np.nan,
            ),
            "spread_status": out["spread_status"],
            "sensitivity_method": batch.setting("sensitivity"),
            "sensitivity_status": sens["status"],
            "sensitivity_reasons": sens["reasons"],
            "min_reference_lots": batch.setting("min_reference_lots").astype(np.int64),
            "min_test_lots": batch.setting("min_test_lots").astype(np.int64),
            "lot_justification": batch.setting("lot_justification"),
        }
    )
    if operating_characteristics:
        oc = oc_columns(specs, attr_idx, batch.n_test, batch.n_reference, n_sim=oc_simulations, seed=seed)
        for name, values in oc.items():
            table[name] = values
        table["oc_simulations"] = oc_simulations
        table["oc_seed"] = seed
    notes = data_notes(prepared)
    not_in_catalogue = [a for a in attributes if a not in catalogue.attributes]
    if not_in_catalogue and catalogue.attributes:
        notes.append(NOT_IN_CATALOGUE.format(attributes=", ".join(not_in_catalogue)))
    elif not catalogue.attributes:
        notes.append(NO_CATALOGUE)
    no_data = [a for a in catalogue.attributes if a not in attributes]
    if no_data:
        notes.append(NO_DATA.format(attributes=", ".join(no_data)))
    shown = "; ".join(COMPARISON.format(test=t, reference=r) for t, r in pairs)
    notes.append(COMPARISONS.format(comparisons=shown))
    notes.extend(
        _plan_notes(
            catalogue.plan, region, bridges, pool_references, operating_characteristics, oc_simulations, seed
        )
    )
    notes.extend(_tiered_alpha_notes(catalogue.plan, attributes, specs))
    notes.extend(equivalence_multiplicity_notes(table, dict(zip(attributes, specs, strict=True))))
    notes.extend(spread_notes(table))
    notes.extend(single_lot_notes(table))
    return CAAResult(
        table=table,
        lots=prepared.lots,
        notes=tuple(notes),
        comparisons=tuple(pairs),
        plan=catalogue.plan,
        region=region or "",
        pool_references=pool_references,
    )


def _share(values: pd.Series) -> str:
    """``12.1%``, or ``5.2%-12.1%`` when the values differ (one decimal)."""
    shown = pd.to_numeric(values, errors="coerce").dropna()
    low, high = f"{float(shown.min()):.1%}", f"{float(shown.max()):.1%}"
    return low if low == high else f"{low}-{high}"


def spread_notes(table: pd.DataFrame) -> list[str]:
    """One :data:`SPREAD_FALSE_FAILURE` note per comparison with a spread check (see
    :func:`bioparity.caa.operating.spread_familywise`): how often a truly similar product fails a spread
    check, and at least one of them, by chance.

    Parameters
    ----------
    table : pandas.DataFrame
        :attr:`CAAResult.table` with the operating characteristics' columns.

    Returns
    -------
    list of str
        The notes (none without operating characteristics or spread checks).

    References
    ----------
    Stangler & Schiestl 2019, AAPS Open 5:4, doi:10.1186/s41120-019-0033-9 (false rejection rates and
    multiplicity over the quality attributes compared in parallel).
    """
    notes = []
    for r in spread_familywise(table).itertuples(index=False):
        rows = table[table["comparison"] == r.comparison]
        notes.append(
            SPREAD_FALSE_FAILURE.format(
                comparison=r.comparison,
                per_check=_share(rows["oc_spread_false_failure"]),
                n=r.spread_checks,
                familywise=f"{r.spread_familywise:.1%}",
                expected=f"{r.spread_expected_failures:.2f}",
                n_formal=r.formal_attributes,
                plan=f"{r.plan_familywise:.1%}",
            )
        )
    return notes


def _span(values: Sequence[float], fmt: str) -> str:
    """``0.05``, or ``0.025-0.05`` when the values differ."""
    low, high = format(min(values), fmt), format(max(values), fmt)
    return low if low == high else f"{low}-{high}"


def equivalence_multiplicity_notes(table: pd.DataFrame, specs: dict[str, AttributeSpec]) -> list[str]:
    """What the assessment does about the multiplicity of its equivalence tests (tier 1 of the old plan, the
    sensitivity analysis of the default one): :data:`EQUIVALENCE_MULTIPLICITY` when two or more tests are run
    (attributes x comparisons that formed a confidence interval: test vs each reference and the bridge),
    :data:`EQUIVALENCE_SENSITIVITY_ONLY`
    when none decides a verdict, and per comparison whose equivalence tests decide alone (no spread check) the
    chance that a truly similar product fails at least one (:data:`EQUIVALENCE_FALSE_FAILURE`, from the
    simulated ``oc_equal``; the spread-check notes cover comparisons with a spread check).

    The alpha is not adjusted: FDA's 2017 draft "Statistical Approaches to Evaluate Analytical Similarity"
    (withdrawn 2018), tier 1, runs each attribute's TOST at alpha 0.05 (90% confidence interval) and describes
    no multiplicity adjustment; a non-US comparator is bridged to the US-licensed product by the pairwise
    comparisons test-US, test-non-US and non-US-US, each judged on its own (FDA, Scientific Considerations in
    Demonstrating Biosimilarity to a Reference Product, 2015, section VI.A; for PK, Clinical Pharmacology
    Data to Support a Demonstration of Biosimilarity, 2016, section IV.B). A claim that needs every test to
    pass is an intersection-union test, of level alpha without adjustment (Berger 1982, Technometrics
    24:295-300; Berger & Hsu 1996, Stat Sci 11:283-319). Multiplicity raises the false *failure* rate
    instead (Stangler & Schiestl 2019, AAPS Open 5:4), which the notes quantify.

    Parameters
    ----------
    table : pandas.DataFrame
        :attr:`CAAResult.table` (``attribute``, ``comparison``, ``method``, ``sensitivity_method``,
        ``spread_status`` and, when simulated, ``oc_equal``).
    specs : dict of str to AttributeSpec
        The resolved settings per attribute (the alpha of its equivalence test).

    Returns
    -------
    list of str
        The notes (none when fewer than two equivalence tests are run).
    """
    # the tests that formed a confidence interval (a not-evaluable row, too few lots or s_R = 0, ran none)
    judged = (PASS, FAIL)
    primary = (table["method"].astype(str) == "equivalence") & table["status"].isin(judged)
    sensitivity = (table["sensitivity_method"].astype(str) == "equivalence") & table[
        "sensitivity_status"
    ].isin(judged)
    tested = primary | sensitivity
    rows = table[tested]
    if len(rows) < 2:
        return []
    names = list(dict.fromkeys(rows["attribute"].astype(str)))
    alphas = [float(specs[name].alpha or 0.05) for name in names]
    comparisons = list(dict.fromkeys(rows["comparison"].astype(str)))
    notes = [
        EQUIVALENCE_MULTIPLICITY.format(
            n_tests=len(rows),
            n_attributes=len(names),
            n_comparisons=len(comparisons),
            comparisons="; ".join(comparisons),
            alpha=_span(alphas, "g"),
            level=_span([1 - 2 * a for a in alphas], ".0%"),
        )
    ]
    if not (table["method"].astype(str) == "equivalence").any():
        notes.append(EQUIVALENCE_SENSITIVITY_ONLY)
    if "oc_equal" not in table.columns:
        return notes
    alone = table[primary & (table["spread_status"].astype(str) == "off")]
    for comparison, group in alone.groupby("comparison", sort=False):
        passing = pd.to_numeric(group["oc_equal"], errors="coerce").dropna()
        if passing.size:
            notes.append(
                EQUIVALENCE_FALSE_FAILURE.format(
                    comparison=comparison,
                    n=int(passing.size),
                    familywise=f"{familywise_false_failure(1 - passing):.1%}",
                )
            )
    return notes


def single_lot_notes(table: pd.DataFrame) -> list[str]:
    """One :data:`SINGLE_TEST_LOT` note per comparison whose passes include one resting on a single test lot.

    A quality range, tolerance interval, min-max or distribution-free range asks that a share of the *test
    lots* fall inside a range of the reference lots: with one lot that share is 0 or 100 %, and nothing is
    learnt of the test product's lot-to-lot variability, which a comparative analytical assessment is to
    show (FDA, Development of Therapeutic Protein Biosimilars: Comparative Analytical Assessment and Other
    Quality-Related Considerations, draft 2019, section V.C; EMA/CHMP/138502/2017, section 4.2). The
    verdict stands as computed; the note carries the caveat into every front end and report.

    Parameters
    ----------
    table : pandas.DataFrame
        :attr:`CAAResult.table` (columns ``attribute``, ``comparison``, ``n_test``, ``status``).

    Returns
    -------
    list of str
        The notes, in the order of the comparisons (none when no pass rests on one test lot).

    Examples
    --------
    >>> t = pd.DataFrame({"attribute": ["purity", "charge"], "comparison": ["test vs ref-eu"] * 2,
    ...                   "n_test": [1, 2], "status": ["pass", "pass"]})
    >>> single_lot_notes(t)[0][:56]
    'Single test lot, test vs ref-eu: purity passed on one te'
    """
    hit = table[(table["n_test"] == 1) & (table["status"] == PASS)]
    return [
        SINGLE_TEST_LOT.format(comparison=comparison, attributes=", ".join(group["attribute"].astype(str)))
        for comparison, group in hit.groupby("comparison", sort=False)
    ]


def _settings_text(spec: AttributeSpec) -> str:
    shown = [f"{k}={getattr(spec, k)}" for k in _SHOWN_SETTINGS[str(spec.method)]]
    extra = [f"min_reference_lots={spec.min_reference_lots}", f"min_test_lots={spec.min_test_lots}"]
    if spec.spread_check:
        extra.append(f"sd_ratio_margin={spec.sd_ratio_margin}")
    if spec.sensitivity and spec.sensitivity != "none":
        extra.append(f"sensitivity={spec.sensitivity} (margin_multiplier={spec.margin_multiplier})")
    if spec.lot_justification:
        extra.append(f"lot_justification={spec.lot_justification}")
    return "; ".join([*shown, *extra])


def _sensitivity(
    batch: ComparisonBatch, specs: list[AttributeSpec], attr_idx: npt.NDArray[np.int64]
) -> dict[str, npt.NDArray[Any]]:
    """Run each row's sensitivity method (the equivalence test) on the same lots."""
    status = np.full(batch.size, "", dtype=object)
    reasons = np.full(batch.size, "", dtype=object)
    rows = np.flatnonzero(batch.setting("sensitivity").astype(str) == "equivalence")
    if rows.size:
        sub = batch.take(rows)
        settings = dict(sub.settings)
        settings["method"] = np.full(rows.size, "equivalence", dtype=object)
        settings["spread_check"] = np.zeros(rows.size, dtype=bool)
        res = _run(replace(sub, settings=settings))
        status[rows] = res["status"]
        reasons[rows] = res["reasons"]
    return {"status": status, "reasons": reasons}


def _judge_pooled(
    out: dict[str, Any],
    batch: ComparisonBatch,
    attr_idx: npt.NDArray[np.int64],
    comp_idx: npt.NDArray[np.int64],
    pairs: list[tuple[str, str]],
    bridges: list[tuple[str, str]],
) -> None:
    """Pooled-reference rows of attributes whose bridge did not pass become not evaluable."""
    pooled_c = pairs.index((TEST_SOURCE, POOLED_SOURCE))
    bridge_c = [pairs.index(b) for b in bridges]
    n_c = len(pairs)
    for row in np.flatnonzero(comp_idx == pooled_c):
        a = int(attr_idx[row])
        statuses = [str(out["status"][a * n_c + c]) for c in bridge_c]
        if str(batch.setting("method")[row]) == "descriptive":
            continue
        if any(st != PASS for st in statuses):
            out["status"][row] = NOT_EVALUABLE
            out["spread_status"][row] = NOT_EVALUABLE if out["spread_status"][row] != "off" else "off"
            shown = ", ".join(f"{t} vs {r}: {st}" for (t, r), st in zip(bridges, statuses, strict=True))
            out["reasons"][row] = POOLED_NOT_EVALUABLE.format(statuses=shown)


def _tiered_alpha_notes(plan: str, attributes: Sequence[str], specs: Sequence[AttributeSpec]) -> list[str]:
    """Plan tiered-2017 with an equivalence test at alpha above 0.05: one note per alpha naming the
    attributes. FDA 2017 draft guidance "Statistical Approaches to Evaluate Analytical Similarity" (withdrawn
    2018), tier 1: TOST at alpha 0.05, the 90% two-sided interval of the mean difference within ±1.5·sd_R."""
    if plan != LEGACY_PLAN:
        return []
    by_alpha: dict[float, list[str]] = {}
    for name, spec in zip(attributes, specs, strict=True):
        if str(spec.method) == "equivalence" and spec.alpha is not None and float(spec.alpha) > 0.05:
            by_alpha.setdefault(float(spec.alpha), []).append(str(name))
    return [
        TIERED_ALPHA.format(alpha=alpha, level=1 - 2 * alpha, attributes=", ".join(names))
        for alpha, names in sorted(by_alpha.items())
    ]


def _plan_notes(
    plan: str,
    region: str | None,
    bridges: list[tuple[str, str]],
    pooled: bool,
    oc: bool,
    n_sim: int,
    seed: int,
) -> list[str]:
    notes = []
    if plan == DEFAULT_PLAN:
        notes.append(PLAN_QR_2025)
    else:
        notes.append(PLAN_TIERED_2017)
    if bridges:
        if region is None:
            notes.append(BRIDGE_ALPHABETICAL)
        else:
            shown = "; ".join(BRIDGE.format(test=t, reference=r) for t, r in bridges)
            notes.append(BRIDGE_DIRECTION.format(region=region.upper(), bridges=shown))
    if pooled:
        notes.append(POOLED)
    if oc:
        notes.append(OPERATING_CHARACTERISTICS.format(n_sim=n_sim, seed=seed, se=0.5 / np.sqrt(n_sim)))
    return notes


def compare(
    test: npt.ArrayLike,
    reference: npt.ArrayLike,
    method: str = "quality-range",
    *,
    attribute: str = "attribute",
    test_lots: Sequence[str] | None = None,
    plan: str = DEFAULT_PLAN,
    **settings: Any,
) -> ComparisonResult:
    """Run one method on one attribute: ``test`` and ``reference`` are lot values (one per lot).

    ``settings`` are catalogue fields (``k``, ``margin_multiplier``, ``alpha``, ``variance``, ``direction``,
    ``min_fraction``, ``coverage``, ``confidence``, ``tolerance_method``, ...).

    ``plan`` is the catalogue plan whose defaults fill what ``settings`` leave open (the default plan
    needs >= 10 lots per source unless ``min_*_lots`` and a ``lot_justification`` say otherwise).

    Parameters
    ----------
    test : array_like of float
        Lot values of the source judged (one per lot, replicates averaged), without NaN.
    reference : array_like of float
        Lot values of the reference source, without NaN.
    method : str, default "quality-range"
        A method of :data:`~bioparity.caa.methods.METHODS`.
    attribute : str, default "attribute"
        Name shown in the result.
    test_lots : sequence of str, optional
        Lot identifiers of ``test`` (named in the reasons when outside the range); default
        ``T1, T2, ...``.
    plan : {"qr-2025", "tiered-2017"}, default "qr-2025"
        The plan whose defaults complete ``settings``.
    **settings
        Catalogue fields of :class:`~bioparity.caa.catalogue.AttributeSpec` (``k``,
        ``margin_multiplier``, ``alpha``, ``variance``, ``direction``, ``min_fraction``, ``coverage``,
        ``confidence``, ``tolerance_method``, ``min_reference_lots``, ``lot_justification``, ``tier``,
        ...), checked as in a catalogue.

    Returns
    -------
    ComparisonResult
        The outcome of the comparison ``test vs ref`` (no operating characteristics: ``oc_*`` NaN).

    Raises
    ------
    InputError
        For NaN lot values, an unknown method, plan or setting, a setting out of range, or lot minimums
        lowered below the plan's without a ``lot_justification``.

    References
    ----------
    As :mod:`bioparity.caa.methods` for each method (FDA 2019/2025 quality ranges; EMA/CHMP/138502/2017;
    FDA 2017 draft equivalence test).

    Examples
    --------
    >>> t, r = [99.0, 101.0, 100.5], [98.0, 100.0, 102.0, 101.0, 99.0]
    >>> r = compare(t, r, "quality-range", plan="tiered-2017")
    >>> r.status, r.n_inside
    ('pass', 3.0)
    """
    t = np.asarray(test, dtype=float).ravel()
    r = np.asarray(reference, dtype=float).ravel()
    if np.isnan(t).any() or np.isnan(r).any():
        raise InputError("lot values must not be NaN; drop missing lots first and report them")
    lots = test_lots if test_lots is not None else [f"T{i + 1}" for i in range(t.size)]
    frame = pd.DataFrame(
        {
            "attribute": attribute,
            "source": ["test"] * t.size + ["ref"] * r.size,
            "lot": list(lots) + [f"R{i + 1}" for i in range(r.size)],
            "value": np.concatenate([t, r]),
        }
    )
    frame["row"] = np.arange(1, len(frame) + 1)
    entry = {"method": method, **settings}
    catalogue = Catalogue.from_mapping({"plan": plan, "attributes": {attribute: entry}}, source="compare()")
    spec = catalogue.resolve(attribute)
    lots_frame = prepare_lots(frame).lots
    batch, _, _ = _build_batch(lots_frame, [attribute], [("test", "ref")], [spec])
    out = _run(batch)
    sens = _sensitivity(batch, [spec], np.zeros(1, dtype=np.int64))
    status = str(out["status"][0])
    row: dict[str, Any] = {
        "attribute": attribute,
        "comparison": "test vs ref",
        "test_source": "test",
        "reference_source": "ref",
        "method": spec.method,
        "tier": int(spec.tier or 0),
        "direction": spec.direction,
        "unit": spec.unit,
        "n_test": int(batch.n_test[0]),
        "n_reference": int(batch.n_reference[0]),
        "mean_test": float(batch.mean_test[0]),
        "sd_test": float(batch.sd_test[0]),
        "mean_reference": float(batch.mean_reference[0]),
        "sd_reference": float(batch.sd_reference[0]),
        "statistic": str(out["statistic"][0]),
        "estimate": float(out["estimate"][0]),
        "lower_limit": float(out["lower_limit"][0]),
        "upper_limit": float(out["upper_limit"][0]),
        "ci_lower": float(out["ci_lower"][0]),
        "ci_upper": float(out["ci_upper"][0]),
        "factor": float(out["factor"][0]),
        "n_inside": float(out["n_inside"][0]),
        "fraction_inside": float(out["estimate"][0]) if np.isfinite(out["n_inside"][0]) else float("nan"),
        "required_fraction": float(spec.min_fraction) if spec.min_fraction is not None else float("nan"),
        "status": status,
        "passed": None if status not in (PASS, FAIL) else status == PASS,
        "reasons": str(out["reasons"][0]),
        "outlier_lots": "",
        "n_missing": 0,
        "settings": _settings_text(spec),
        "plan": plan_text(spec),
        "plan_name": catalogue.plan,
        "sd_ratio": float(out["sd_ratio"][0]),
        "sd_ratio_margin": float(spec.sd_ratio_margin or math.nan) if spec.spread_check else math.nan,
        "spread_status": str(out["spread_status"][0]),
        "sensitivity_method": str(spec.sensitivity),
        "sensitivity_status": str(sens["status"][0]),
        "sensitivity_reasons": str(sens["reasons"][0]),
        "min_reference_lots": int(spec.min_reference_lots or 0),
        "min_test_lots": int(spec.min_test_lots or 0),
        "lot_justification": str(spec.lot_justification or ""),
    }
    return ComparisonResult(**row)
