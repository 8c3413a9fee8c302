"""Everything a result page or a run report shows, gathered from the store in one place.

Only stored data enter a report (no clock, no random numbers), so the same stored run gives the same
report byte for byte.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from bioparity.nca.summary import flag_counts
from bioparity.report import figures
from bioparity.report.memo import Memo
from bioparity.store.models import AnalysisRun, Blob, Dataset, Program, Signature, Study, User
from bioparity.workspace.access import Actor, require_run
from bioparity.workspace.signatures import SignatureStatus, check_signature

KIND_TITLES = {
    "nca": "Noncompartmental analysis",
    "pk-similarity": "PK similarity",
    "be": "Bioequivalence",
    "caa": "Comparative analytical assessment",
    "power": "Power (TOST)",
    "samplesize": "Sample size (TOST)",
}
#: Rows of a result table shown on the page and in reports (the stored result keeps all of them).
MAX_TABLE_ROWS = 200


@dataclass
class Provenance:
    """One link of the evidence chain: a dataset and the run that produced it (if derived)."""

    dataset: Dataset
    produced_by: AnalysisRun | None


@dataclass
class RunContext:
    program: Program
    study: Study
    dataset: Dataset
    run: AnalysisRun
    created_by: str
    inputs: dict[str, Any]
    options: dict[str, Any]
    result: Any
    signatures: list[SignatureStatus]
    chain: list[Provenance]
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    flags: list[tuple[str, int]] = field(default_factory=list)
    summary_columns: list[str] = field(default_factory=list)
    summary_rows: list[list[Any]] = field(default_factory=list)
    summary_title: str = "Summary by arm and parameter"
    profiles: figures.ProfilePlot | None = None
    forest: figures.ForestPlot | None = None
    power: figures.PowerPlot | None = None
    caa: figures.CAAPlot | None = None
    caa_attributes: list[str] = field(default_factory=list)
    caa_all: list[figures.CAAPlot] = field(default_factory=list)

    @property
    def approved(self) -> bool:
        """Whether a valid signature meaning "approved" holds: otherwise the result is a draft."""
        return any(s.valid and s.signature.meaning == "approved" for s in self.signatures)

    @property
    def title(self) -> str:
        return KIND_TITLES.get(self.run.kind, self.run.kind)

    @property
    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]

    @property
    def shown_rows(self) -> list[list[Any]]:
        return self.rows[:MAX_TABLE_ROWS]


def _content(session: Session, dataset: Dataset) -> bytes | None:
    blob = session.get(Blob, dataset.sha256)
    return None if blob is None else bytes(blob.content)


def _frame(session: Session, dataset: Dataset) -> pd.DataFrame | None:
    """The stored file as a table of texts/numbers for plotting (None when it is not a CSV)."""
    content = _content(session, dataset)
    if content is None or not dataset.filename.lower().endswith((".csv", ".txt", ".tsv")):
        return None
    try:
        sep = "\t" if dataset.filename.lower().endswith(".tsv") else ","
        return pd.read_csv(io.BytesIO(content), sep=sep)
    except (ValueError, UnicodeDecodeError):
        return None


_PROFILES = Memo(32)


def _profile(session: Session, dataset: Dataset, unit: str = "") -> figures.ProfilePlot | None:
    def make() -> figures.ProfilePlot | None:
        frame = _frame(session, dataset)
        return None if frame is None else figures.profile_plot(frame, conc_unit=unit)

    plot: figures.ProfilePlot | None = _PROFILES.get((dataset.sha256, unit), make)
    return plot


def _chain(session: Session, dataset: Dataset) -> list[Provenance]:
    out: list[Provenance] = []
    current: Dataset | None = dataset
    while current is not None and len(out) < 10:
        run = session.get(AnalysisRun, current.derived_from_run) if current.derived_from_run else None
        out.append(Provenance(current, run))
        current = None if run is None else session.get(Dataset, run.dataset_id)
    return out


def _nca_summary(ctx: RunContext) -> None:
    """Review flags of an NCA result, counted per subject (not per parameter row)."""
    table = pd.DataFrame(ctx.rows, columns=ctx.columns)
    if "PPTESTCD" not in table.columns or "subject" not in table.columns:
        return
    counts = flag_counts(table, group=None)
    ctx.flags = [
        (f"subjects with {f.replace('_', ' ')}", int(n))
        for f, n in zip(counts.flags, counts.flagged, strict=True)
    ]


def _caa_plan_summary(ctx: RunContext) -> None:
    """The CAA plans applied and their operating characteristics (one row per plan and lot numbers)."""
    from bioparity.caa.operating import plan_summary

    summary = plan_summary(pd.DataFrame(ctx.records))
    if summary.empty:
        return
    ctx.summary_title = "Plans and operating characteristics (probability of passing, seeded simulation)"
    ctx.summary_columns = [
        "plan",
        "test lots",
        "reference lots",
        "comparisons",
        "P(pass) equal",
        "+1 s_R shift",
        "+2 s_R shift",
        "doubled SD",
        "max MC SE",
        "equivalence type I at the margin",
        "large-n type I",
    ]
    ctx.summary_rows = [list(r) for r in summary.itertuples(index=False)]


def run_context(session: Session, actor: Actor, run_id: str, *, attribute: str | None = None) -> RunContext:
    """Gather a run, its provenance chain, signatures, tables and figures (read permission checked)."""
    run, study, program = require_run(session, actor, run_id)
    dataset = session.get(Dataset, run.dataset_id)
    assert dataset is not None
    user = session.get(User, run.created_by)
    sigs = session.scalars(select(Signature).where(Signature.run_id == run.id).order_by(Signature.signed_at))
    result = None if run.result_json is None else json.loads(run.result_json)
    ctx = RunContext(
        program=program,
        study=study,
        dataset=dataset,
        run=run,
        created_by=user.display_name if user else run.created_by,
        inputs=json.loads(run.inputs_json),
        options=json.loads(run.options_json),
        result=result,
        signatures=[check_signature(run, s) for s in sigs],
        chain=_chain(session, dataset),
    )
    if isinstance(result, dict):
        if isinstance(result.get("columns"), list):
            ctx.columns, ctx.rows = list(result["columns"]), list(result["rows"])
        ctx.notes = [str(n) for n in result.get("notes", []) or []]
        ctx.extras = {k: v for k, v in result.items() if k not in {"columns", "rows", "notes"}}
    if run.kind == "nca":
        _nca_summary(ctx)
    conc = next(
        (p.dataset for p in ctx.chain if p.dataset.validated_for == "nca" or p.produced_by is None), None
    )
    if run.kind in {"nca", "pk-similarity"} and conc is not None:
        nca_runs = [ctx.run] + [p.produced_by for p in ctx.chain if p.produced_by is not None]
        unit = next(
            (
                str(json.loads(r.options_json).get("conc_unit") or "")
                for r in nca_runs
                if r.kind == "nca" and json.loads(r.options_json).get("conc_unit")
            ),
            "",
        )
        ctx.profiles = _profile(session, conc, unit)
    if run.kind == "pk-similarity":
        ctx.forest = figures.forest_plot(ctx.records)
        failed = sum(1 for r in ctx.records if r.get("pass") is False)
        ctx.flags = [("comparisons with the CI outside the limits", failed)]
    if run.kind in {"power", "samplesize"}:
        ctx.power = figures.power_plot(ctx.records)
    if run.kind == "caa":
        ctx.caa_attributes = figures.caa_attributes(ctx.records)
        statuses = [str(r.get("status")) for r in ctx.records]
        ctx.flags = [(f"comparisons {s}", statuses.count(s)) for s in sorted(set(statuses))]
        _caa_plan_summary(ctx)
        lots = _frame(session, dataset)
        chosen = attribute if attribute in ctx.caa_attributes else next(iter(ctx.caa_attributes), None)
        names = figures.caa_names(ctx.options)
        if lots is not None and chosen is not None:
            ctx.caa = figures.caa_plot(lots, ctx.records, chosen, names)
        if lots is not None:
            every = (figures.caa_plot(lots, ctx.records, a, names) for a in ctx.caa_attributes)
            ctx.caa_all = [p for p in every if p is not None]
    return ctx
