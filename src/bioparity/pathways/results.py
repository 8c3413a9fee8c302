"""Result objects of the pathway engine: per requirement, per region, per program."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

import pandas as pd

from bioparity._results import ResultMixin, with_rows
from bioparity.i18n import gettext_noop

READY = gettext_noop("ready")
GAPS = gettext_noop("gaps")
NOT_ELIGIBLE = gettext_noop("not eligible for streamlined pathway")
REGION_STATUSES = (READY, GAPS, NOT_ELIGIBLE)
#: The words of every status, marked for translation here only: a region's (:data:`REGION_STATUSES`) and a
#: requirement's (``met``, ``missing``, ``at_risk`` read as ``at risk``). The stored value stays the code;
#: the words are translated where shown (:func:`bioparity.pathways.checks.code_words`, the pages' labels).
STATUS_WORDS = frozenset(
    {*REGION_STATUSES, gettext_noop("met"), gettext_noop("missing"), gettext_noop("at risk")}
)


@dataclass(frozen=True, repr=False)
class RequirementResult(ResultMixin):
    """One rule applied to the program: status, the evidence that decided it and the citation.

    ``source`` identifies the cited text with its version, status and date (e.g.
    ``CHMP/437/04 Rev 1 (final, 2014-10-23)``), ``source_date`` is the date of that text and
    ``section`` the section cited, so that a report can print which version of which text a verdict
    rests on.

    Attributes
    ----------
    rule_id : str
        Id of the rule applied, prefixed by its region, e.g. ``"FDA.PK.SIMILARITY"``.
    kind : str
        ``eligibility`` (a condition of the streamlined pathway) or ``requirement``.
    title : str
        One-line statement of the rule.
    status : str
        ``met``, ``missing`` or ``at_risk`` (present but open to challenge, e.g. a justification the
        agency may not accept).
    evidence : tuple of str
        Evidence cited, as ``"<kind>:<id>"`` (``"caa:glycan-afuc"``, ``"pk:PK-101/T-US-AUCinf"``,
        ``"manual:local_reference_used@NMPA"``); bridged references also cite the bridge.
    detail : str
        Why the status was reached, in words.
    citation : str
        ``Title (reference, status), section S, date`` of the cited text, with
        ``[citation unconfirmed]`` when the text itself was not verified.
    interpretation : bool
        The rule is bioparity's reading of the guidance rather than its literal text.
    unconfirmed : bool
        The rule or its cited document was not verified against the guideline text.
    work : str
        Work left to meet the rule (empty when ``status`` is ``met``).
    software_version : str
        bioparity version that produced the result.
    source : str, default ""
        Cited document with version, status and date, e.g. ``CHMP/437/04 Rev 1 (final, 2014-10-23)``.
    source_date : str, default ""
        Date of the cited document (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).
    section : str, default ""
        Section of the cited document.
    """

    SETTINGS = ("rule_id", "citation", "source")

    rule_id: str
    kind: str
    title: str
    status: str
    evidence: tuple[str, ...]
    detail: str
    citation: str
    interpretation: bool
    unconfirmed: bool
    work: str
    software_version: str
    source: str = ""
    source_date: str = ""
    section: str = ""

    def _repr_fields(self) -> list[str]:
        return ["rule_id", "status", "detail"]

    def summary(self) -> str:
        lines = [f"{self.rule_id} ({self.kind}): {self.status}: {self.title}", self.detail, self.citation]
        return "\n".join(line if len(line) <= 120 else line[:117] + "..." for line in lines if line)


@dataclass(frozen=True, repr=False)
class RegionReadiness(ResultMixin):
    """Readiness of the program for one region.

    ``status`` is ``ready`` (every applicable requirement met), ``gaps`` (eligible for the streamlined
    pathway, something missing or at risk) or ``not eligible for streamlined pathway`` (an eligibility
    condition fails; the requirements are then those of the traditional pathway, and
    ``traditional_package_complete`` says whether they are all met).

    Attributes
    ----------
    region : str
        Region code (``EMA``, ``FDA``, ``MHRA``, ``NMPA``, ``WHO``, ``HC``).
    region_name : str
        Readable name of the region, e.g. ``"European Union (EMA)"``.
    status : str
        :data:`READY`, :data:`GAPS` or :data:`NOT_ELIGIBLE` (see above).
    pathway : str
        ``streamlined`` (no comparative efficacy study) or ``traditional``.
    traditional_package_complete : bool or None
        For a program not eligible for the streamlined pathway: whether every requirement of the
        traditional pathway is met; ``None`` when the program is eligible.
    requirements : tuple of RequirementResult
        The eligibility rules, then the requirements of the pathway, as applied.
    work_left : tuple of str
        Work left, one entry per distinct task, in rule order (empty when ready).
    explanation : str
        A plain-English paragraph: the verdict, why, what is missing or at risk.
    rules_version : str
        Version of the region's rule file, e.g. ``"2026.1"``.
    software_version : str
        bioparity version that produced the result.
    """

    SETTINGS = ("region", "rules_version")

    region: str
    region_name: str
    status: str
    pathway: str
    traditional_package_complete: bool | None
    requirements: tuple[RequirementResult, ...]
    work_left: tuple[str, ...]
    explanation: str
    rules_version: str
    software_version: str

    def _repr_fields(self) -> list[str]:
        return ["region", "status", "pathway", "work_left"]

    def to_frame(self) -> pd.DataFrame:
        """One row per requirement, with the region's status repeated."""
        rows = [
            {
                "region": self.region,
                "region_status": self.status,
                "pathway": self.pathway,
                **{k: v for k, v in r.to_dict().items() if k != "software_version"},
            }
            for r in self.requirements
        ]
        frame = pd.DataFrame(rows)
        if not frame.empty:
            frame["evidence"] = frame["evidence"].map("; ".join)
        frame["rules_version"] = self.rules_version
        frame["software_version"] = self.software_version
        return frame

    def summary(self) -> str:
        counts = [
            f"{sum(r.status == 'met' for r in rows)} of {len(rows)} {what} met"
            for kind, what in (("requirement", "requirements"), ("eligibility", "eligibility conditions"))
            if (rows := [r for r in self.requirements if r.kind == kind]) or kind == "requirement"
        ]  # as the explanation counts them: the requirements, and the eligibility conditions apart
        head = f"{self.region_name}: {self.status}, {self.pathway} pathway; {', '.join(counts)}"
        return with_rows(
            head, [f"to do: {w}" if len(w) <= 110 else f"to do: {w[:107]}..." for w in self.work_left]
        )


