"""NCA review (the WinNonlin lambda_z review loop): per-profile plots with the lambda_z points, R2adj,
span ratio and flags; include or exclude a point, or exclude a profile, with a required reason. Each
choice creates a NEW run whose option ``review`` holds every choice so far (the reviewed run stays as it
was); the choice is audited and the same choices reproduce the run with ``bioparity nca --review``."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from bioparity.analyses import nca as nca_kind
from bioparity.analyses.registry import get_analysis
from bioparity.audit.trail import append_event
from bioparity.errors import BioparityError, InputError
from bioparity.i18n import gettext as _
from bioparity.io.nca_input import NCASamples
from bioparity.memo import Memo
from bioparity.report.context import RunContext, run_context
from bioparity.store.models import AnalysisRun
from bioparity.web.forms import FormText
from bioparity.web.notices import ErrorNotice, Notice, notice_query
from bioparity.web.pages_jobs import SUBMISSION_FIELD, submission_token, submit_run
from bioparity.web.plots import LOG_AXIS, plot_layout
from bioparity.web.session import PageActor, read_unit
from bioparity.web.templating import menu, program_crumbs, render
from bioparity.workspace import datasets
from bioparity.workspace.access import program_permissions
from bioparity.workspace.analyses import option_files, run_inputs
from bioparity.workspace.roles import Permission

router = APIRouter()
MAX_REASON = 500


@dataclass(frozen=True)
class Profile:
    """One profile of the reviewed run: its keys, samples and lambda_z fit."""

    keys: dict[str, str]
    times: list[float]
    concs: list[float]
    used: list[bool]
    excluded: list[bool]
    lamz: float
    intercept_at: tuple[float, float] | None
    r2adj: float
    span: float
    npoints: float
    flags: list[str]
    reasons: list[str]  # why values of the profile are missing, as stored (shown with the note filter)

    @property
    def label(self) -> str:
        return " / ".join(f"{v}" for v in self.keys.values())


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _fits(ctx: RunContext, keys: list[str], multiple: bool) -> pd.DataFrame:
    """The stored values of each profile's lambda_z fit: the PP table of a single-dose run; for a
    multiple-dose run the fit after the last dose (``terminal_lambda_z``, times since the last dose, which
    ``last_dose`` gives), no rows when the run was stored without it. Only the columns the review reads."""
    if not multiple:
        return _read_columns(ctx.columns, ctx.rows, keys)
    stored = ctx.result.get(nca_kind.TERMINAL_KEY) if isinstance(ctx.result, dict) else None
    if not isinstance(stored, dict):
        return pd.DataFrame(columns=[*keys, "last_dose", "PPTESTCD", "PPSTRESN"])
    return _read_columns(stored["columns"], stored["rows"], keys)


def _read_columns(columns: Sequence[str], rows: Sequence[Sequence[Any]], keys: list[str]) -> pd.DataFrame:
    """The stored table's columns that the review reads (the profile's keys, the parameter and its value,
    the flags, the reasons, the last dose), each column's type read as a whole table's would be: a
    2,000-profile table has 46,000 rows of some 20 columns, half of which the review never reads."""
    read = {*keys, "PPTESTCD", "PPSTRESN", "reason", "last_dose"}
    wanted = [i for i, c in enumerate(columns) if c in read or str(c).startswith("flag_")]
    return pd.DataFrame(
        {columns[i]: [row[i] for row in rows] for i in wanted}, columns=[columns[i] for i in wanted]
    )


def _rows_by_profile(frame: pd.DataFrame, keys: list[str]) -> dict[tuple[str, ...], list[int]]:
    """The positions of ``frame``'s rows by profile: its ``keys`` as stripped text (``astype(str)``), in
    the frame's order. One pass over the frame, so a page of P profiles does not compare every row P times."""
    if frame.empty:
        return {}
    texts = pd.DataFrame({k: frame[k].astype(str).str.strip() for k in keys})
    return {
        key if isinstance(key, tuple) else (key,): [int(i) for i in positions]
        for key, positions in texts.groupby(keys, sort=False).indices.items()
    }


