"""A program's stored evidence (studies, datasets, runs, signatures) and its readiness per region.

Readiness comes from :mod:`bioparity.pathways`: the program profile is built from the stored program
(modality, target regions) with stated assumptions, and the evidence inventory from the latest *approved*
PK similarity, CAA, stability (comparative degradation rates, as CAA attributes of the category
``stability``) and process-change comparability (ICH Q5E) runs of each study: a run counts once it
carries a valid electronic signature with the meaning "approved" made after a valid "reviewed" one by
another person (21 CFR 11.50/11.70: seal, manifest and signed content all still verify; the signing
rules of :mod:`bioparity.workspace.signatures`). Newer runs that are not approved are drafts: shown as
such, never used by readiness or the reports. What cannot be derived from stored data (manual items such as a
justification of extrapolation) is absent, so the engine lists it as work left; the assumptions are
returned as notes and shown wherever the readiness is shown.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, defer, undefer

from bioparity.analyses import caa as caa_kind
from bioparity.analyses import comparability as comparability_kind
from bioparity.analyses import pk_similarity as pk
from bioparity.analyses import stability as stability_kind
from bioparity.errors import InputError
from bioparity.i18n import current_language
from bioparity.i18n import gettext as _
from bioparity.memo import Memo
from bioparity.pathways import (
    MODALITIES,
    AnalyticalBridge,
    CAAAttribute,
    EvidenceInventory,
    PathwayAssessment,
    PKComparison,
    PKStudy,
    ProcessComparability,
    ProgramProfile,
    assess_program,
    region_code,
    section_parts,
)
from bioparity.pathways.rules import Citation, all_rules, guideline_status, section_words
from bioparity.store.models import AnalysisRun, Dataset, Program, Signature, Study
from bioparity.utc import utc_moment
from bioparity.workspace.signatures import SignatureStatus, approval_holds, check_signature

#: The reference-product source label a region's dossier relies on when the evidence has it.
LOCAL_SOURCE = {"EMA": "EU", "FDA": "US", "MHRA": "UK", "NMPA": "CN", "HC": "CA", "WHO": "EU"}

#: Attribute-name words -> CAA category; first match wins (intact mass before glycan forms).
_CATEGORY_WORDS: tuple[tuple[str, str], ...] = (
    ("intact_mass|peptide_map|sequence", "primary_structure"),
    ("potency|cdc", "potency"),
    ("binding|adcc|c1q|fcgr|fcrn|neutrali", "moa_functional"),
    ("glycan|mannose|afucos|sialyl|galacto|deamid|oxidation", "glycosylation"),
    ("sec|hmw|lmw|monomer|aggregat|fragment", "size_variants"),
    ("charge|lysine|acidic|basic|cex|icief", "charge_variants"),
    ("purity|thiol|impurit|protein_content|hcp", "purity_impurities"),
    ("hos|circular|ftir|dsc|higher_order", "higher_order_structure"),
    ("stabil|degrad", "stability"),
)


@dataclass
class StudyEvidence:
    study: Study
    datasets: list[Dataset]
    runs: list[AnalysisRun]
    signatures: dict[str, list[Signature]] = field(default_factory=dict)
    #: The program's segregation of duties (an approval needs another person's review).
    independent: bool = True
    _approvals: dict[str, bool] = field(default_factory=dict, repr=False)
    _checked: dict[str, list[SignatureStatus]] = field(default_factory=dict, repr=False)

    def signature_statuses(self, run: AnalysisRun) -> list[SignatureStatus]:
        """The run's signatures in the order they were made, each checked
        (:func:`~bioparity.workspace.signatures.check_signature`: seal, manifest and signed content; 21
        CFR 11.70), once per run: what approval rests on and what the program report prints."""
        if run.id not in self._checked:
            self._checked[run.id] = [check_signature(run, s) for s in self.signatures.get(run.id, [])]
        return self._checked[run.id]

    def is_approved(self, run: AnalysisRun) -> bool:
        """Whether the run counts as approved (:func:`~bioparity.workspace.signatures.approval_holds`: a
        valid approval after a valid review by another person; checked once per run)."""
        if run.id not in self._approvals:
            self._approvals[run.id] = run.status == "succeeded" and approval_holds(
                self.signature_statuses(run), creator=run.created_by, independent=self.independent
            )
        return self._approvals[run.id]

    def approved(self, kind: str) -> AnalysisRun | None:
        """The latest approved run of ``kind``: what readiness and the reports use."""
        done = [r for r in self.runs if r.kind == kind and self.is_approved(r)]
        return done[-1] if done else None

    def drafts(self, kind: str) -> list[AnalysisRun]:
        """Succeeded runs of ``kind`` newer than the latest approved one (all of them if none is)."""
        chosen = self.approved(kind)
        after = self.runs.index(chosen) + 1 if chosen is not None else 0
        return [
            r
            for r in self.runs[after:]
            if r.kind == kind and r.status == "succeeded" and not self.is_approved(r)
        ]

    def superseded_by(self, run: AnalysisRun) -> AnalysisRun | None:
        """The later approved run of ``run``'s kind in this study that the reports use instead of it (the
        run page's "Superseded", :func:`~bioparity.workspace.signatures.later_runs`, from the evidence
        already loaded); None when there is none or ``run`` did not succeed (nothing to supersede)."""
        if run.status != "succeeded":
            return None
        used = self.approved(run.kind)
        return used if used is not None and self.runs.index(used) > self.runs.index(run) else None

    def newer_input(self, run: AnalysisRun) -> tuple[Dataset, Dataset] | None:
        """For an approved run (used or superseded) whose input dataset has a later version of the same
        name in the study: the input and the latest version; else None. The approval stays as it is (it
        signs the data the run used); the pages say that newer data exists (QA audit F9)."""
        if run.status != "succeeded" or not self.is_approved(run):
            return None
        used = next((d for d in self.datasets if d.id == run.dataset_id), None)
        if used is None:
            return None
        later = [d for d in self.datasets if d.name == used.name and d.version > used.version]
        return (used, max(later, key=lambda d: d.version)) if later else None

    def evidence_status(self, run: AnalysisRun) -> str:
        """ "approved" (the result reports use), "superseded" (an older approved one), "draft" or ""."""
        if run.status != "succeeded":
            return ""
        if self.is_approved(run):
            return "superseded" if self.superseded_by(run) is not None else "approved"
        return "draft"


@dataclass
class ProgramEvidence:
    program: Program
    studies: list[StudyEvidence]

    def runs(self, kind: str | None = None) -> list[AnalysisRun]:
        return [r for s in self.studies for r in s.runs if kind is None or r.kind == kind]

    def draft_notes(self) -> list[str]:
        """One note per study and kind with results that are not (yet) approved and so not used."""
        notes = []
        for ev in self.studies:
            for kind in REPORTED_KINDS:
                drafts = ev.drafts(kind)
                if not drafts:
                    continue
                used = ev.approved(kind)
                which = (
                    _("the latest approved run %(run)s is used") % {"run": used.id}
                    if used is not None
                    else _("no approved %(kind)s result yet, so none is used") % {"kind": kind}
                )
                notes.append(
                    _("%(study)s: %(n)d newer %(kind)s run(s) not approved (draft): not used; %(which)s")
                    % {"study": ev.study.name, "n": len(drafts), "kind": kind, "which": which}
                )
        return notes


#: The analysis kinds that readiness and the program report draw on.
REPORTED_KINDS = (pk.NAME, caa_kind.NAME, stability_kind.NAME, comparability_kind.NAME)


def _listed(model: type[Any], column: Any, parameter: str, *order: Any) -> Select[Any]:
    """``SELECT model WHERE column IN (:parameter) ORDER BY order``, the list given when it is run."""
    return select(model).where(column.in_(bindparam(parameter, expanding=True))).order_by(*order)


# The statements of collect, built once (every dashboard view runs them; see bioparity.store.lookup).
_STUDIES = select(Study).where(Study.program_id == bindparam("program_id")).order_by(Study.created_at)
_DATASETS = _listed(Dataset, Dataset.study_id, "study_ids", Dataset.name, Dataset.version)
# Runs without their results (loaded only for the runs whose signatures are checked or table is needed).
_RUNS = _listed(AnalysisRun, AnalysisRun.study_id, "study_ids", AnalysisRun.created_at, AnalysisRun.id)
_RUNS = _RUNS.options(defer(AnalysisRun.result_json))
_SIGNATURES = _listed(Signature, Signature.run_id, "run_ids", Signature.signed_at, Signature.id)
_RESULTS = _listed(AnalysisRun, AnalysisRun.id, "run_ids").options(undefer(AnalysisRun.result_json))


def collect(session: Session, program: Program) -> ProgramEvidence:
    """Everything stored for a program (the caller has checked that the user may read it)."""
    studies = list(session.scalars(_STUDIES, {"program_id": program.id}))
    ids = [s.id for s in studies]
    datasets = list(session.scalars(_DATASETS, {"study_ids": ids}))
    runs = list(session.scalars(_RUNS, {"study_ids": ids}))
    sigs = list(session.scalars(_SIGNATURES, {"run_ids": [r.id for r in runs]}))
    signed = sorted({s.run_id for s in sigs})
    if signed:  # their signature checks read the result: loaded in one query, not one per run
        session.scalars(_RESULTS, {"run_ids": signed}).all()
    out = []
    for study in studies:
        ev = StudyEvidence(
            study,
            [d for d in datasets if d.study_id == study.id],
            [r for r in runs if r.study_id == study.id],
            independent=program.segregation_of_duties is not False,
        )
        run_ids = {r.id for r in ev.runs}
        for sig in sigs:
            if sig.run_id in run_ids:
                ev.signatures.setdefault(sig.run_id, []).append(sig)
        out.append(ev)
    return ProgramEvidence(program, out)


def evidence_sha256(evidence: ProgramEvidence) -> str:
    """The SHA-256 (hex) identifying the evidence a program report is made from: printed on its title page
    and on every page's foot, so a page is traced to its report and a report to the stored evidence.

    The digest of the UTF-8 JSON (keys sorted, separators ``,`` and ``:``, no spaces, non-ASCII as is) of
    one object per run, in the report's order (as its appendix lists them: studies and runs by creation):
    ``study`` (its name), ``run`` (ID), ``kind``, ``inputs`` (the stored input digests and mapping),
    ``result`` (the result's SHA-256 or null) and ``signatures`` (each signature's ``signature_sha256``,
    sorted). A new run, a new signature or a changed input gives another digest; the same stored evidence
    gives the same one (21 CFR 11.10(b): accurate and complete copies of records).
    """
    runs = [
        {
            "study": ev.study.name,
            "run": run.id,
            "kind": run.kind,
            "inputs": json.loads(run.inputs_json),
            "result": run.result_sha256,
            "signatures": sorted(s.signature_sha256 for s in ev.signatures.get(run.id, [])),
        }
        for ev in evidence.studies
        for run in ev.runs
    ]
    text = json.dumps(runs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def evidence_as_of(evidence: ProgramEvidence) -> datetime | None:
    """The time of the newest stored run or signature of the program (UTC), the date a program report
    states for its evidence (no time of generation is printed: the same evidence gives the same report);
    None when nothing was run."""
    moments = [_utc(r.created_at) for r in evidence.runs()]
    moments += [_utc(s.signed_at) for ev in evidence.studies for sigs in ev.signatures.values() for s in sigs]
    return max(moments, default=None)


def _utc(value: datetime | str) -> datetime:
    """A stored time in UTC: a timestamp column's value (aware UTC on every database,
    :class:`bioparity.store.types.UTCDateTime`) or a signature's ISO text ending in ``Z``
    (:func:`bioparity.audit.trail.utc_timestamp`; a text without an offset is UTC, never local time:
    :func:`bioparity.utc.utc_moment`)."""
    return utc_moment(value)


def source_label(source: str) -> str | None:
    """``eu-ref``, ``ref-eu``, ``EU-RP``, ``EU`` -> ``EU``; ``test``/``T`` -> ``T``; otherwise None."""
    text = source.strip().upper()
    if text in {"T", "TEST", "BIOSIMILAR"}:
        return "T"
    core = re.sub(r"(^|[-_ ])(REF|RP|REFERENCE)($|[-_ ])", " ", text).strip(" -_")
    return core if re.fullmatch(r"[A-Z]{2,3}", core) else None


def caa_category(attribute: str) -> str | None:
    name = attribute.lower()
    for pattern, category in _CATEGORY_WORDS:
        if re.search(pattern, name):
            return category
    return None


# Results and datasets never change once stored (their SHA-256 is their identity), so what is derived
# from them can be kept; a page view then reads only what it shows.
_TABLES = Memo(64)
_READINESS = Memo(64)


def _parse_table(result_json: str | None) -> list[dict[str, Any]]:
    result = json.loads(result_json or "null")
    if not isinstance(result, dict) or "columns" not in result:
        return []
    return [dict(zip(result["columns"], row, strict=True)) for row in result["rows"]]


def _table(run: AnalysisRun) -> list[dict[str, Any]]:
    if run.result_sha256 is None:
        return []
    rows: list[dict[str, Any]] = _TABLES.get(run.result_sha256, lambda: _parse_table(run.result_json))
    return rows


def _pk_study(ev: StudyEvidence, notes: list[str]) -> PKStudy | None:
    run = ev.approved(pk.NAME)
    if run is None:
        return None
    comparisons = []
    arms: list[str] = []
    for i, row in enumerate(_table(run)):
        test, ref = source_label(str(row[pk.TEST_ARM])), source_label(str(row[pk.REFERENCE_ARM]))
        if test is None or ref is None:
            notes.append(
                _("%(study)s: arms %(test)s/%(reference)s have no region label")
                % {"study": ev.study.name, "test": row[pk.TEST_ARM], "reference": row[pk.REFERENCE_ARM]}
            )
            continue
        arms += [a for a in (test, ref) if a not in arms]
        try:
            comparisons.append(
                PKComparison(
                    id=f"{test}-{ref}-{row[pk.METRIC]}-{i}",
                    test=test,
                    reference=ref,
                    metric=str(row[pk.METRIC]),
                    ratio=float(row[pk.GMR]) / pk.PERCENT,
                    ci_lower=float(row[pk.CI_LOWER]) / pk.PERCENT,
                    ci_upper=float(row[pk.CI_UPPER]) / pk.PERCENT,
                    lower_limit=float(row[pk.LOWER_LIMIT]) / pk.PERCENT,
                    upper_limit=float(row[pk.UPPER_LIMIT]) / pk.PERCENT,
                )
            )
        except InputError as exc:
            notes.append(
                _("%(study)s: comparison left out of the readiness: %(problem)s")
                % {"study": ev.study.name, "problem": exc}
            )
    if not comparisons or "T" not in arms:
        return None
    return PKStudy(id=_ident(ev.study.name), arms=tuple(arms), comparisons=tuple(comparisons))


def _ident(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "study"


def _caa(ev: StudyEvidence, notes: list[str]) -> tuple[list[CAAAttribute], list[AnalyticalBridge]]:
    run = ev.approved(caa_kind.NAME)
    if run is None:
        return [], []
    attributes, bridges = [], []
    bridge_rows: dict[tuple[str, str], list[bool]] = {}
    uncategorised = set()
    rows = _table(run)
    # the attributes as the CAA report names them (the catalogue's labels), for the findings' words
    names = caa_kind.caa_names(
        json.loads(run.options_json or "{}"), (str(r[caa_kind.ATTRIBUTE]) for r in rows)
    )
    for row in rows:
        if row.get(caa_kind.PASSED) is None:
            continue
        test = source_label(str(row[caa_kind.TEST_SOURCE]))
        ref = source_label(str(row[caa_kind.REFERENCE_SOURCE]))
        if test is None or ref is None:
            continue
        passed = bool(row[caa_kind.PASSED])
        if test != "T":
            bridge_rows.setdefault((test, ref), []).append(passed)
            continue
        attribute = str(row[caa_kind.ATTRIBUTE])
        category = caa_category(attribute)
        if category is None:
            uncategorised.add(attribute)
            continue
        n_test, n_reference = row.get(caa_kind.N_TEST), row.get(caa_kind.N_REFERENCE)
        attributes.append(
            CAAAttribute(
                id=_ident(f"{attribute}-{ref}"),
                name=attribute,
                category=category,
                reference=ref,
                passed=passed,
                critical=int(row.get(caa_kind.TIER) or 0) == 1,
                n_test_lots=int(n_test) if n_test else None,
                n_reference_lots=int(n_reference) if n_reference else None,
                method=str(row.get(caa_kind.METHOD) or ""),
                label=names[attribute],
            )
        )
    for (a, b), outcomes in bridge_rows.items():
        bridges.append(
            AnalyticalBridge(
                id=f"{ev.study.name}-bridge-{a}-{b}".replace(" ", "-"),
                references=(a, b),
                passed=all(outcomes),
                n_attributes=len(outcomes),
            )
        )
    if uncategorised:
        notes.append(
            _("%(study)s: CAA attributes without a known category left out of the readiness: %(attributes)s")
            % {"study": ev.study.name, "attributes": ", ".join(sorted(uncategorised))}
        )
    return attributes, bridges


def _stability(ev: StudyEvidence, notes: list[str]) -> list[CAAAttribute]:
    """The comparative stability of the latest approved ``stability`` run as CAA evidence of the category
    ``stability``: one attribute per slope comparison of the test product with a reference product named
    by region (``ref-eu``), passed when the degradation rates were shown equivalent (ICH Q1E; EMA/CHMP/
    BWP/247713/2012: comparative stability of the biosimilar and the reference). What cannot count is
    stated in a note: products without a region, comparisons without a margin, rates not equivalent."""
    run = ev.approved(stability_kind.NAME)
    if run is None:
        return []
    out = []
    rows = [r for r in _table(run) if r.get(stability_kind.SECTION) == stability_kind.SLOPES]
    if not rows:
        notes.append(
            _("%(study)s: the approved stability run compares no test and reference products: not evidence")
            % {"study": ev.study.name}
        )
    for row in rows:
        attribute, condition = (
            str(row[stability_kind.ATTRIBUTE]),
            str(row.get(stability_kind.CONDITION) or ""),
        )
        name = stability_kind.attribute_name(row)  # the specification's label, else the code as written
        where = (
            _("%(study)s: stability of %(attribute)s (%(condition)s)")
            if condition
            else _("%(study)s: stability of %(attribute)s")
        ) % {"study": ev.study.name, "attribute": name, "condition": condition}
        test, reference = str(row[stability_kind.TEST]), str(row[stability_kind.REFERENCE])
        ref = source_label(reference)
        if source_label(test) != "T" or ref is None or ref == "T":
            notes.append(
                _(
                    "%(where)s: the products %(test)r and %(reference)r are not the test product and a "
                    "reference product named by region (e.g. test and ref-eu); left out of the readiness"
                )
                % {"where": where, "test": test, "reference": reference}
            )
            continue
        judged = row.get(stability_kind.EQUIVALENT)
        if judged is None:
            notes.append(
                _("%(where)s: no slope margin, so the degradation rates were not judged; not evidence")
                % {"where": where}
            )
            continue
        if not judged:
            level = f"{100 * float(row.get(stability_kind.CONF_LEVEL) or 0.9):g}%"
            d, lo, hi, margin = (
                float(row[k])
                for k in (stability_kind.DIFFERENCE, stability_kind.CI_LOWER, stability_kind.CI_UPPER,
                          stability_kind.MARGIN)
            )  # fmt: skip
            notes.append(
                _(
                    "%(where)s: degradation rates of %(test)s and %(reference)s not shown equivalent: "
                    "difference %(difference)s (%(level)s CI %(lower)s to %(upper)s) not within ±%(margin)s"
                )
                % {
                    "where": where, "test": test, "reference": reference, "difference": f"{d:.4g}",
                    "level": level, "lower": f"{lo:.4g}", "upper": f"{hi:.4g}", "margin": f"{margin:.4g}",
                }
            )  # fmt: skip
        n_test, n_reference = row.get(stability_kind.N_LOTS_TEST), row.get(stability_kind.N_LOTS_REFERENCE)
        out.append(
            CAAAttribute(
                id=_ident(f"{ev.study.name}-stability-{attribute}-{condition}-{ref}"),
                name=f"{attribute} degradation rate" + (f" ({condition})" if condition else ""),
                label=stability_kind.degradation_rate_name(name, condition),  # in the reader's words
                category="stability",
                reference=ref,
                passed=bool(judged),
                n_test_lots=int(n_test) if n_test else None,
                n_reference_lots=int(n_reference) if n_reference else None,
                method="ICH Q1E: equivalence of degradation rates",
            )
        )
    return out


def _process_changes(ev: StudyEvidence, notes: list[str]) -> list[ProcessComparability]:
    """The latest approved ``comparability`` run as an ICH Q5E comparability exercise (one not shown
    comparable is stated in a note with what failed)."""
    run = ev.approved(comparability_kind.NAME)
    if run is None:
        return []
    rows = _table(run)
    # what failed as the run's report names it (the catalogue's labels), never the code alone
    names = comparability_kind.comparability_names(json.loads(run.options_json or "{}"), rows)
    found = comparability_kind.verdict(rows, names)
    if not found.comparable:
        what = ", ".join(found.not_comparable) if found.not_comparable else _("nothing was judged")
        notes.append(
            _("%(study)s: process change %(change)s not shown comparable (ICH Q5E): %(what)s")
            % {"study": ev.study.name, "change": found.change, "what": what}
        )
    return [
        ProcessComparability(
            id=_ident(f"{ev.study.name}-{found.change}"),
            change=found.change,
            passed=found.comparable,
            n_attributes=found.n_attributes or None,
            not_comparable=found.not_comparable,
        )
    ]


def modality_code(text: str) -> str | None:
    lowered = text.lower().replace("-", " ")
    if lowered.replace(" ", "_") in MODALITIES:
        return lowered.replace(" ", "_")
    if "antibody drug" in lowered or "adc" in lowered.split():
        return "antibody_drug_conjugate"
    if "mab" in lowered.split() or "antibody" in lowered or re.search(r"\bigg\d", lowered):
        return "monoclonal_antibody"
    for word, code in (
        ("fusion", "fusion_protein"),
        ("insulin", "insulin"),
        ("peg", "pegylated_protein"),
        ("peptide", "peptide"),
        ("protein", "recombinant_protein"),
    ):
        if word in lowered:
            return code
    return None


def readiness_key(evidence: ProgramEvidence) -> tuple[Any, ...]:
    """What the readiness of a program depends on: its facts, the approved runs used (with their result
    hashes) and the language its explanations are worded in. Equal keys give the same readiness."""
    program = evidence.program
    latest = [
        (ev.study.id, ev.study.name, run.id, run.result_sha256)
        for ev in evidence.studies
        for run in (ev.approved(kind) for kind in REPORTED_KINDS)
        if run is not None
    ]
    return (
        program.id,
        program.name,
        program.modality,
        tuple(program.target_regions),
        tuple(latest),
        current_language(),  # the explanations and notes are worded in it
    )


def readiness(evidence: ProgramEvidence) -> tuple[PathwayAssessment | None, list[str]]:
    """Readiness per target region from the stored evidence, and the assumptions/limits as notes."""
    assessment, notes = _READINESS.get(readiness_key(evidence), lambda: _readiness(evidence))
    return assessment, [*notes, *evidence.draft_notes()]


def _readiness(evidence: ProgramEvidence) -> tuple[PathwayAssessment | None, tuple[str, ...]]:
    assessment, notes = _assess(evidence)
    return assessment, tuple(notes)


def _assess(evidence: ProgramEvidence) -> tuple[PathwayAssessment | None, list[str]]:
    program = evidence.program
    notes: list[str] = []
    regions = []
    # A region stored before the workspace refused unknown ones is named, whatever else is wrong.
    for region in program.target_regions:
        code = region_code(region)
        if code is None:
            notes.append(_("target region %(region)r has no rule file; not assessed") % {"region": region})
        elif code not in regions:
            regions.append(code)
    modality = modality_code(program.modality)
    if modality is None:
        return None, [
            _("modality %(modality)r is not one the pathway rules know") % {"modality": program.modality},
            *notes,
        ]
    if program.target_regions and not regions:
        return None, notes  # every region it names is unknown: not assessed for regions it never named
    pk_studies, caa, bridges, changes = [], [], [], []
    for ev in evidence.studies:
        study = _pk_study(ev, notes)
        if study is not None:
            pk_studies.append(study)
        attrs, brs = _caa(ev, notes)
        caa += attrs + _stability(ev, notes)
        bridges += brs
        changes += _process_changes(ev, notes)
    labels = {a for s in pk_studies for a in s.arms} | {a.reference for a in caa}
    labels.discard("T")
    fallback = "EU" if "EU" in labels else (sorted(labels)[0] if labels else "EU")
    sourcing = {r: LOCAL_SOURCE[r] if LOCAL_SOURCE[r] in labels else fallback for r in regions}
    profile = ProgramProfile(
        name=program.name,
        modality=modality,
        moa_understood=True,
        reference_sourcing=sourcing,
        target_regions=tuple(regions),
    )
    notes.append(
        _(
            "assumed: mechanism of action understood, clonal cell line, glycosylated, PK study feasible; "
            "reference sourcing %(sourcing)s; manual items (justifications, scientific advice) are not "
            "recorded in the workspace"
        )
        % {"sourcing": ", ".join(f"{r}: {s}" for r, s in sourcing.items())}
    )
    inventory = EvidenceInventory(
        caa=tuple(caa),
        analytical_bridges=tuple(bridges),
        pk_studies=tuple(pk_studies),
        process_changes=tuple(changes),
    )
    return assess_program(profile, inventory, regions=regions or None), notes


def pk_rows(evidence: ProgramEvidence) -> Sequence[tuple[Study, AnalysisRun, list[dict[str, Any]]]]:
    """The latest approved PK similarity table of each study (for the program's similarity summary)."""
    out = []
    for ev in evidence.studies:
        run = ev.approved(pk.NAME)
        if run is not None:
            out.append((ev.study, run, _table(run)))
    return out


def cited_section(section: str) -> str:
    """The section of a guideline citation as printed, in the reader's language.

    :func:`bioparity.pathways.section_text` in the reader's language: a numbered section reads "section
    5.3.2 (...)" (zh-CN "第 5.3.2 节（...）"); one the rule file names by its topic is printed as the topic,
    never as "section reference product" (zh-CN "参照药", not "第 reference product 节"); an unconfirmed
    number is flagged. The topic is translated in the context "guideline section"
    (:func:`bioparity.pathways.rules.section_topic`); the number is printed as the guideline numbers it.

    Parameters
    ----------
    section : str
        The ``section`` of a rule's citation (``bioparity/pathways/rules/*.yaml``).

    Returns
    -------
    str
        The text printed after the guideline and its date.

    Examples
    --------
    >>> cited_section("5.3.2 (comparative clinical efficacy studies)")
    'section 5.3.2 (comparative clinical efficacy studies)'
    >>> cited_section("reference product; section number unconfirmed")
    'reference product [section number unconfirmed]'
    >>> cited_section("switching studies; presentation")
    'switching studies; presentation'
    """
    text, _numbered, confirmed = section_parts(section)
    shown = section_words(text)
    return shown if confirmed else _("%(section)s [section number unconfirmed]") % {"section": shown}


def cited_guideline(citation: Citation) -> str:
    """A rule's guideline citation in the reader's words: ``Title (reference, version, status), section S,
    date`` as :meth:`~bioparity.pathways.rules.Citation.text` stores it, the status, the section
    (:func:`cited_section`) and the flag of an unconfirmed citation translated (the title and the document
    number are the guideline's own: in Chinese for a zh-CN reader when the rule file gives the guideline's
    Chinese ones, e.g. 《生物类似药研发与评价技术指导原则（试行）》 and
    国家食品药品监督管理总局通告2015年第7号 for NMPA 2015).

    Examples
    --------
    >>> from bioparity.pathways.rules import Document
    >>> doc = Document("q", "Questions and answers", "2019-07-31", "final", unconfirmed=True)
    >>> cited_guideline(Citation(doc, "clinical development", "2019-07-31"))
    'Questions and answers (final), clinical development, 2019-07-31 [citation unconfirmed]'
    """
    doc = citation.document
    language = current_language()
    # the punctuation in the reader's words too (zh-CN full-width "（...），"): Chinese around the citation
    details = _(", ").join(
        p for p in (doc.reference_in(language), doc.version, guideline_status(doc.status)) if p
    )
    text = _("%(title)s (%(details)s), %(section)s, %(date)s") % {
        "title": doc.title_in(language),
        "details": details,
        "section": cited_section(citation.section),
        "date": citation.date,
    }
    return _("%(citation)s [citation unconfirmed]") % {"citation": text} if doc.unconfirmed else text


def requirement_citation(rule_id: str, stored: str, source: str) -> tuple[str, str]:
    """The citation and the source (``reference version (status, date)``) of a requirement's rule in the
    reader's words (:func:`cited_guideline`); as stored when the shipped rule of that id cites otherwise
    now (or there is none)."""
    found = all_rules().get(rule_id)
    if found is None or found[1].citation.text() != stored:
        return stored, source
    citation = found[1].citation
    doc = citation.document
    if source == doc.label():
        language = current_language()
        ident = " ".join(p for p in (doc.reference_in(language), doc.version) if p) or doc.title_in(language)
        source = _("%(document)s (%(status)s, %(date)s)") % {
            "document": ident,
            "status": guideline_status(doc.status),
            "date": doc.date,
        }
    return cited_guideline(citation), source


def requirement_source(requirement: Any) -> tuple[str, str]:
    """The citation of a requirement's rule in the reader's words (:func:`requirement_citation`) and what
    its source adds to it: the document's label, date and section, each only when the citation does not
    already say it (the program report and the web workspace print "citation. Source: source" once, not
    the document a second time as "... Source: same document"). The source is empty when the citation
    says it all.

    Parameters
    ----------
    requirement : object
        A requirement of a region's readiness (``rule_id``, ``citation``, ``source``, ``source_date``,
        ``section``).

    Returns
    -------
    tuple of str
        The citation and the source parts it lacks, joined by ", ".
    """
    citation, label = requirement_citation(
        getattr(requirement, "rule_id", ""), str(requirement.citation), requirement.source or ""
    )
    date = requirement.source_date or ""
    section = cited_section(requirement.section) if requirement.section else ""
    parts = [label, "" if date in label else date, section]
    said = [p for p in parts if p and p.split(" (")[0] not in citation]
    return citation, ", ".join(p for p in said if p.removeprefix("section ") not in citation)


def table_rows(run: AnalysisRun) -> list[dict[str, Any]]:
    """A tabular run result as a list of row dictionaries (empty when the result has no table)."""
    return _table(run)