@dataclass(frozen=True, repr=False)
class PathwayAssessment(ResultMixin):
    """Readiness of one program in every region assessed.

    Attributes
    ----------
    program : str
        Program name (``ProgramProfile.name``).
    modality : str
        Product class (``ProgramProfile.modality``).
    regions : tuple of RegionReadiness
        One result per region, in the order assessed.
    rules_versions : dict of str to str
        Region code -> version of the rule file applied.
    software_version : str
        bioparity version that produced the result.

    See Also
    --------
    assess_program : produces it.
    """

    SETTINGS = ("rules_versions",)

    program: str
    modality: str
    regions: tuple[RegionReadiness, ...]
    rules_versions: dict[str, str]
    software_version: str

    def _repr_fields(self) -> list[str]:
        return ["program", "statuses"]

    @property
    def statuses(self) -> dict[str, str]:
        """Region code -> status."""
        return {r.region: r.status for r in self.regions}

    def region(self, code: str) -> RegionReadiness:
        """The result for one region code (``KeyError`` naming the assessed regions otherwise)."""
        for r in self.regions:
            if r.region == code:
                return r
        raise KeyError(f"region {code!r} was not assessed; assessed: {', '.join(self.statuses)}")

    def to_dict(self) -> dict[str, Any]:
        record = super().to_dict()
        record["statuses"] = self.statuses
        return record

    def to_frame(self) -> pd.DataFrame:
        """One row per (region, requirement)."""
        frames = [r.to_frame() for r in self.regions]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        frame.insert(0, "program", self.program)
        return frame

    def __repr__(self) -> str:
        return f"PathwayAssessment(program={self.program!r}, statuses={self.statuses!r})"

    def summary(self) -> str:
        statuses = "; ".join(f"{r.region}: {r.status} ({len(r.work_left)} to do)" for r in self.regions)
        head = f"Pathway readiness of {self.program} ({self.modality}), {len(self.regions)} regions"
        return "\n".join([head, *textwrap.wrap(statuses, 120)])