def _profiles(ctx: RunContext, read: NCASamples, multiple: bool = False) -> tuple[list[str], list[Profile]]:
    samples, spec = read.frame, read.spec
    keys = spec.keys  # the profiles of the NCA input spec (grouping rule), as the run read them
    table = _fits(ctx, keys, multiple)
    choices = nca_kind.review_choices(ctx.options)
    # Read once for all profiles: each profile's rows of the fit table and of the choices, and which
    # review flags each row of the table raises.
    table_rows = _rows_by_profile(table, keys)
    choice_rows = _rows_by_profile(choices, keys)
    flag_columns = [f for f in table.columns if str(f).startswith("flag_")]
    raised = {f: table[f].astype(str).str.lower().eq("true").to_numpy() for f in flag_columns}
    pp_codes, pp_values = table["PPTESTCD"].tolist(), table["PPSTRESN"].tolist()
    last_doses = table["last_dose"].tolist() if multiple else []
    stored_reasons = table["reason"].tolist() if "reason" in table.columns else None
    # each profile's samples as positions in the samples (in the order of their first sample), their
    # times and concentrations read once for all: a group and two conversions per profile took 2.7 s
    # for 2,000 profiles, every time the page was shown
    groups = samples.groupby(keys, sort=False).ngroup().to_numpy(dtype=float)  # NaN: a key missing
    grouped = np.flatnonzero(groups >= 0)  # the rows of a profile (a missing key makes none, as groupby)
    order = grouped[np.argsort(groups[grouped], kind="stable")]
    starts = np.flatnonzero(np.r_[True, np.diff(groups[order]) != 0])
    times = pd.to_numeric(samples[spec.time], errors="coerce").to_numpy()
    concs = pd.to_numeric(samples[spec.conc], errors="coerce").fillna(0.0).to_numpy()
    key_texts = [samples[k].tolist() for k in keys]
    out = []
    for positions in np.split(order, starts[1:]) if len(order) else []:
        kv = {k: str(texts[positions[0]]).strip() for k, texts in zip(keys, key_texts, strict=True)}
        rows = table_rows.get(tuple(kv.values()), [])
        par = {str(pp_codes[i]): _num(pp_values[i]) for i in rows}
        t = times[positions].tolist()
        c = concs[positions].tolist()
        excluded_t: set[float] = set()
        included_t: set[float] = set()
        chosen_rows = choice_rows.get(tuple(kv.values()), [])
        for _index, ch in choices.iloc[chosen_rows].iterrows() if chosen_rows else ():
            tt = str(ch["time"]).strip()
            target = excluded_t if str(ch["action"]).lower() == "exclude" else included_t
            target |= set(t) if tt == "" else {float(tt)}
        # after the last dose of a multiple-dose run: the fit's times are since that dose
        shift = _num(last_doses[rows[0]]) if multiple and rows else 0.0
        lo, hi = par.get("LAMZLL", math.nan) + shift, par.get("LAMZUL", math.nan) + shift
        used = [
            ci > 0 and ti not in excluded_t and ((ti in included_t) if included_t else (lo <= ti <= hi))
            for ti, ci in zip(t, c, strict=True)
        ]
        flags = [str(f).removeprefix("flag_") for f in flag_columns if raised[f][rows].any()]
        stored = [] if stored_reasons is None else [stored_reasons[i] for i in rows]
        reasons = list(dict.fromkeys(str(r) for r in stored if r is not None and str(r).strip()))
        lamz = par.get("LAMZ", math.nan)
        fit = None
        if not math.isnan(lamz) and not math.isnan(par.get("CLSTP", math.nan)):
            fit = (lo, par["CLSTP"] * math.exp(lamz * (par.get("TLST", hi - shift) + shift - lo)))
        out.append(
            Profile(kv, t, c, used, [ti in excluded_t for ti in t], lamz, fit, par.get("R2ADJ", math.nan),
                    par.get("LAMZSPN", math.nan), par.get("LAMZNPT", math.nan), flags, reasons)
        )  # fmt: skip
    return keys, out


