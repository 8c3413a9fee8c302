"""The attribute catalogue: criticality, unit, direction and the analysis of each quality attribute.

A catalogue is a mapping (from YAML) or a table (from CSV) with one entry per attribute. Every field
is optional; what is absent comes from the catalogue's ``defaults`` and then from the built-in
defaults of the catalogue's *plan*, so an attribute that is not in the catalogue at all is still
analysed (and the assessment says that defaults were used).

Plans (``plan:`` at the top of the catalogue, or ``assess(..., plan=...)``):

``qr-2025`` (default): the quality-range approach of FDA's 2019 draft and September-2025 final
guidance *Development of Therapeutic Protein Biosimilars: Comparative Analytical Assessment and Other
Quality-Related Considerations* (section on quality ranges: mean_R ± k·s_R, k justified per attribute
and smaller for more critical attributes, "a sufficient percentage" of test lots inside) and the
x-sigma approach of the EMA *Reflection paper on statistical methodology for the comparative
assessment of quality attributes* (EMA/CHMP/138502/2017, final 2021; the x-sigma range):

* tier 1 (most critical) -> ``quality-range`` with k = 2.5 and the equivalence test of means kept as
  a sensitivity analysis; tier 2 -> ``quality-range`` with k = 3 (the tier-2 range of FDA's 2017 draft
  *Statistical Approaches to Evaluate Analytical Similarity*, withdrawn 2018); tier 3 ->
  ``descriptive``; >= 90% of test lots inside (the 2017 draft's example proportion). Neither guidance
  fixes k for critical attributes; 2.5 is a bioparity default between the x = 2 and x = 3 ranges in
  use, stated with its operating characteristics (10 v 10 lots, with the spread check: pass
  probability 0.86 at equal distributions, 0.68 / 0.24 at 1 / 2 s_R mean shifts, against 0.80 / 0.46
  with k = 3) and overridable per attribute (``k``);
* a spread check for the statistical methods: s_T / s_R <= 1.5 (FDA 2025: "similar population mean
  and similar population standard deviation"); the margin is a bioparity default, chosen from its
  operating characteristics (10 v 10 lots: pass probability about 0.88 at equal distributions, 0.20 at
  a doubled test SD, against 0.52 for the quality range alone), and overridable per attribute;
* at least 10 reference and 10 test lots for the statistical methods (the FDA 2017 draft's
  recommendation and the simulation literature, e.g. Dong, Weng & Tsong 2017); fewer -> "not evaluable",
  unless the catalogue lowers ``min_reference_lots``/``min_test_lots`` *and* records a
  ``lot_justification``.

``tiered-2017`` (the old behaviour, explicit): FDA's 2017 draft tiers (withdrawn 2018): tier 1 ->
``equivalence`` (margin 1.5·s_R, 90% CI, Welch), tier 2 -> ``quality-range`` (k = 3), tier 3 ->
``descriptive``; no spread check, no sensitivity analysis, the methods' technical lot minimums (3
reference lots; 2 or 1 test lots) with a warning below 10.

Direction ``two-sided`` by default. A ``risk_score`` maps to a tier only through thresholds the
catalogue states itself (``risk_thresholds: [tier1_at_or_above, tier2_at_or_above]``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from bioparity.caa.equivalence import DIRECTIONS, VARIANCE_MODELS
from bioparity.caa.tolerance import canonical_tolerance_method
from bioparity.errors import InputError

DEFAULT_PLAN = "qr-2025"
LEGACY_PLAN = "tiered-2017"
PLANS = (DEFAULT_PLAN, LEGACY_PLAN)

#: Method per tier in each plan.
PLAN_TIER_METHODS: dict[str, dict[int, str]] = {
    DEFAULT_PLAN: {1: "quality-range", 2: "quality-range", 3: "descriptive"},
    LEGACY_PLAN: {1: "equivalence", 2: "quality-range", 3: "descriptive"},
}
TIER_METHODS: dict[int, str] = PLAN_TIER_METHODS[DEFAULT_PLAN]
DEFAULT_TIER = 2

#: Quality-range k per tier in the default plan (smaller k for more critical attributes: FDA 2019 draft
#: and 2025 final guidance, quality-range section; EMA 2021 reflection paper, x-sigma approach).
DEFAULT_K_BY_TIER: dict[int, float] = {1: 2.5, 2: 3.0, 3: 3.0}
#: Upper margin of the SD ratio s_T/s_R in the default plan's spread check (bioparity default, see above).
DEFAULT_SD_RATIO_MARGIN = 1.5
#: Minimum reference and test lots of the statistical methods in the default plan (FDA 2017 draft).
DEFAULT_MIN_LOTS = 10
#: Methods that estimate the reference SD ("statistical"): lot minimums and the spread check apply.
STATISTICAL_METHODS = ("equivalence", "quality-range", "tolerance-interval")
SENSITIVITY_METHODS = ("none", "equivalence")
_EQUIVALENCE_SETTINGS = {"margin_multiplier": 1.5, "alpha": 0.05, "variance": "welch"}
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}

_DIRECTION_ALIASES = {
    "two-sided": "two-sided",
    "both": "two-sided",
    "higher-is-worse": "higher-is-worse",
    "higher": "higher-is-worse",
    "upper": "higher-is-worse",
    "lower-is-worse": "lower-is-worse",
    "lower": "lower-is-worse",
}


@dataclass(frozen=True)
class AttributeSpec:
    """Settings of one attribute; None means "use the default" until :meth:`Catalogue.resolve`.

    The fields are those of a catalogue entry (YAML key or CSV column). :meth:`Catalogue.resolve`
    fills every None from the catalogue's ``defaults``, the data (tier, unit) and the plan's built-in
    defaults, in that order; the resolved values are shown below as "resolved".

    Parameters
    ----------
    name : str
        Attribute name as in the measurement table (``"*"`` for the catalogue's ``defaults``).
    tier : {1, 2, 3}, optional
        Criticality, 1 the most critical; resolved from ``risk_score``, then the data, else 2.
    risk_score : float, optional
        A risk score turned into a tier by the catalogue's ``risk_thresholds`` (never by a built-in
        scale).
    unit : str, optional
        Unit of the values (``%``, ``mg/mL``); resolved from the data's ``unit`` column, else empty.
    direction : {"two-sided", "higher-is-worse", "lower-is-worse"}, optional
        Which differences matter (aliases ``both``, ``higher``/``upper``, ``lower``); resolved
        ``two-sided``.
    method : str, optional
        A method of :data:`~bioparity.caa.methods.METHODS` (``equivalence``, ``quality-range``,
        ``tolerance-interval``, ``min-max``, ``nonparametric``, ``descriptive``); resolved from the plan
        and tier (``qr-2025``: tiers 1-2 quality range, tier 3 descriptive).
    k : float, optional
        Quality-range multiplier of ``s_R`` (> 0); resolved 2.5 for tier 1 and 3 for tier 2 in
        ``qr-2025``, 3 in ``tiered-2017``.
    margin_multiplier : float, optional
        Equivalence margin ``c`` in ``c · s_R`` (> 0); resolved 1.5 where an equivalence test runs (as
        the method or the sensitivity analysis).
    alpha : float, optional
        One-sided level of each test of the equivalence TOST, in (0, 0.5); resolved 0.05 (90% CI) there.
    variance : {"welch", "pooled"}, optional
        Variance model of the equivalence test; resolved ``welch`` there.
    min_fraction : float, optional
        Fraction of test lots required inside a range, in (0, 1]; resolved 0.9 for the quality range,
        1.0 for the other range methods.
    coverage, confidence : float, optional
        Content and confidence of a tolerance interval, each in (0, 1); resolved 0.99/0.95 for
        ``tolerance-interval``, 0.90/0.90 for ``nonparametric``.
    tolerance_method : {"exact", "howe", "he"}, optional
        Two-sided normal tolerance factor; resolved ``exact`` for ``tolerance-interval``.
    min_reference_lots, min_test_lots : int, optional
        Fewest lots per source for the comparison to be evaluable, never below the method's technical
        minimum (3 reference lots; 1 or 2 test lots; refused below it); resolved 10 for the statistical
        methods in ``qr-2025``, else the technical minimum. A plan with a spread check also needs 2 test
        lots for ``s_T`` (one lot: not evaluable).
    spread_check : bool, optional
        Whether ``s_T / s_R <= sd_ratio_margin`` is also required; resolved True for the statistical
        methods in ``qr-2025``, False otherwise.
    sd_ratio_margin : float, optional
        Largest accepted ``s_T / s_R`` (> 0); resolved 1.5.
    sensitivity : {"none", "equivalence"}, optional
        Sensitivity analysis reported beside the decision; resolved ``equivalence`` for tier 1 in
        ``qr-2025``, ``none`` otherwise.
    lot_justification : str, optional
        Why fewer lots than the plan's minimum are acceptable; required to lower the minimums below 10
        in ``qr-2025``.
    description : str, optional
        Free text (the assay, why the attribute matters), carried to reports.
    label : str, optional
        The attribute's name as reports print it (``FcγRIIIa binding (SPR)`` for
        ``fcgriiia_binding_spr``); reports print ``name`` as written where it is absent (see
        :meth:`Catalogue.display_name`). Not a setting: it names one entry, so ``defaults`` cannot
        give it.

    References
    ----------
    FDA, Development of Therapeutic Protein Biosimilars: Comparative Analytical Assessment and Other
    Quality-Related Considerations (draft 2019, final 2025). EMA, Reflection paper on statistical
    methodology for the comparative assessment of quality attributes, EMA/CHMP/138502/2017 (2021).
    FDA, Statistical Approaches to Evaluate Analytical Similarity, draft guidance (2017, withdrawn 2018).
    """

    name: str
    tier: int | None = None
    risk_score: float | None = None
    unit: str | None = None
    direction: str | None = None
    method: str | None = None
    k: float | None = None
    margin_multiplier: float | None = None
    alpha: float | None = None
    variance: str | None = None
    min_fraction: float | None = None
    coverage: float | None = None
    confidence: float | None = None
    tolerance_method: str | None = None
    min_reference_lots: int | None = None
    min_test_lots: int | None = None
    spread_check: bool | None = None
    sd_ratio_margin: float | None = None
    sensitivity: str | None = None
    lot_justification: str | None = None
    description: str | None = None
    label: str | None = None


#: Fields that name the entry rather than set its analysis (not merged from ``defaults``).
NAMING_FIELDS = ("name", "label")
SETTING_NAMES = tuple(f.name for f in fields(AttributeSpec) if f.name not in NAMING_FIELDS)
_FLOATS = {
    "risk_score",
    "k",
    "margin_multiplier",
    "alpha",
    "min_fraction",
    "coverage",
    "confidence",
    "sd_ratio_margin",
}
_INTS = {"tier", "min_reference_lots", "min_test_lots"}


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def _choices(name: str) -> Sequence[str]:
    """The names allowed in the catalogue field ``name`` (variance, method or sensitivity)."""
    if name == "method":
        from bioparity.caa.methods import METHODS  # registry imports this module

        return tuple(METHODS)
    return tuple(VARIANCE_MODELS if name == "variance" else SENSITIVITY_METHODS)


def _convert(name: str, value: Any, where: str) -> Any:
    """Check and normalise one catalogue field; raise :class:`InputError` naming the entry and field."""
    if _blank(value):
        return None
    try:
        if name in _FLOATS:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
            value = number
        elif name in _INTS:
            number = float(value)
            if number != round(number):
                raise ValueError
            value = int(number)
        elif name == "spread_check":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in _TRUE | _FALSE:
                raise InputError(f"{where}: field 'spread_check' must be true or false; got {value!r}")
            return text in _TRUE
        else:
            value = str(value).strip()
    except (TypeError, ValueError):
        raise InputError(f"{where}: field '{name}' must be a number; got {value!r}") from None
    problem = None
    if name == "tier" and value not in TIER_METHODS:
        problem = "1, 2 or 3"
    elif name == "direction":
        value = _DIRECTION_ALIASES.get(value.lower(), value)
        if value not in DIRECTIONS:
            problem = "one of " + ", ".join(DIRECTIONS)
    elif name in ("variance", "method", "sensitivity"):
        value = value.lower()
        choices = _choices(name)
        if value not in choices:
            problem = "one of " + ", ".join(choices)
    elif name == "tolerance_method":
        try:
            value = canonical_tolerance_method(value)
        except InputError:
            problem = "exact, howe or he"
    elif name in {"k", "margin_multiplier", "sd_ratio_margin"} and value <= 0:
        problem = "a number > 0"
    elif name in {"alpha"} and not 0 < value < 0.5:
        problem = "a number in (0, 0.5), e.g. 0.05 for a 90% CI"
    elif name in {"coverage", "confidence"} and not 0 < value < 1:
        problem = "a proportion strictly between 0 and 1, e.g. 0.99"
    elif name == "min_fraction" and not 0 < value <= 1:
        problem = "a proportion in (0, 1], e.g. 0.9"
    elif name in {"min_reference_lots", "min_test_lots"} and value < 1:
        problem = "a whole number >= 1"
    if problem:
        raise InputError(f"{where}: field '{name}' = {value!r}; expected {problem}")
    return value


def spec_from_mapping(name: str, entry: Mapping[str, Any], where: str) -> AttributeSpec:
    """Build an :class:`AttributeSpec` from a mapping; unknown fields are an error (typos must not pass)."""
    unknown = sorted(set(entry) - set(SETTING_NAMES) - {*NAMING_FIELDS, "attribute"})
    if unknown:
        raise InputError(
            f"{where}: unknown field(s) {', '.join(unknown)}; known fields: {', '.join(SETTING_NAMES)}, label"
        )
    values = {k: _convert(k, v, where) for k, v in entry.items() if k in (*SETTING_NAMES, "label")}
    return AttributeSpec(name=name, **values)


@dataclass(frozen=True)
class Catalogue:
    """Attribute settings with catalogue-wide defaults; :meth:`resolve` gives complete settings.

    Built by :meth:`from_mapping` (a YAML mapping) or :func:`~bioparity.caa.inputs.read_catalogue`
    (YAML or CSV file); ``Catalogue()`` is the empty catalogue (every attribute analysed with the
    defaults of its tier).

    Parameters
    ----------
    attributes : mapping of str to AttributeSpec, default {}
        The entries, keyed by attribute name.
    defaults : AttributeSpec, default AttributeSpec(name="*")
        Catalogue-wide settings used where an entry leaves a field empty.
    risk_thresholds : tuple of (float, float), optional
        ``(tier1_at_or_above, tier2_at_or_above)`` turning a ``risk_score`` into a tier (first >=
        second); None when the catalogue uses tiers only.
    plan : {"qr-2025", "tiered-2017"}, default "qr-2025"
        The plan whose built-in defaults complete the settings (see the module docstring).

    Examples
    --------
    >>> cat = Catalogue.from_mapping({
    ...     "risk_thresholds": [20, 10],
    ...     "attributes": {"potency": {"risk_score": 24, "unit": "%"}, "HMW": {"direction": "higher"}},
    ... })
    >>> spec = cat.resolve("potency")
    >>> spec.tier, spec.method, spec.k, spec.sensitivity, spec.min_reference_lots
    (1, 'quality-range', 2.5, 'equivalence', 10)
    >>> cat.resolve("HMW").direction
    'higher-is-worse'
    """

    attributes: Mapping[str, AttributeSpec] = field(default_factory=dict)
    defaults: AttributeSpec = field(default_factory=lambda: AttributeSpec(name="*"))
    risk_thresholds: tuple[float, float] | None = None
    plan: str = DEFAULT_PLAN

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any] | None, source: str = "catalogue", entry_word: str = "entry"
    ) -> Catalogue:
        """From a YAML-style mapping: ``{defaults: {...}, risk_thresholds: [a, b], attributes: ...}``.

        ``attributes`` is either a mapping ``name -> fields`` or a list of entries with a ``name``.
        """
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise InputError(f"{source}: expected a mapping with 'attributes' (and optional 'defaults')")
        unknown = sorted(set(data) - {"attributes", "defaults", "risk_thresholds", "plan"})
        if unknown:
            raise InputError(f"{source}: unknown top-level key(s) {', '.join(map(str, unknown))}")
        plan = str(data.get("plan") or DEFAULT_PLAN).strip().lower()
        if plan not in PLANS:
            raise InputError(f"{source}: plan {plan!r} unknown; expected one of {', '.join(PLANS)}")
        defaults = spec_from_mapping("*", data.get("defaults") or {}, f"{source}: defaults")
        if defaults.label is not None:
            raise InputError(f"{source}: defaults: field 'label' names one attribute; give it per entry")
        thresholds = data.get("risk_thresholds")
        if thresholds is not None:
            try:
                t1, t2 = (float(t) for t in thresholds)
            except (TypeError, ValueError):
                raise InputError(
                    f"{source}: risk_thresholds must be two numbers [tier1_at, tier2_at]"
                ) from None
            if t1 < t2:
                raise InputError(
                    f"{source}: risk_thresholds must be [tier1_at, tier2_at] with tier1_at >= tier2_at"
                )
            thresholds = (t1, t2)
        raw = data.get("attributes") or {}
        entries: list[tuple[str, Mapping[str, Any]]] = []
        if isinstance(raw, Mapping):
            entries = [(str(k), v or {}) for k, v in raw.items()]
        elif isinstance(raw, list):
            for i, item in enumerate(raw, start=1):
                if not isinstance(item, Mapping) or _blank(item.get("name", item.get("attribute"))):
                    raise InputError(f"{source}: attributes {entry_word} {i} needs a 'name'")
                entries.append((str(item.get("name", item.get("attribute"))).strip(), item))
        else:
            raise InputError(f"{source}: 'attributes' must be a mapping or a list")
        specs: dict[str, AttributeSpec] = {}
        for i, (name, entry) in enumerate(entries, start=1):
            if name in specs:
                raise InputError(f"{source}: attribute {name!r} is listed twice ({entry_word} {i})")
            if not isinstance(entry, Mapping):
                raise InputError(f"{source}: attribute {name!r}: expected a mapping of fields")
            specs[name] = spec_from_mapping(name, entry, f"{source}: attribute {name!r}")
        return cls(attributes=specs, defaults=defaults, risk_thresholds=thresholds, plan=plan)

    def display_name(self, name: str) -> str:
        """The attribute as reports print it: the entry's ``label``, else ``name`` exactly as written
        (never re-cased: ``g0f_glycan`` is not turned into ``G0f glycan``).

        >>> cat = Catalogue.from_mapping({"attributes": {"g0f_glycan": {"label": "G0F glycan"}}})
        >>> cat.display_name("g0f_glycan"), cat.display_name("free_thiol")
        ('G0F glycan', 'free_thiol')
        """
        spec = self.attributes.get(name)
        return spec.label if spec is not None and spec.label else name

    def resolve(self, name: str, data_tier: int | None = None, data_unit: str | None = None) -> AttributeSpec:
        """Complete settings of ``name``: catalogue entry > catalogue defaults > data > built-in defaults."""
        from bioparity.caa.methods import METHODS

        spec = self.attributes.get(name, AttributeSpec(name=name))
        merged = {
            s: getattr(spec, s) if getattr(spec, s) is not None else getattr(self.defaults, s)
            for s in SETTING_NAMES
        }
        tier = merged["tier"]
        if tier is None and merged["risk_score"] is not None:
            if self.risk_thresholds is None:
                raise InputError(
                    f"attribute {name!r} has a risk_score but the catalogue gives no risk_thresholds "
                    "[tier1_at, tier2_at] to turn scores into tiers"
                )
            score = merged["risk_score"]
            tier = 1 if score >= self.risk_thresholds[0] else 2 if score >= self.risk_thresholds[1] else 3
        if tier is None:
            tier = data_tier if data_tier is not None else DEFAULT_TIER
        if self.plan not in PLANS:
            raise InputError(f"plan {self.plan!r} unknown; expected one of {', '.join(PLANS)}")
        default_plan = self.plan == DEFAULT_PLAN
        method = merged["method"] or PLAN_TIER_METHODS[self.plan][tier]
        base = dict(METHODS[method].defaults)
        statistical = method in STATISTICAL_METHODS
        if default_plan and method == "quality-range":
            base["k"] = DEFAULT_K_BY_TIER[tier]
        sensitivity = merged["sensitivity"] or (
            "equivalence" if default_plan and tier == 1 and method != "equivalence" else "none"
        )
        if sensitivity == "equivalence":
            base = {**_EQUIVALENCE_SETTINGS, **base}
        out: dict[str, Any] = {s: merged[s] if merged[s] is not None else base.get(s) for s in SETTING_NAMES}
        min_default = DEFAULT_MIN_LOTS if default_plan and statistical else None
        min_ref = out["min_reference_lots"] or min_default or METHODS[method].min_reference_lots
        min_test = out["min_test_lots"] or min_default or METHODS[method].min_test_lots
        technical = METHODS[method]
        if min_ref < technical.min_reference_lots or min_test < technical.min_test_lots:
            raise InputError(
                f"attribute {name!r}: min_reference_lots={min_ref}, min_test_lots={min_test} are below the "
                f"technical minimum of {method} ({technical.min_reference_lots} reference and "
                f"{technical.min_test_lots} test lots: fewer leave no reference SD or range to judge by); "
                "a lot_justification cannot lower them"
            )
        justification = (out["lot_justification"] or "").strip()
        if min_default is not None and min(min_ref, min_test) < min_default and not justification:
            raise InputError(
                f"attribute {name!r}: min_reference_lots={min_ref}, min_test_lots={min_test} are below the "
                f"default minimum of {min_default} lots per source for {method} (FDA 2017 draft); "
                "record why fewer lots are acceptable in the field 'lot_justification'"
            )
        spread = out["spread_check"]
        if spread is None:
            spread = default_plan and statistical
        out.update(
            tier=tier,
            method=method,
            unit=out["unit"] or data_unit or "",
            direction=out["direction"] or "two-sided",
            min_reference_lots=min_ref,
            min_test_lots=min_test,
            spread_check=bool(spread),
            sd_ratio_margin=out["sd_ratio_margin"] or DEFAULT_SD_RATIO_MARGIN,
            sensitivity=sensitivity,
            lot_justification=justification,
        )
        return replace(AttributeSpec(name=name, label=spec.label), **out)
