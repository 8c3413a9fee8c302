"""The attribute catalogue: criticality, unit, direction and the analysis of each quality attribute.

A catalogue is a mapping (from YAML) or a table (from CSV) with one entry per attribute. Every field
is optional; what is absent comes from the catalogue's ``defaults`` and then from the built-in
defaults below, so an attribute that is not in the catalogue at all is still analysed (and the
assessment says that defaults were used).

Built-in defaults: tier 2; tier 1 -> ``equivalence`` (margin 1.5·s_R, 90% CI, Welch), tier 2 ->
``quality-range`` (mean_R ± 3·s_R, >= 90% of test lots inside), tier 3 -> ``descriptive`` (plots, no
formal criterion); direction ``two-sided``. A ``risk_score`` maps to a tier only through thresholds
the catalogue states itself (``risk_thresholds: [tier1_at_or_above, tier2_at_or_above]``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from bioparity.caa.equivalence import DIRECTIONS, VARIANCE_MODELS
from bioparity.caa.tolerance import canonical_tolerance_method
from bioparity.errors import InputError

TIER_METHODS: dict[int, str] = {1: "equivalence", 2: "quality-range", 3: "descriptive"}
DEFAULT_TIER = 2

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
    """Settings of one attribute; None means "use the default" until :meth:`Catalogue.resolve`."""

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
    description: str | None = None


SETTING_NAMES = tuple(f.name for f in fields(AttributeSpec) if f.name != "name")
_FLOATS = {"risk_score", "k", "margin_multiplier", "alpha", "min_fraction", "coverage", "confidence"}
_INTS = {"tier", "min_reference_lots", "min_test_lots"}


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


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
    elif name == "variance":
        value = value.lower()
        if value not in VARIANCE_MODELS:
            problem = "one of " + ", ".join(VARIANCE_MODELS)
    elif name == "tolerance_method":
        try:
            value = canonical_tolerance_method(value)
        except InputError:
            problem = "exact, howe or he"
    elif name == "method":
        from bioparity.caa.methods import METHODS  # registry imports this module

        value = value.lower()
        if value not in METHODS:
            problem = "one of " + ", ".join(METHODS)
    elif name in {"k", "margin_multiplier"} and value <= 0:
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
    unknown = sorted(set(entry) - set(SETTING_NAMES) - {"name", "attribute"})
    if unknown:
        raise InputError(
            f"{where}: unknown field(s) {', '.join(unknown)}; known fields: {', '.join(SETTING_NAMES)}"
        )
    values = {k: _convert(k, v, where) for k, v in entry.items() if k in SETTING_NAMES}
    return AttributeSpec(name=name, **values)


@dataclass(frozen=True)
class Catalogue:
    """Attribute settings with catalogue-wide defaults; :meth:`resolve` gives complete settings."""

    attributes: Mapping[str, AttributeSpec] = field(default_factory=dict)
    defaults: AttributeSpec = field(default_factory=lambda: AttributeSpec(name="*"))
    risk_thresholds: tuple[float, float] | None = None

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
        unknown = sorted(set(data) - {"attributes", "defaults", "risk_thresholds"})
        if unknown:
            raise InputError(f"{source}: unknown top-level key(s) {', '.join(map(str, unknown))}")
        defaults = spec_from_mapping("*", data.get("defaults") or {}, f"{source}: defaults")
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
        return cls(attributes=specs, defaults=defaults, risk_thresholds=thresholds)

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
        method = merged["method"] or TIER_METHODS[tier]
        base = METHODS[method].defaults
        out: dict[str, Any] = {s: merged[s] if merged[s] is not None else base.get(s) for s in SETTING_NAMES}
        out.update(
            tier=tier,
            method=method,
            unit=out["unit"] or data_unit or "",
            direction=out["direction"] or "two-sided",
            min_reference_lots=out["min_reference_lots"] or METHODS[method].min_reference_lots,
            min_test_lots=out["min_test_lots"] or METHODS[method].min_test_lots,
        )
        return replace(AttributeSpec(name=name), **out)