def _figure(p: Profile, *, log: bool, time_label: str, conc_label: str) -> dict[str, Any]:
    def pts(sel: list[bool]) -> dict[str, list[float]]:
        chosen = [(t, c) for t, c, s in zip(p.times, p.concs, sel, strict=True) if s and (c > 0 or not log)]
        return {"x": [x for x, _ in chosen], "y": [y for _, y in chosen]}

    every = [True] * len(p.times)
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines+markers", "name": _("samples"), **pts(every),
         "line": {"color": "#64748b"}, "marker": {"color": "#64748b", "size": 7}},
        {"type": "scatter", "mode": "markers", "name": _("lambda_z points"), **pts(p.used),
         "marker": {"color": "#1d4ed8", "size": 13, "symbol": "circle-open", "line": {"width": 3}}},
        {"type": "scatter", "mode": "markers", "name": _("excluded by reviewer"), **pts(p.excluded),
         "marker": {"color": "#b91c1c", "size": 13, "symbol": "x-thin-open", "line": {"width": 3}}},
    ]  # fmt: skip
    if p.intercept_at is not None and log:
        t0, c0 = p.intercept_at
        t1 = max(p.times)
        data.append(
            {"type": "scatter", "mode": "lines", "name": _("lambda_z fit"), "x": [t0, t1],
             "y": [c0, c0 * math.exp(-p.lamz * (t1 - t0))], "line": {"color": "#1d4ed8", "dash": "dash"}}
        )  # fmt: skip
    return {
        "data": data,
        "layout": plot_layout(
            f"{p.label}: " + (_("semi-log") if log else _("linear")),
            xaxis={"title": {"text": time_label}},
            yaxis={"title": {"text": conc_label}, **(LOG_AXIS if log else {"type": "linear"})},
        ),
    }


@dataclass(frozen=True)
class Reviewed:
    """What the review shows of a run: whether it is multiple-dose NCA (its lambda_z is the fit after each
    profile's last dose, shown read only), the columns naming a profile and the profiles (built from the
    samples as the run read them)."""

    multiple: bool
    keys: list[str]
    profiles: list[Profile]


#: What the review shows of a run, by run and result (a stored run and its inputs never change): a
#: 2,000-profile run's dataset read, its samples grouped and its 46,000 PP rows read again took 1.7 s of
#: CPU for every page of its review (each profile, each page of the profile list). Read only.
_REVIEWED = Memo(4)


def _load(request: Request, actor: Any, run_id: str) -> tuple[RunContext, Reviewed, bool]:
    """The run, what its review shows, and whether the caller may create runs (write data)."""
    with read_unit(request) as session:
        ctx = run_context(session, actor, run_id)
        if ctx.run.kind != nca_kind.NAME or ctx.run.status != "succeeded":
            raise HTTPException(404, _("only a succeeded NCA run can be reviewed"))
        can_write = Permission.write_data in program_permissions(
            session, actor.user_id, ctx.program, ctx.study.kind
        )

        def read() -> Reviewed:
            content = datasets.dataset_content(session, ctx.dataset)
            inputs = run_inputs(session, actor, ctx.dataset, nca_kind.NAME, ctx.options)
            frame = datasets.read_mapped(  # as the run read it: columns mapped, units per row converted
                content,
                ctx.dataset.filename,
                ctx.dataset.column_map,
                get_analysis(nca_kind.NAME),
                ctx.options,
            )
            # an SDTM PC domain and its EX as the run read them
            with option_files(inputs, ctx.options) as options:
                samples, doses = nca_kind.nca_input(frame, options)
            multiple = doses is not None and not doses.per_subject
            keys, profiles = _profiles(ctx, samples, multiple)
            return Reviewed(multiple, keys, profiles)

        reviewed: Reviewed = _REVIEWED.get((ctx.run.id, ctx.run.result_sha256), read)
    return ctx, reviewed, can_write


#: Profiles on one page of the review's profile list: a 2,000-profile run listed them all (0.5 MB of
#: HTML a page); the flags stay findable by the list's flag filter, which counts each flag in the run.
PAGE_PROFILES = 100
#: The flag filter's value for the profiles with any review flag.
ANY_FLAG = "any"


@dataclass(frozen=True)
class ProfileList:
    """One page of the profile list: the profiles shown (with their index in the run), the filter (a
    flag, :data:`ANY_FLAG` or none; text found in a profile's name), the page and how many match."""

    shown: list[tuple[int, Profile]]
    flag: str
    find: str
    page: int
    pages: int
    matching: int
    flags: dict[str, int]
    flagged: int


