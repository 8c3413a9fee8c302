"""Which reference cases cover which analysis kind: the link between the registry and the validation pack.

Every registered analysis kind (:func:`bioparity.analyses.registry.all_analyses`) names, in its contract's
``validation`` field, the reference sets of ``bioparity validate`` (ids of ``reference/MANIFEST.yaml``)
whose cases recompute its numbers against values computed elsewhere. :func:`kind_coverage` counts, per
kind, the cases of a run that belong to those sets, so that the qualification report says per kind what
covers it; :func:`uncovered_kinds` lists the kinds without any (the test suite fails on one). Only a kind
that is a pure data summary, computing no statistic, may be exempted in :data:`EXEMPT`, with its reason.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bioparity.analyses.registry import all_analyses
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.validation.cases import CaseResult

#: Kinds without a reference case, each with the reason (only pure data summaries, no statistic computed).
#: Empty: every built-in kind computes a statistic and has reference cases.
EXEMPT: dict[str, str] = {}

#: Coverage status of a kind in a run (the codes, marked for translation where shown: :func:`status_words`).
PASS, FAIL, NOT_RUN, NO_CASE, EXEMPTED = (
    gettext_noop("pass"),
    gettext_noop("FAIL"),
    gettext_noop("not run"),
    gettext_noop("no reference case"),
    gettext_noop("exempt"),
)


def status_words(status: str) -> str:
    """A coverage status in the reader's language.

    Examples
    --------
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     status_words(NOT_RUN) != NOT_RUN
    True
    """
    return _(status)


@dataclass(frozen=True)
class KindCoverage:
    """One registered analysis kind, the reference sets that cover it and their cases in a run.

    Attributes
    ----------
    kind : str
        The kind's registry name (``nca``, ``pk-similarity``, ...).
    title : str
        Its title (English; translated where shown).
    reference_sets : tuple of str
        The ids of the reference sets its contract names (``Analysis.validation``).
    cases : int
        Cases of the run that belong to those sets.
    passed : int
        Of those, the cases that passed.
    exempt : str, default ""
        The reason of an exemption (:data:`EXEMPT`), empty for none.
    unknown_sets : tuple of str, default ()
        Those of ``reference_sets`` that the reference data do not have (not in ``MANIFEST.yaml``): no case
        of theirs can exist, whichever areas run.
    """

    kind: str
    title: str
    reference_sets: tuple[str, ...]
    cases: int
    passed: int
    exempt: str = ""
    unknown_sets: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """``pass``, ``FAIL``, ``not run`` (its areas not chosen), ``no reference case`` (no set named, or
        none of those named exists) or ``exempt``."""
        if self.exempt:
            return EXEMPTED
        if not set(self.reference_sets) - set(self.unknown_sets):
            return NO_CASE
        if self.cases == 0:
            return NOT_RUN
        return PASS if self.passed == self.cases else FAIL


def kind_coverage(
    cases: Sequence[CaseResult], reference_sets: Collection[str] | None = None
) -> tuple[KindCoverage, ...]:
    """Per registered kind (sorted by name), the cases of ``cases`` in the reference sets it names.

    Parameters
    ----------
    cases : sequence of CaseResult
        The cases of a validation run (``CaseResult.reference`` is a reference-set id).
    reference_sets : collection of str, optional
        The ids of every reference set of the reference data (``MANIFEST.yaml``, all areas): a kind naming
        none of them has no reference case (:attr:`KindCoverage.unknown_sets`), not merely cases not run.
        None: every named set is taken to exist.

    Returns
    -------
    tuple of KindCoverage
        One entry per registered kind, built-in kinds and plug-ins alike.
    """
    by_set: dict[str, list[bool]] = {}
    for c in cases:
        by_set.setdefault(c.reference, []).append(c.passed)
    out = []
    for name, analysis in all_analyses().items():
        verdicts = [v for s in analysis.validation for v in by_set.get(s, [])]
        out.append(
            KindCoverage(
                name,
                analysis.title,
                tuple(analysis.validation),
                len(verdicts),
                sum(verdicts),
                EXEMPT.get(name, ""),
                tuple(
                    s for s in analysis.validation if reference_sets is not None and s not in reference_sets
                ),
            )
        )
    return tuple(out)


def uncovered_kinds(
    reference_sets: Collection[str], exempt: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Registered kinds that no reference set covers, each with what is wrong.

    Parameters
    ----------
    reference_sets : collection of str
        The ids of the reference sets that exist (``MANIFEST.yaml``).
    exempt : mapping of str to str, optional
        Kinds exempted with their reasons; default :data:`EXEMPT`.

    Returns
    -------
    dict of str to str
        Kind -> ``no reference set named`` or ``unknown reference set(s) ...``; empty when every kind
        is covered or exempted.
    """
    exempt = EXEMPT if exempt is None else exempt
    problems = {}
    for name, analysis in all_analyses().items():
        if name in exempt:
            continue
        unknown = [s for s in analysis.validation if s not in reference_sets]
        if not analysis.validation:
            problems[name] = "no reference set named (Analysis.validation is empty)"
        elif unknown:
            problems[name] = f"unknown reference set(s) {', '.join(unknown)} (not in MANIFEST.yaml)"
    return problems
