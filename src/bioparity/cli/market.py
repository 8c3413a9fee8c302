"""``bioparity market scan`` and ``bioparity market fetch-trials``.

Contract:

* ``market scan [--purple-book PB.csv] [--ema MEDICINES.xlsx] [--trials DIR] --region eu,us
  --out ranking.csv [--chart void.png] [--weights no_competition=0.4,...] [--as-of 2026]
  [--on 2026-06-30] [--completed-window 3]`` writes the
  ranking (one row per molecule and region, columns ``rank,inn,region,...,void_score,coverage``),
  ``ranking.csv.provenance.json`` (input hashes, options, software) and optionally the timeline PNG;
  it prints the top rows. A bad input fails before anything is written, exit code 2.
* ``market fetch-trials INN --out DIR`` saves the ClinicalTrials.gov pages of one molecule; offline
  it fails with exit code 2 and a message saying how to proceed.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from bioparity import __version__
from bioparity.cli.common import check_outputs, user_errors, wrote_rows
from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop, ngettext
from bioparity.io import atomic_write_text, write_frame_atomic
from bioparity.io.readers import require_utf8_text
from bioparity.market import (
    VoidRanking,
    VoidWeights,
    fetch_trials,
    load_knowledge_base,
    parse_regions,
    read_ema_medicines,
    read_purple_book,
    read_trials,
    scan_market,
    timeline_chart,
)
from bioparity.market.knowledge import SALES_SCOPES
from bioparity.market.pipeline import COMPLETED_WINDOW_YEARS
from bioparity.strict_json import dumps_strict

app = typer.Typer()
market_app = typer.Typer(
    name="market",
    help=gettext_noop(
        "Market scan: biologics losing protection and the biosimilar void (Purple Book, EMA, CT.gov)."
    ),
    no_args_is_help=True,
)
app.add_typer(market_app, name="market")


def _sha256(path: Path) -> str:
    if path.is_dir():
        digest = hashlib.sha256()
        for file in sorted(p for p in path.rglob("*.json") if p.is_file()):
            digest.update(file.relative_to(path).as_posix().encode() + b"\0" + file.read_bytes())
        return digest.hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


PurpleBook = Annotated[
    Path | None, typer.Option("--purple-book", help=gettext_noop("FDA Purple Book monthly CSV download."))
]
Trials = Annotated[
    Path | None, typer.Option(help=gettext_noop("Folder (or file) of saved ClinicalTrials.gov API v2 pages."))
]
Weights = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "Weights, e.g. 'no_competition=0.35,no_pipeline=0.25,timing=0.25,market_size=0.15'."
        )
    ),
]
AsOf = Annotated[
    int | None,
    typer.Option("--as-of", help=gettext_noop("Year the timing is measured from (default: this year).")),
]
EuRdp = Annotated[
    str,
    typer.Option(
        "--eu-rdp",
        help=gettext_noop(
            "EU regulatory data protection rule in years, e.g. 8+2 (Directive 2001/83/EC) or 8+1+1."
        ),
    ),
]
On = Annotated[
    str | None,
    typer.Option(
        "--on",
        help=gettext_noop(
            "Date the scan is made for (YYYY-MM-DD), e.g. to repeat a past scan: fact ages and the "
            "completed-trial window are measured from it (default: today, or 31 December of --as-of)."
        ),
    ),
]
CompletedWindow = Annotated[
    int,
    typer.Option(
        "--completed-window",
        help=gettext_noop(
            "Years after its completion date a completed trial still counts as in development "
            "(filing and review; 0: ongoing trials only)."
        ),
    ),
]
MaxFactAge = Annotated[
    int,
    typer.Option(
        "--max-fact-age",
        help=gettext_noop(
            "Years after which a count (knowledge base or file) is treated as unknown (stale)."
        ),
    ),
]


@market_app.command("scan", help=gettext_noop("Rank reference biologics by biosimilar void, per region."))
def scan_command(
    out: Annotated[
        Path, typer.Option(help=gettext_noop("Ranking CSV to write (one row per molecule and region)."))
    ],
    region: Annotated[str, typer.Option(help=gettext_noop("Comma list of regions: us, eu."))] = "eu,us",
    purple_book: PurpleBook = None,
    ema: Annotated[Path | None, typer.Option(help=gettext_noop("EMA medicines report (.xlsx)."))] = None,
    trials: Trials = None,
    chart: Annotated[Path | None, typer.Option(help=gettext_noop("Timeline chart PNG to write."))] = None,
    weights: Weights = "",
    as_of: AsOf = None,
    kb: Annotated[
        Path | None, typer.Option(help=gettext_noop("Knowledge base YAML (default: the one shipped)."))
    ] = None,
    top: Annotated[int, typer.Option(help=gettext_noop("Rows to print and molecules to chart."))] = 15,
    eu_rdp: EuRdp = "8+2",
    max_fact_age: MaxFactAge = 1,
    on: On = None,
    completed_window: CompletedWindow = COMPLETED_WINDOW_YEARS,
) -> None:
    with user_errors():
        check_outputs(("--out", out), ("--chart", chart))  # the chart is written last: fail before OUT
        regions = parse_regions(region)
        w = VoidWeights.parse(weights)
        day, year = scan_day(on, as_of)
        if kb is not None and kb.is_file():
            require_utf8_text(kb)  # Latin-1 or binary bytes: the line, not a UnicodeDecodeError
        knowledge = load_knowledge_base(kb)
        ranking = scan_market(
            knowledge, regions=regions, purple_book=read_purple_book(purple_book) if purple_book else None,
            ema=read_ema_medicines(ema) if ema else None, trials=read_trials(trials) if trials else None,
            weights=w, as_of_year=year, eu_rdp=eu_rdp, max_fact_age_years=max_fact_age, on=day,
            completed_window_years=completed_window,
        )  # fmt: skip
        write_frame_atomic(ranking.table, out)
        inputs = {
            "knowledge_base": Path(knowledge.path),
            "purple_book": purple_book,
            "ema": ema,
            "trials": trials,
        }
        options = {
            "regions": list(regions), "weights": w.__dict__, "as_of_year": year, "eu_rdp": eu_rdp,
            "max_fact_age_years": max_fact_age, "on": on, "completed_window_years": completed_window,
        }  # fmt: skip
        data_dates = {k: ranking.inputs[k] for k in ("knowledge_base_reviewed", "purple_book_title")}
        data_dates["scan_date"] = ranking.inputs["scan_date"]
        _write_provenance(out, inputs, options, {**data_dates, "not_ranked": list(ranking.not_ranked)})
        if chart is not None:
            timeline_chart(ranking, chart, top=top)
        _print_top(ranking.table, top)
        _print_data_dates(ranking.inputs, year)
        _print_unit_and_stale(ranking.table, max_fact_age)
        _print_sales_scope(ranking.table)
        _print_low_coverage(ranking.table)
        _print_eu_timing(ranking, with_ema=ema is not None)
        _print_not_ranked(ranking.not_ranked)
        typer.echo(wrote_rows(len(ranking.table), out), err=True)


def scan_day(on: str | None, as_of: int | None) -> tuple[date | None, int]:
    """The scan date (None: the default of :func:`~bioparity.market.scan.default_scan_date`) and the
    year timing is measured from: ``--as-of``, else the year of ``--on``, else this year.

    >>> scan_day("2025-06-30", None)
    (datetime.date(2025, 6, 30), 2025)
    """
    if on is None:
        return None, as_of if as_of is not None else date.today().year
    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise InputError(f"--on {on!r} is not a date (write YYYY-MM-DD, e.g. 2025-06-30)") from None
    if as_of is not None and as_of != day.year:
        raise InputError(f"--on {on} is in {day.year} but --as-of is {as_of}: give one, or the same year")
    return day, day.year


def _write_provenance(
    out: Path, inputs: dict[str, Path | None], options: dict[str, Any], data: dict[str, Any]
) -> None:
    """``OUT.provenance.json``: each input (file, or folder of saved pages) with its SHA-256, the
    options, the dates of the data (knowledge-base review, Purple Book title line) and the molecules
    of the files that were not ranked (not in the knowledge base)."""
    if not out.is_file():  # no sidecar next to a device such as /dev/stdout
        return
    provenance = {
        "output": str(out),
        "inputs": {
            name: {"path": str(p), "sha256": _sha256(p)} for name, p in inputs.items() if p is not None
        },
        "options": options,
        "data": data,
        "software": f"bioparity {__version__}",
    }
    atomic_write_text(out.with_name(out.name + ".provenance.json"), dumps_strict(provenance, indent=2) + "\n")


_SHOWN = ("rank", "inn", "region", "protection_end_year", "approved_biosimilars",
          "biosimilars_in_development", "void_score", "coverage")  # fmt: skip


def _print_top(table: pd.DataFrame, top: int) -> None:
    view = Table(title=_("Biosimilar void ranking"))
    for column in _SHOWN:
        view.add_column(column)
    for _index, row in table.head(top).iterrows():
        view.add_row(*[_cell(row[c]) for c in _SHOWN])
    Console(stderr=True).print(view)


def _print_data_dates(inputs: dict[str, str], year: int) -> None:
    """The date of the data under the table: a ranking without it reads as current."""
    said = _(
        "Data: knowledge base last reviewed %(reviewed)s (each count's own date is in the columns "
        "approved_as_of and development_as_of); timing measured from %(year)d."
    ) % {"reviewed": inputs["knowledge_base_reviewed"] or _("unknown"), "year": year}
    typer.echo(said, err=True)
    said = _(
        "Scan date: %(day)s (fact ages and the %(years)s-year window of completed trials are measured "
        "from it)."
    )
    typer.echo(said % {"day": inputs["scan_date"], "years": inputs["completed_window_years"]}, err=True)
    if inputs["purple_book_title"]:
        typer.echo(_("Purple Book: %(title)s") % {"title": inputs["purple_book_title"]}, err=True)


def _print_unit_and_stale(table: pd.DataFrame, max_fact_age: int) -> None:
    """The unit of the counts, and how many rows rest on a count older than the threshold (never silent)."""
    from bioparity.i18n.notes import note_text

    typer.echo(_("Counts: %(unit)s.") % {"unit": note_text(table["count_unit"].iloc[0])}, err=True)
    stale = int(table["stale_facts"].ne("").sum())
    if stale:
        said = ngettext(
            "warning: %(n)d row uses a count older than %(months)d months (column stale_facts): %(first)s",
            "warning: %(n)d rows use a count older than %(months)d months (column stale_facts); "
            "first: %(first)s",
            stale,
        )
        first = table[table["stale_facts"].ne("")].iloc[0]
        where = f"{first['inn']} ({str(first['region']).upper()}): {note_text(first['stale_facts'])}"
        typer.echo(said % {"n": stale, "months": 12 * max_fact_age, "first": where}, err=True)
    old_sales = sorted(set(table.loc[table["sales_stale"].ne(""), "inn"]))
    if old_sales:
        said = ngettext(
            "warning: %(n)d molecule is scored on a sales figure older than %(months)d months (column "
            "sales_stale): %(names)s",
            "warning: %(n)d molecules are scored on a sales figure older than %(months)d months (column "
            "sales_stale): %(names)s",
            len(old_sales),
        )
        names = ", ".join(old_sales)
        typer.echo(said % {"n": len(old_sales), "months": 12 * max_fact_age, "names": names}, err=True)


def _print_sales_scope(table: pd.DataFrame) -> None:
    """The molecules whose market size rests on one market's sales: the ranking is scored on worldwide
    sales, and a figure of one market understates it (never mixed silently)."""
    flagged = table[table["sales_scope_flag"].ne("")].drop_duplicates("inn").sort_values("inn")
    if flagged.empty:
        return
    said = ngettext(
        "warning: %(n)d molecule's market size is scored on one market's sales, a lower bound of the "
        "worldwide sales the others are scored on (column sales_scope_flag): %(names)s",
        "warning: %(n)d molecules' market sizes are scored on one market's sales, a lower bound of the "
        "worldwide sales the others are scored on (column sales_scope_flag): %(names)s",
        len(flagged),
    )
    names = ", ".join(
        f"{inn} ({SALES_SCOPES[str(scope)]})"
        for inn, scope in zip(flagged["inn"], flagged["sales_scope"], strict=True)
    )
    typer.echo(said % {"n": len(flagged), "names": names}, err=True)


def _print_eu_timing(ranking: VoidRanking, *, with_ema: bool) -> None:
    """How many EU rows have no first EU authorisation, so no end of data protection: the shipped knowledge
    base has none (dates are never guessed), so without the EMA report EU timing rests on patent and launch
    dates only; with it, the molecules the report does not date (not authorised centrally) are counted."""
    undated, total = ranking.eu_undated()
    if not undated:
        return
    if with_ema:
        said = _(
            "EU: %(n)d of %(total)d molecules have no first authorisation in the EMA medicines report (not "
            "authorised centrally, or under another INN): their regulatory data protection end is unknown"
        )
        typer.echo(said % {"n": undated, "total": total}, err=True)
        return
    said = _(
        "EU timing needs --ema FILE: the first EU authorisation, from which the regulatory data "
        "protection runs, is unknown for %(n)d of %(total)d molecules (the knowledge base does not hold "
        "it), so their EU protection end rests on patent and biosimilar launch dates only and %(none)d "
        "have none at all; give --ema with the EMA medicines report (the Excel file of EMA's medicines "
        "data) to date it"
    )
    eu = ranking.table[ranking.table["region"] == "eu"]
    none = int(eu["protection_end_year"].isna().sum())
    typer.echo(said % {"n": undated, "total": total, "none": none}, err=True)


#: Coverage below which a row's score rests mostly on unknown inputs (scored 0).
LOW_COVERAGE = 0.5


def _print_low_coverage(table: pd.DataFrame) -> None:
    """How many rows rest mostly on unknowns: their order says little about the void."""
    low = int((table["coverage"] < LOW_COVERAGE).sum())
    if low:
        said = ngettext(
            "%(n)d of %(total)d rows has coverage below %(cut)s (most of its inputs unknown, scored 0): "
            "its rank is not evidence of a void",
            "%(n)d of %(total)d rows have coverage below %(cut)s (most of their inputs unknown, scored 0): "
            "their ranks are not evidence of a void",
            low,
        )
        typer.echo(said % {"n": low, "total": len(table), "cut": LOW_COVERAGE}, err=True)


def _print_not_ranked(names: tuple[str, ...], shown: int = 10) -> None:
    """The molecules of the files that the knowledge base lacks: the ranking is not the whole file."""
    if not names:
        return
    listed = ", ".join(names[:shown]) + (", ..." if len(names) > shown else "")
    said = ngettext(
        "%(n)d molecule of the given files is not in the knowledge base and is not ranked: %(names)s",
        "%(n)d molecules of the given files are not in the knowledge base and are not ranked: %(names)s "
        "(all in OUT.provenance.json)",
        len(names),
    )
    typer.echo(said % {"n": len(names), "names": listed}, err=True)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value != value:
            return _("unknown")
        return str(int(value)) if value.is_integer() else f"{value:.3f}"
    return str(value)


@market_app.command(
    "fetch-trials",
    help=gettext_noop("Save ClinicalTrials.gov API v2 pages for one molecule (needs a network)."),
)
def fetch_trials_command(
    inn: Annotated[str, typer.Argument(metavar="INN", help=gettext_noop("INN to search, e.g. ustekinumab."))],
    out: Annotated[Path, typer.Option(help=gettext_noop("Folder for the saved response pages."))],
    term: Annotated[str, typer.Option(help=gettext_noop("Extra search term."))] = "biosimilar",
) -> None:
    with user_errors():
        saved = fetch_trials(inn, out, term=term)
        said = ngettext("saved %(n)d page to %(path)s", "saved %(n)d pages to %(path)s", len(saved))
        typer.echo(said % {"n": len(saved), "path": out}, err=True)