def profile_list(
    profiles: Sequence[Profile], chosen: int, flag: str = "", find: str = "", page: int | None = None
) -> ProfileList:
    """The page of the profile list to show: the profiles with the ``flag`` (any flag for
    :data:`ANY_FLAG`, every profile for ``""``) whose name holds ``find`` (any letter case), page
    ``page`` of them (0-based; None: the page of the ``chosen`` profile, else the first), and the number
    of profiles with each flag and with any."""
    counts: dict[str, int] = {}
    for p in profiles:
        for f in p.flags:
            counts[f] = counts.get(f, 0) + 1
    needle = find.strip().lower()
    matching = [
        (i, p)
        for i, p in enumerate(profiles)
        if (not flag or (p.flags if flag == ANY_FLAG else flag in p.flags))
        and (not needle or needle in p.label.lower())
    ]
    pages = max(1, math.ceil(len(matching) / PAGE_PROFILES))
    if page is None:
        where = next((n for n, (i, _p) in enumerate(matching) if i == chosen), 0)
        page = where // PAGE_PROFILES
    page = min(max(page, 0), pages - 1)
    shown = matching[page * PAGE_PROFILES : (page + 1) * PAGE_PROFILES]
    flagged = sum(1 for p in profiles if p.flags)
    return ProfileList(shown, flag, find.strip(), page, pages, len(matching), counts, flagged)


@router.get("/runs/{run_id}/review")
def review_page(
    request: Request,
    actor: PageActor,
    run_id: str,
    message: Notice,
    error: ErrorNotice,
    profile: int = 0,
    flag: str = "",
    find: str = "",
    page: int | None = None,
) -> Response:
    with read_unit(request):  # the page's one unit: _load's nests in it, and the menu is read in it
        ctx, reviewed, can_write = _load(request, actor, run_id)
        entries = menu(request, actor)
    keys, profiles, multiple = reviewed.keys, reviewed.profiles, reviewed.multiple
    profile = min(max(profile, 0), len(profiles) - 1)
    chosen = profiles[profile]
    listed = profile_list(profiles, profile, flag, find, None if page is None else page - 1)
    unit = str(ctx.options.get("conc_unit") or "")
    time_label = _("time (%(unit)s)") % {"unit": ctx.options.get("time_unit") or "h"}
    conc_label = _("concentration (%(unit)s)") % {"unit": unit} if unit else _("concentration")
    figures = {
        "review-linear": _figure(chosen, log=False, time_label=time_label, conc_label=conc_label),
        "review-log": _figure(chosen, log=True, time_label=time_label, conc_label=conc_label),
    }
    return render(
        request,
        "nca_review.html",
        ctx=ctx,
        keys=keys,
        profiles=profiles,
        listed=listed,
        page_size=PAGE_PROFILES,
        any_flag=ANY_FLAG,
        index=profile,
        chosen=chosen,
        figures=figures,
        choices=nca_kind.review_rows(ctx.options),  # the actions in words (the JSON file: as stored)
        flag_words=nca_kind.review_flag_words(listed.flags.keys() | set(chosen.flags), ctx.options),
        can_write=can_write,
        multiple=multiple,
        multiple_dose_review=nca_kind.MULTIPLE_DOSE_REVIEW,
        fit_stored=not multiple or isinstance((ctx.result or {}).get(nca_kind.TERMINAL_KEY), dict),
        message=message,
        error=error,
        crumbs=program_crumbs(ctx.program, (ctx.title, f"/ui/runs/{ctx.run.id}"), (_("NCA review"), None)),
        menu=entries,
    )


