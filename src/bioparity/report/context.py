"""Everything a result page or a run report shows, gathered from the store in one place.

Only stored data enter a report (no clock, no random numbers), so the same stored run gives the same
report byte for byte, in each language: the summary, flags and figures are worded in the language current
when the context is built (:func:`bioparity.i18n.use_language`) and re-worded by :func:`localised` for a
report in another language.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session, aliased

from bioparity.analyses.contract import Action, Analysis, RunView, StoredInput
from bioparity.analyses.figures import Figure
from bioparity.analyses.frames import has_table
from bioparity.analyses.registry import all_analyses
from bioparity.i18n import current_language
from bioparity.i18n import gettext as _
from bioparity.memo import Memo
from bioparity.store.lookup import by_id
from bioparity.store.models import AnalysisRun, Blob, Dataset, Program, Signature, Study, User
from bioparity.workspace.access import Actor, require_run
from bioparity.workspace.analyses import dataset_label, option_datasets
from bioparity.workspace.datasets import mapped_table, option_dataset_ids
from bioparity.workspace.signatures import (
    SignatureStatus,
    approval_holds,
    check_signature,
    content_key,
    superseded_by,
)

T = TypeVar("T")

#: Rows of a result table shown on the page and in reports (the stored result keeps all of them).
MAX_TABLE_ROWS = 200


@dataclass
class Provenance:
    """One link of the evidence chain: a dataset and the run that produced it (if derived)."""

    dataset: Dataset
    produced_by: AnalysisRun | None


@dataclass
class FigureSeries:
    """Figures of one series (e.g. ``attribute``): the page shows ``chosen``, the report all of them."""

    name: str
    title: str
    group_title: str
    note: str
    figures: list[Figure]
    chosen: Figure | None = None

    @property
    def items(self) -> list[str]:
        return [f.item for f in self.figures]


@dataclass(frozen=True)
class NewerVersion:
    """A later version of a run's input dataset (the latest), and who stored it ("Name (username)")."""

    dataset: Dataset
    stored_by: str


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
    analysis: Analysis | None = None
    summary: str = ""
    #: How the result was judged, with its sources (the kind's ``statement``; empty: none).
    statement: str = ""
    figures: list[Figure] = field(default_factory=list)
    #: Series name -> the item chosen for the page (e.g. ``attribute`` -> an attribute name).
    chosen: dict[str, str] = field(default_factory=dict)
    #: The language of the summary, flags and figures (the one current when they were made).
    language: str = "en"
    #: The datasets named by the run's options of type ``dataset`` (option name -> dataset, e.g. NCA's
    #: ``dosing``): shown by name, version and file, not as the stored id.
    option_datasets: dict[str, Dataset] = field(default_factory=dict)
    #: Builds the run as the kind's presentation hooks see it (None for a kind no longer registered);
    #: called only when a summary, flags or figures are not memoised yet (see :attr:`view`).
    make_view: Callable[[], RunView] | None = None
    #: The latest later version of the input dataset's name in the study (None when the input is the
    #: latest): the run page flags an approved result resting on superseded data (QA audit F9).
    newer_input: NewerVersion | None = None
    #: Looks up the id of the later approved run of its kind in its study (see :attr:`superseded_by`).
    find_superseded_by: Callable[[], str | None] = lambda: None

    @cached_property
    def view(self) -> RunView | None:
        """The run as the kind's presentation hooks see it (its result table as a frame: built once)."""
        return None if self.make_view is None else self.make_view()

    @cached_property
    def superseded_by(self) -> str | None:
        """The id of the later approved run of its kind in its study that the reports use instead of this one
        (:func:`~bioparity.workspace.signatures.superseded_by`; None: not superseded), looked up through the
        context's session when first asked, then kept with the context's other facts.

        The run report always asks (:func:`bioparity.report.html.render_run_report`: "superseded by run N"
        by each of its signatures, as the program report says); the run page never does: it has the later
        runs from its signing choices, and its statements are counted.
        """
        return self.find_superseded_by()

    @property
    def approved(self) -> bool:
        """Whether the run counts as approved (a valid approval after a valid review by another person,
        :func:`~bioparity.workspace.signatures.approval_holds`): otherwise the result is a draft."""
        independent = self.program.segregation_of_duties is not False
        return approval_holds(self.signatures, creator=self.run.created_by, independent=independent)

    @property
    def title(self) -> str:
        """The kind's title in the current language (its name when the kind is no longer registered)."""
        return _(self.analysis.title) if self.analysis is not None else self.run.kind

    @property
    def actions(self) -> tuple[Action, ...]:
        """The kind's pages for a succeeded run (e.g. the NCA lambda_z review)."""
        if self.analysis is None or self.run.status != "succeeded":
            return ()
        return self.analysis.actions

    def plots(self, kind: type[T]) -> list[T]:
        """The data of the run's figures of one plot type (e.g. ``ProfilePlot``)."""
        return [f.data for f in self.figures if isinstance(f.data, kind)]

    @property
    def single_figures(self) -> list[Figure]:
        """Figures that are not part of a series, in the kind's order."""
        return [f for f in self.figures if not f.series]

    @property
    def series(self) -> list[FigureSeries]:
        """The series of figures (one per item, e.g. per CAA attribute), each with the chosen item."""
        out: dict[str, FigureSeries] = {}
        for f in self.figures:
            if f.series:
                out.setdefault(f.series, FigureSeries(f.series, f.title, f.group_title, f.note, []))
                out[f.series].figures.append(f)
        for s in out.values():
            wanted = self.chosen.get(s.name)
            s.chosen = next((f for f in s.figures if f.item == wanted), s.figures[0])
        return list(out.values())

    @property
    def labels(self) -> Mapping[str, str]:
        """The kind's own words for its keys (:attr:`Analysis.labels`; none for a kind no longer
        registered), before the shared labels."""
        return {} if self.analysis is None else self.analysis.labels

    @property
    def shown_options(self) -> dict[str, Any]:
        """The run's options as a report prints them: an option naming a dataset as that dataset's name,
        version and file followed by its id (``ex v1 (ex.xpt); id 0b5f…``)."""
        named = {
            key: _("%(dataset)s; id %(id)s") % {"dataset": dataset_label(d), "id": d.id}
            for key, d in self.option_datasets.items()
        }
        return {**self.options, **named}

    @property
    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r, strict=True)) for r in self.rows]

    @property
    def shown_rows(self) -> list[list[Any]]:
        return self.rows[:MAX_TABLE_ROWS]


