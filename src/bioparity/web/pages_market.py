"""Market scan: the biosimilar-void ranking of the shipped knowledge base, and a program from a row.

The page runs the same :func:`~bioparity.market.scan_market` as ``bioparity market scan`` on the
knowledge base shipped with the package (no Purple Book, EMA or trial files: those are given to the
command line), so the order on the page is the order of the command's ranking CSV. A molecule row's
"Create program" button posts the INN and region only; the program's INN, reference product
(originator brand), modality and target region are read from the knowledge base on the server and the
program is created through :func:`bioparity.workspace.programs.create_program` (audited, permission
checked: a viewer is refused).
"""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from bioparity.api.deps import unit_of_work
from bioparity.errors import InputError
from bioparity.i18n import current_language, gettext_noop
from bioparity.i18n import gettext as _
from bioparity.market import COMPONENTS, REGIONS, KnowledgeBase, VoidRanking, load_knowledge_base, scan_market
from bioparity.market.scan import AS_OF_YEARS, COUNT_UNIT
from bioparity.memo import Memo
from bioparity.web.csrf import csrf_field
from bioparity.web.forms import FormText
from bioparity.web.notices import Notice
from bioparity.web.session import PageActor, read_unit
from bioparity.web.templating import TEMPLATES, render
from bioparity.workspace import accounts, programs
from bioparity.workspace.roles import GRANTS, Permission, Role

router = APIRouter()

#: Facts shown on a row of a region, whose sources the row cites.
ROW_FACTS = ("originator_brand", "modality", "{region}_loe_year", "{region}_biosimilars_approved",
             "biosimilars_in_development", "originator_sales")  # fmt: skip
COMPONENT_LABELS = {
    "no_competition": gettext_noop("No competition"),
    "no_pipeline": gettext_noop("No pipeline"),
    "timing": gettext_noop("Timing"),
    "market_size": gettext_noop("Market size"),
}


@lru_cache(maxsize=1)
def shipped_knowledge_base() -> KnowledgeBase:
    """The knowledge base shipped with the package (validated once per process)."""
    return load_knowledge_base()


def _regions(region: str) -> tuple[str, ...]:
    key = region.strip().casefold()
    if not key:
        return REGIONS
    if key not in REGIONS:
        raise InputError(
            _("unknown region %(region)r; expected one of %(regions)s")
            % {"region": region, "regions": ", ".join(r.upper() for r in REGIONS)}
        )
    return (key,)


def _year(as_of: int | None) -> int:
    year = as_of if as_of is not None else date.today().year
    if not AS_OF_YEARS[0] <= year <= AS_OF_YEARS[1]:
        raise InputError(
            _("as_of must be a year between %(low)d and %(high)d, got %(year)d")
            % {"low": AS_OF_YEARS[0], "high": AS_OF_YEARS[1], "year": year}
        )
    return year


#: Rankings of the shipped knowledge base by regions, year and day (a fact's age is measured from today in
#: the current year, :func:`~bioparity.market.scan.default_scan_date`): the same on every view of the day.
_RANKINGS = Memo(16)


def rank(region: str = "", as_of: int | None = None) -> VoidRanking:
    """The ranking the page shows: what ``market scan --region <region> --as-of <year>`` computes."""
    regions, year = _regions(region), _year(as_of)
    key = (regions, year, date.today())
    ranking: VoidRanking = _RANKINGS.get(
        key, lambda: scan_market(shipped_knowledge_base(), regions=regions, as_of_year=year)
    )
    return ranking


def _num(value: Any) -> float | None:
    number = float(value) if value is not None else math.nan
    return None if math.isnan(number) else number


def _sources(kb: KnowledgeBase, inn: str, region: str) -> list[dict[str, str]]:
    record = next(r for r in kb.records if r.inn == inn)
    ids = dict.fromkeys(
        fact.source
        for name in ROW_FACTS
        if (fact := record.facts[name.format(region=region)]).known and fact.source
    )
    return [
        {"url": kb.sources[sid]["url"], "citation": kb.citation(sid).rsplit(" ", 1)[0]}
        for sid in ids
        if sid in kb.sources
    ]


def ranking_rows(ranking: VoidRanking, kb: KnowledgeBase) -> list[dict[str, Any]]:
    """One view row per molecule and region, in ranking order."""
    rows = []
    for rec in ranking.table.to_dict("records"):
        rows.append(
            {
                "rank": int(rec["rank"]),
                "inn": rec["inn"],
                "region": rec["region"],
                "brand": rec["originator_brand"],
                "modality": rec["modality"],
                "protection_end": _num(rec["protection_end_year"]),
                "protection_basis": rec["protection_end_basis"],
                "approved": _num(rec["approved_biosimilars"]),
                "approved_source": rec["approved_source"],
                "approved_products": rec["approved_products"],
                "developing": _num(rec["biosimilars_in_development"]),
                "developing_source": rec["development_source"],
                "stale": rec["stale_facts"],
                "components": [_num(rec[f"c_{c}"]) for c in COMPONENTS],
                # a sales figure of one market under the market size (scored on worldwide sales)
                "component_flags": [
                    rec["sales_scope_flag"] if c == "market_size" else "" for c in COMPONENTS
                ],
                "score": float(rec["void_score"]),
                "coverage": float(rec["coverage"]),
                "sources": _sources(kb, rec["inn"], rec["region"]),
            }
        )
    return rows