@router.post("/runs/{run_id}/review")
async def review_choice(
    request: Request,
    actor: PageActor,
    run_id: str,
    profile: Annotated[int, Form()],
    action: FormText,
    reason: FormText = "",
    time: FormText = "",
    token: Annotated[str, Form(alias=SUBMISSION_FIELD)] = "",
) -> Response:
    def refused(problem: str) -> RedirectResponse:
        """The review page again at this profile, saying why nothing was applied."""
        query = {"profile": profile, **notice_query(request, error=problem)}
        return RedirectResponse(f"/ui/runs/{run_id}/review?" + urlencode(query), status_code=303)

    problem = ""
    if not reason.strip():
        problem = _("A reason is required for every include or exclude choice.")
    elif len(reason.strip()) > MAX_REASON:
        problem = _("The reason has %(n)d characters; at most %(max)d are kept.") % {
            "n": len(reason.strip()),
            "max": MAX_REASON,
        }
    elif time.strip() and not _sample_time(time):  # "nan" was read as empty: the whole profile excluded
        problem = _(
            "The time must be a sample time (a number), or empty for the whole profile; got %(time)r."
        ) % {"time": time.strip()[:40]}
    if problem:
        return refused(problem)

    def choose() -> tuple[RunContext, dict[str, Any], dict[str, Any]]:
        ctx, reviewed, _can_write = _load(request, actor, run_id)  # the job checks permission
        if reviewed.multiple:
            raise InputError(_(nca_kind.MULTIPLE_DOSE_REVIEW))
        profiles = reviewed.profiles
        if not 0 <= profile < len(profiles):
            raise HTTPException(404, _("no such profile in this run"))
        choice: dict[str, Any] = {
            **profiles[profile].keys,
            "time": _time_cell(time),
            "action": action.strip().lower(),
            "reason": reason.strip(),
        }
        previous = nca_kind.review_choices(ctx.options).to_dict(orient="records")
        return ctx, choice, {**ctx.options, "review": [*previous, choice]}

    try:
        ctx, choice, options = await run_in_threadpool(choose)

        def audit(session: Session, new: AnalysisRun) -> None:  # in the transaction storing the new run
            append_event(
                session,
                actor_id=actor.user_id,
                actor=actor.username,
                action="nca_review",
                object_type="analysis_run",
                object_id=new.id,
                org_id=ctx.program.org_id,
                program_id=ctx.program.id,
                before={"run": ctx.run.id},
                after={"run": new.id, "choice": choice, "name": _summary(ctx.run.id, choice)},
            )

        new_id = await submit_run(  # the same form sent twice: the run of the first
            request, actor, ctx.dataset.id, nca_kind.NAME, options, audit, token=submission_token(token)
        )
    except HTTPException:
        raise
    except BioparityError as exc:
        return refused(_("Not applied: %(problem)s") % {"problem": exc})
    created = _("New run created from run %(run)s with the %(action)s choice.") % {
        "run": run_id[:8],
        "action": nca_kind.review_words(action.strip().lower()),
    }
    query = {"profile": profile, **notice_query(request, message=created)}
    # The new run's page shows its progress, then opens its review.
    then = f"/ui/runs/{new_id}/review?" + urlencode(query)
    return RedirectResponse(f"/ui/runs/{new_id}?" + urlencode({"then": then}), status_code=303)


def _summary(run_id: str, choice: dict[str, Any]) -> str:
    """One line for the audit trail: what was chosen, where, and why (recorded in English, the audit pages
    say it in the reader's words: :data:`~bioparity.analyses.nca.REVIEW_AUDIT_AT`)."""
    where = " ".join(str(v) for k, v in choice.items() if k not in {"time", "action", "reason"})
    said = {"run": run_id[:8], "action": choice["action"], "profile": where, "reason": choice["reason"]}
    if choice["time"] == "":
        return nca_kind.REVIEW_AUDIT_WHOLE.format(**said)
    return nca_kind.REVIEW_AUDIT_AT.format(**said, time=choice["time"])


def _sample_time(text: str) -> bool:
    """Whether ``text`` is a finite number (a sample time to choose)."""
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _time_cell(text: str) -> Any:
    text = text.strip()
    if not text:
        return ""
    try:
        value = float(text)
    except ValueError:
        return text  # refused with row and column by the review checks
    return int(value) if value.is_integer() else value


def choices_json(run: AnalysisRun) -> str:
    """The choices of a run as the JSON file ``bioparity nca --review`` reads."""
    options = json.loads(run.options_json)
    return json.dumps({"choices": nca_kind.review_choices(options).to_dict(orient="records")}, indent=2)


@router.get("/runs/{run_id}/review.json")
def review_file(request: Request, actor: PageActor, run_id: str) -> Response:
    with read_unit(request) as session:
        ctx = run_context(session, actor, run_id)
    return Response(
        choices_json(ctx.run),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="nca-review-{run_id[:8]}.json"'},
    )