def _content(session: Session, dataset: Dataset) -> bytes | None:
    blob = session.get(Blob, dataset.sha256)
    return None if blob is None else bytes(blob.content)


def _frame(session: Session, dataset: Dataset, options: dict[str, Any]) -> pd.DataFrame | None:
    """The stored file as a table of texts/numbers for plotting, mapped as the run that read it saw it
    (columns renamed, units per row converted into the unit of its ``options``), whatever format the upload
    took (CSV, XLSX, Parquet, SAS XPT: :func:`~bioparity.workspace.datasets.mapped_table`); None when it
    cannot be read as a table."""
    return mapped_table(dataset, _content(session, dataset), options)


#: What is presented of stored runs (their results, options and inputs never change), by the run's stored
#: content (:func:`~bioparity.workspace.signatures.content_key`), status and the language it is worded in.
_FIGURES = Memo(32)
_SUMMARIES = Memo(256)
_FLAGS = Memo(256)
#: The parsed results of the runs shown last, by their stored content (``content_key``): parsing the
#: stored JSON was most of the CPU of a view of an NCA run's page and of its review page (0.95 MB of
#: JSON for the demo's 201 profiles, 10.9 MB for 2,004). Read only: the pages share one parse.
_RESULTS = Memo(4)


def stored_result(run: AnalysisRun) -> Any:
    """The run's stored result as parsed JSON (None when it has none), parsed once per stored content.

    The key is :func:`~bioparity.workspace.signatures.content_key` (a digest of the exact stored texts),
    so an altered row is parsed again, never masked by the memo. The value is shared between page views:
    read it, never change it (a dict result is returned as a shallow copy, its values shared).
    """
    if run.result_json is None:
        return None
    text = run.result_json
    parsed = _RESULTS.get(content_key(run), lambda: json.loads(text))
    return dict(parsed) if isinstance(parsed, dict) else parsed


def _chain(session: Session, dataset: Dataset) -> list[Provenance]:
    """The dataset and where it came from: the run that produced it, that run's input, and so on.

    The producing runs are loaded without their result (a chain shows a run's kind, options and result
    hash; an NCA result behind a PK similarity run is a megabyte of JSON, most of a page view's time when
    read and decoded on every view); it is read only if something asks for it."""
    out: list[Provenance] = []
    current: Dataset | None = dataset
    while current is not None and len(out) < 10:
        run = by_id(session, AnalysisRun, current.derived_from_run, deferred=("result_json",))
        out.append(Provenance(current, run))
        current = None if run is None else by_id(session, Dataset, run.dataset_id)
    return out


