"""Regional presets of the confidence level for clinical equivalence intervals and sample sizes.

One preset sets the two-sided level used by the interval commands and by the sample-size commands, so that
a study is planned at the level it will be analysed with:

* ``ema``: 95% two-sided (each one-sided test at 2.5%): ICH E9 "Statistical Principles for Clinical
  Trials" (CPMP/ICH/363/96, 1998) section 3.3.2 and 5.5 (equivalence shown by a two-sided confidence
  interval, conventionally 95%), as expected by EMA for biosimilar comparative efficacy trials (CHMP
  Guideline on similar biological medicinal products containing biotechnology-derived proteins as active
  substance: non-clinical and clinical issues, EMEA/CHMP/BMWP/42832/2005 Rev. 1, 2014);
* ``fda``: 90% two-sided (two one-sided tests at 5%, Schuirmann 1987, J Pharmacokinet Biopharm 15:657),
  the level used in FDA's reviews of biosimilar comparative clinical studies.

An explicit level (``conf`` / ``alpha``) always wins and is recorded as such.
"""

from __future__ import annotations

from bioparity.errors import InputError

#: Two-sided confidence level per region.
REGION_LEVELS: dict[str, float] = {"ema": 0.95, "fda": 0.90}
DEFAULT_REGION = "ema"


def canonical_region(region: str, *, name: str = "region") -> str:
    """The preset key of ``region`` (case and surrounding blanks ignored); ``name`` is used in the message."""
    key = str(region).strip().lower()
    if key not in REGION_LEVELS:
        raise InputError(f"unknown {name} {region!r}; expected one of {', '.join(REGION_LEVELS)}")
    return key


def region_level(region: str, conf: float | None = None) -> tuple[float, str]:
    """Two-sided level and a sentence saying where it came from (the preset or an explicit value)."""
    key = canonical_region(region)
    if conf is not None:
        return float(conf), f"{100 * conf:g}% two-sided CI (set explicitly; {key.upper()} preset not used)"
    level = REGION_LEVELS[key]
    return level, f"{100 * level:g}% two-sided CI ({key.upper()} preset)"


def region_alpha(region: str, alpha: float | None = None) -> tuple[float, str]:
    """One-sided level of each test (``(1 - level) / 2``) and the sentence stating the interval level."""
    if alpha is not None:
        _, text = region_level(region, 1.0 - 2.0 * alpha)
        return float(alpha), text
    level, text = region_level(region)
    return round((1.0 - level) / 2.0, 12), text