#: The rows of the ranking table as HTML (``market_rows.html``, 160 rows: 60 ms of CPU a view to render), by
#: ranking (regions, year, scan date), language and the organisation the rows' forms create programs in; the
#: forms' CSRF field (the session's) stands as :data:`_CSRF_MARK` and is put in on each view.
_ROWS_HTML = Memo(32)
_CSRF_MARK = "<!--csrf-field-->"  # no text of the knowledge base can make it: the rows' values are escaped


def ranking_html(request: Request, ranking: VoidRanking, kb: KnowledgeBase, chosen: Any) -> Markup:
    """The ranking table's rows of the market page, the form of each row with the session's token."""

    def draw() -> str:
        template = TEMPLATES.get_template("market_rows.html")
        return template.render(
            rows=ranking_rows(ranking, kb),
            chosen=chosen,
            as_of=ranking.as_of_year,
            csrf_field=lambda: Markup(_CSRF_MARK),
        )

    key = (
        ranking.regions,
        ranking.as_of_year,
        ranking.inputs["scan_date"],  # the day fact ages are measured from
        current_language(),
        chosen and (chosen.id, chosen.name),
    )
    html: str = _ROWS_HTML.get(key, draw)
    return Markup(html.replace(_CSRF_MARK, csrf_field(request)))


@router.get("/market")
def market(
    request: Request,
    actor: PageActor,
    message: Notice,
    region: str = "",
    as_of: int | None = None,
    org_id: str = "",
) -> Response:
    kb = shipped_knowledge_base()
    ranking = rank(region, as_of)
    with read_unit(request) as session:  # the page's one unit (the menu reads through it too)
        orgs = accounts.my_organisations(session, actor)
        creatable = [o for o, role in orgs if Permission.create_program in GRANTS[Role(role)]]
        chosen = next((o for o in creatable if o.id == org_id), creatable[0] if creatable else None)
        return render(
            request,
            "market.html",
            rows_html=ranking_html(request, ranking, kb, chosen),
            region=region.strip().casefold(),
            regions=REGIONS,
            as_of=ranking.as_of_year,
            weights=ranking.weights,
            components=[_(COMPONENT_LABELS[c]) for c in COMPONENTS],
            component_weights=[getattr(ranking.weights, c) for c in COMPONENTS],
            creatable=creatable,
            chosen=chosen,
            kb_records=len(kb.records),
            kb_reviewed=kb.reviewed or _("unknown"),
            count_unit=COUNT_UNIT,
            max_age_months=12 * int(ranking.inputs["max_fact_age_years"]),
            eu_undated=ranking.eu_undated(),  # the page reads no EMA report
            message=message,
            crumbs=[(_("Market scan"), None)],
        )


@router.post("/market/programs")
def program_from_row(
    request: Request,
    actor: PageActor,
    org_id: FormText,
    inn: FormText,
    region: FormText,
    as_of: Annotated[int | None, Form()] = None,
) -> Response:
    kb = shipped_knowledge_base()
    record = next((r for r in kb.records if r.inn == inn.strip().casefold()), None)
    if record is None:
        raise InputError(_("%(inn)r is not a molecule of the knowledge base") % {"inn": inn})
    key = region.strip().casefold()
    if key not in REGIONS:
        raise InputError(
            _("region must be one of %(regions)s, got %(region)r")
            % {"regions": ", ".join(r.upper() for r in REGIONS), "region": region}
        )
    view = rank(key, as_of).region_view(key)
    row = view[view["inn"] == record.inn].iloc[0]
    code = key.upper()
    with unit_of_work(request) as session:
        program = programs.create_program(
            session,
            actor,
            org_id,
            name=f"{record.inn} biosimilar ({code})",
            inn=record.inn,
            reference_product=str(record.value("originator_brand")),
            modality=str(record.value("modality")),
            target_regions=[code],
            description=(
                "Created from the market scan of the shipped knowledge base "
                f"(last reviewed {kb.reviewed or 'unknown'}; timing measured from {int(row['as_of_year'])}): "
                f"rank {int(row['region_rank'])} in {code}, void score {float(row['void_score']):.3f}, "
                f"coverage {float(row['coverage']):.2f}."
            ),
        )
    return RedirectResponse(f"/ui/programs/{program.id}", status_code=303)