def _stored_inputs(
    session: Session, chain: list[Provenance], options: dict[str, Any]
) -> tuple[StoredInput, ...]:
    """The provenance chain as the figures of a kind see it (files loaded only when a figure needs one).

    Each dataset is read with the options of the run that took it as input: ``options`` (the run's own)
    for the first, the run that produced the previous link for the others."""
    readers = [options, *(json.loads(p.produced_by.options_json) for p in chain[:-1] if p.produced_by)]
    return tuple(
        StoredInput(
            sha256=p.dataset.sha256,
            validated_for=p.dataset.validated_for,
            load=lambda d=p.dataset, o=o: _frame(session, d, o),  # type: ignore[misc]
            produced_by=None if p.produced_by is None else p.produced_by.kind,
            produced_options={} if p.produced_by is None else json.loads(p.produced_by.options_json),
        )
        for p, o in zip(chain, readers, strict=False)
    )


def _present(ctx: RunContext) -> None:
    """The kind's summary line, flags and figures of the run in the current language (nothing for a kind
    no longer registered)."""
    ctx.language = current_language()
    analysis = ctx.analysis
    if analysis is None or ctx.make_view is None:
        return

    def view() -> RunView:
        built = ctx.view
        assert built is not None
        return built

    key = (content_key(ctx.run), ctx.run.status, ctx.language)
    if ctx.run.status == "succeeded" and isinstance(ctx.result, dict):
        result = ctx.result
        ctx.summary, ctx.statement = _SUMMARIES.get(
            key, lambda: (analysis.summary(result, ctx.options), analysis.statement(result, ctx.options))
        )
    ctx.flags = list(_FLAGS.get(key, lambda: tuple(analysis.flags(view().table, ctx.options))))
    ctx.figures = list(_FIGURES.get(key, lambda: tuple(analysis.figures(view()))))


def localised(ctx: RunContext) -> RunContext:
    """The context with its summary, flags and figures in the current language (``ctx`` itself when they
    already are; otherwise a copy: the caller's context is left as it was).

    The stored inputs of the figures are read through the session ``ctx`` was built with, so call it
    while that session is open (figures already drawn in this language come from a memo).
    """
    if ctx.language == current_language():
        return ctx
    copy = replace(ctx)
    _present(copy)
    return copy


#: A run's signatures in the order they were made: built once (see :mod:`bioparity.store.lookup`).
_LATER, _STORED_BY = aliased(Dataset), aliased(User)
#: A run's input dataset with the latest later version of its name in its study and who stored that (its
#: columns None when there is none), in one statement (a page view's statements are counted).
_INPUT_AND_LATER = (
    select(Dataset, _LATER, _STORED_BY.display_name, _STORED_BY.username)
    .outerjoin(
        _LATER,
        and_(
            _LATER.study_id == Dataset.study_id, _LATER.name == Dataset.name, _LATER.version > Dataset.version
        ),
    )
    .outerjoin(_STORED_BY, _STORED_BY.id == _LATER.created_by)
    .where(Dataset.id == bindparam("ident"))
    .order_by(_LATER.version.desc())
    .limit(1)
)
_SIGNATURES = select(Signature).where(Signature.run_id == bindparam("run_id")).order_by(Signature.signed_at)


def run_context(
    session: Session,
    actor: Actor,
    run_id: str,
    *,
    chosen: dict[str, str] | None = None,
) -> RunContext:
    """Gather a run, its provenance chain, signatures, summary, flags and figures (read permission checked).

    ``chosen`` picks the item of each figure series shown on the page (e.g. ``{"attribute": "..."}``).
    Whether a later approved run supersedes it is looked up only when asked
    (:attr:`RunContext.superseded_by`, through ``session``: the run report asks, the run page does not).
    """
    run, study, program = require_run(session, actor, run_id)
    dataset, later, name, username = session.execute(_INPUT_AND_LATER, {"ident": run.dataset_id}).one()
    user = by_id(session, User, run.created_by)
    sigs = session.scalars(_SIGNATURES, {"run_id": run.id})
    result = stored_result(run)
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
        analysis=all_analyses().get(run.kind),
        chosen=dict(chosen or {}),
        newer_input=None if later is None else NewerVersion(later, f"{name} ({username})"),
        find_superseded_by=lambda: superseded_by(session, [run])[run.id],
    )
    named, found = option_dataset_ids(run), option_datasets(session, [run])
    ctx.option_datasets = {key: found[i] for key, i in named.items() if i in found}
    if isinstance(result, dict):
        if has_table(result):
            ctx.columns, ctx.rows = list(result["columns"]), list(result["rows"])
        ctx.notes = [str(n) for n in result.get("notes", []) or []]
        ctx.extras = {k: v for k, v in result.items() if k not in {"columns", "rows", "notes"}}
    if ctx.analysis is not None:
        inputs = _stored_inputs(session, ctx.chain, ctx.options)
        ctx.make_view = lambda: RunView(
            ctx.run.kind, ctx.options, pd.DataFrame(ctx.rows, columns=ctx.columns), inputs, ctx.result
        )
    _present(ctx)
    return ctx
