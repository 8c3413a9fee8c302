"""Stored codes shown to a reader in their words: verdicts, statuses, yes/no (data stays English).

A stored result keeps its codes (``pass``, ``within limits``, ``at_risk``, ``approved``, ...) in English:
they are data, read by other code and compared in tests. Pages and reports print them through
:func:`term`, which gives the reader's language (:mod:`bioparity.i18n`); a code without a translation
(an attribute name, a kind's identifier) is printed as stored.

References
----------
GNU gettext manual, section 4.7 "Special Cases of Translatable Strings" (``gettext_noop``: strings marked
where they are defined, translated where they are shown).
"""

from __future__ import annotations

from typing import Any

from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop

#: Stored code -> its English words (marked for translation); codes absent here are shown as stored.
TERMS: dict[str, str] = {
    # verdicts of result tables
    "pass": gettext_noop("pass"),
    "fail": gettext_noop("fail"),
    "yes": gettext_noop("yes"),
    "no": gettext_noop("no"),
    "similar": gettext_noop("similar"),
    "not similar": gettext_noop("not similar"),
    "within limits": gettext_noop("within limits"),
    "outside limits": gettext_noop("outside limits"),
    "descriptive": gettext_noop("descriptive"),
    "not-evaluable": gettext_noop("not evaluable"),
    "equivalent": gettext_noop("equivalent"),
    "not shown equivalent": gettext_noop("not shown equivalent"),
    "not assessed": gettext_noop("not assessed"),
    "insufficient data": gettext_noop("insufficient data"),
    # statistical methods of a comparison (CAA)
    "quality-range": gettext_noop("quality range"),
    "equivalence": gettext_noop("equivalence test"),
    "tolerance-interval": gettext_noop("tolerance interval"),
    "min-max": gettext_noop("min-max range"),
    # ADA cut points: tiers, estimates, scales, cut-point types, normalisation
    "screening": gettext_noop("screening"),
    "confirmatory": gettext_noop("confirmatory"),
    "titration": gettext_noop("titration"),
    "parametric": gettext_noop("parametric"),
    "robust": gettext_noop("robust"),
    "nonparametric": gettext_noop("nonparametric"),
    "parametric_lcl": gettext_noop("parametric LCL"),
    "log": gettext_noop("log"),
    "linear": gettext_noop("linear"),
    "none": gettext_noop("none"),
    "fixed": gettext_noop("fixed"),
    "floating": gettext_noop("floating"),
    "floating (variances differ)": gettext_noop("floating (variances differ)"),
    "additive on log scale": gettext_noop("additive on log scale"),
    "multiplicative": gettext_noop("multiplicative"),
    # sections of stacked result tables (stability, profiles)
    "shelf life": gettext_noop("shelf life"),
    "slope difference": gettext_noop("slope difference"),
    "lot regression": gettext_noop("lot regression"),
    "lot": gettext_noop("lot"),
    "species": gettext_noop("species"),
    # what a lot's distance is measured to (profiles)
    "leave-one-out": gettext_noop("leave-one-out"),
    "to reference centre": gettext_noop("to reference centre"),
    # readiness (pathways)
    "ready": gettext_noop("ready"),
    "gaps": gettext_noop("gaps"),
    "not eligible for streamlined pathway": gettext_noop("not eligible for streamlined pathway"),
    "met": gettext_noop("met"),
    "missing": gettext_noop("missing"),
    "at_risk": gettext_noop("at risk"),
    "at risk": gettext_noop("at risk"),
    "streamlined": gettext_noop("streamlined"),
    "traditional": gettext_noop("traditional"),
    "eligibility": gettext_noop("eligibility"),
    "requirement": gettext_noop("requirement"),
    # runs and signatures (21 CFR 11.50: the meaning of a signature is printed with it)
    "queued": gettext_noop("queued"),
    "running": gettext_noop("running"),
    "succeeded": gettext_noop("succeeded"),
    "failed": gettext_noop("failed"),
    "authored": gettext_noop("authored"),
    "reviewed": gettext_noop("reviewed"),
    "approved": gettext_noop("approved"),
    "superseded": gettext_noop("superseded"),
    "draft": gettext_noop("draft"),
}

#: Verdict words that mark a good outcome, and a bad one (cells are coloured by them).
GOOD_WORDS = ("pass", "similar", "within limits", "met", "ready", "equivalent")
BAD_WORDS = ("fail", "not similar", "outside limits", "missing", "gaps", "not shown equivalent")


def term(value: Any) -> str:
    """A stored code in the reader's words (:data:`TERMS`); any other value as stored.

    Parameters
    ----------
    value : Any
        A stored code (``"pass"``, ``"at_risk"``, ...) or any value.

    Returns
    -------
    str
        The translation of the code's words in the current language, else ``str(value)``.

    Examples
    --------
    >>> term("at_risk"), term("AUCIFO")
    ('at risk', 'AUCIFO')
    """
    text = str(value)
    words = TERMS.get(text)
    return text if words is None else _(words)


def yes_no_text(flag: Any) -> str:
    """``yes`` or ``no`` in the reader's words.

    Examples
    --------
    >>> yes_no_text(True), yes_no_text(0)
    ('yes', 'no')
    """
    return _("yes") if flag else _("no")


def verdict_words(good: bool) -> frozenset[str]:
    """The verdict words (English and the reader's) that mark a good (or a bad) outcome, lower-cased.

    Examples
    --------
    >>> "pass" in verdict_words(True), "fail" in verdict_words(False)
    (True, True)
    """
    words = GOOD_WORDS if good else BAD_WORDS
    return frozenset(w for word in words for w in (word, term(word).lower()))
