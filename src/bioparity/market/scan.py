"""The market scan: join the knowledge base with the parsed public files and rank the void.

Per molecule and region (``us``, ``eu``) the scan takes, in order of preference:

* approved biosimilars: the Purple Book (licensed 351(k) products naming the molecule as
  reference, one per suffixed proper name) or the EMA report (authorised human medicines flagged
  biosimilar with that INN, one per marketing-authorisation holder) when given, else the knowledge
  base's list (one per entry);
* biosimilar programmes in development: when trial pages are given, the distinct industry sponsors
  of ClinicalTrials.gov studies that name the molecule or one of its originator brands and pass the
  rule of :mod:`bioparity.market.pipeline` (not the originator, phase 1-3, ongoing or completed
  within three years, no approved biosimilar of the sponsor in the region), else the knowledge
  base's list; ``development_source`` names every sponsor counted with its NCT numbers and every
  sponsor left out with the reason;
* end of protection, from three kinds of date kept apart (columns ``patent_expiry_year``,
  ``exclusivity_end_year`` with ``exclusivity_basis``, ``first_launch_year``):

  - the first biosimilar launch, when known: the market is open from then;
  - otherwise the latest of the compound patent expiry (knowledge base) and the regulatory
    exclusivity end. US: the Purple Book's exclusivity expiration date when the Purple Book is
    given (never overridden by another kind of date), else the knowledge base's exclusivity end,
    else first licensure + 12 years (42 U.S.C. 262(k)(7)). EU: first authorisation (knowledge base,
    else the EMA report) + the regulatory data protection rule ``eu_rdp`` (default ``8+2``,
    Directive 2001/83/EC art. 10(1); the +1 year for a new indication is product-specific, and the
    EU pharmaceutical package changes the periods, so the rule is a parameter such as ``8+1+1``).
    From the EMA report the first authorisation is the earliest of the non-biosimilar, non-generic
    medicines of the molecule, any status: a duplicate marketing authorisation (Trudexa for Humira,
    withdrawn) shares the original's global marketing authorisation and its protection
    (:func:`bioparity.market.ema.first_authorisation`); the basis names the medicine, its status and
    date, and the originator's brand when a duplicate came first. The shipped knowledge base has no
    first EU authorisation, so without the EMA report every EU row's data protection end is unknown
    (the command says so).

  ``protection_end_basis`` says which;
* originator sales: the knowledge base, in USD million of the year ``sales_year``, the same value for
  both regions; ``sales_scope`` says what the figure covers (``worldwide``, or one market only, e.g.
  ``us`` for US net sales) and ``sales_source`` where it comes from. The market-size component is scored
  on one scope, :data:`SALES_SCOPE` (worldwide sales), in both regions: a figure of one market is a lower
  bound of the worldwide sales (the component is understated, never overstated, as an unknown is never
  rewarded) and is scored as such, and every such row is flagged in ``sales_scope_flag`` (and by the
  command under the table), never silently mixed with worldwide figures. Aflibercept is the case: the
  knowledge base has Regeneron's US net sales only (Bayer sells Eylea outside the US).

The date of the data travels with the ranking: ``knowledge_base_reviewed`` (column and
``inputs``) is the knowledge base's last review, each count's source column names the date its
source refers to, and the Purple Book count names the download's title line (which gives its month).

Every count is in one unit, :data:`COUNT_UNIT` (a ``count_unit`` column): biosimilar products, one
per developer's molecule, its brands listed together in ``approved_products`` (the Purple Book's
BLAs grouped by suffixed proper name, the EMA report's medicines by marketing-authorisation holder,
the knowledge base's list entries, the trial sponsors).

Every count carries the date its source refers to (``approved_as_of``, ``development_as_of``; read as
:mod:`bioparity.market.freshness` says), and a count more than ``12 * max_fact_age_years`` whole
months before the scan date ``on`` is named in ``stale_facts`` and counts as unknown, whatever its
source (knowledge base, Purple Book, EMA report, trial pages): a stale low count would inflate the
void, and a file the user gave is no more current than a knowledge-base fact of the same date. Every
value records its source column, and the void score (:mod:`bioparity.market.void`) its coverage, so
that a ranking built on unknowns is visible as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from bioparity._results import software_version
from bioparity.errors import InputError
from bioparity.i18n import translations
from bioparity.i18n.notes import note_template
from bioparity.market._dates import period_end, whole_months
from bioparity.market.ema import EmaMedicines, first_authorisation
from bioparity.market.freshness import DataDate, ema_date, purple_book_date, trials_date
from bioparity.market.knowledge import SALES_SCOPES, WORLDWIDE, Fact, KnowledgeBase, ReferenceBiologic
from bioparity.market.pipeline import COMPLETED_WINDOW_YEARS, company_names, pipeline
from bioparity.market.purple_book import ORIGINATOR, PurpleBook
from bioparity.market.trials import TrialSet
from bioparity.market.void import COMPONENTS, VoidWeights, void_scores

REGIONS = ("us", "eu")
US_EXCLUSIVITY_YEARS = 12  # BPCIA reference product exclusivity, 42 U.S.C. 262(k)(7)
EU_PROTECTION_YEARS = 10  # 8 years data + 2 years market protection, Directive 2001/83/EC art. 10(1)
EU_RDP_DEFAULT = "8+2"
MAX_FACT_AGE_YEARS = 1
#: The one scope of sales the market-size component is scored on, for every molecule and region.
SALES_SCOPE = WORLDWIDE
#: Calendar years a scan may be made for (the range of the knowledge base's years, 1980-2060, with room).
AS_OF_YEARS = (1980, 2100)


def parse_rdp(rule: str) -> int:
    """``"8+2"`` -> 10, ``"8+1+1"`` -> 10, ``"8+2+1"`` -> 11: years of EU regulatory protection.

    The first term is the data protection, the others market protection and its extensions; each
    must be a whole number of years >= 0, the first >= 1.
    """
    parts = [p.strip() for p in str(rule).split("+")]
    try:
        years = [int(p) for p in parts]
    except ValueError:
        raise InputError(
            f"EU regulatory data protection rule {rule!r} is not like 8+2 or 8+1+1 (whole years joined by +)"
        ) from None
    if not years or years[0] < 1 or any(y < 0 for y in years) or sum(years) > 20:
        raise InputError(
            f"EU regulatory data protection rule {rule!r}: expected years like 8+2 (total <= 20)"
        )
    return sum(years)


@dataclass(frozen=True)
class VoidRanking:
    """The ranking table (one row per molecule and region, best void first) and its settings.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per molecule and region, sorted by ``void_score`` (descending), then INN and region.
        Columns: ``rank``; ``inn``, ``region``, ``originator_brand``, ``modality``; the end of
        protection ``protection_end_year`` with ``protection_end_basis`` and its ingredients
        ``patent_expiry_year``, ``exclusivity_end_year`` (with ``exclusivity_basis``) and
        ``first_launch_year``; ``approved_biosimilars`` (with ``approved_products``: the products
        counted, brands of one product together) and ``biosimilars_in_development``, with their
        sources (``approved_source``, ``development_source``) and dates (``approved_as_of``,
        ``development_as_of``: ISO date and where it was read, or ``unknown``), ``count_unit`` and
        ``stale_facts`` (the counts older than the scan allows, ``;``-joined, empty when none);
        ``originator_sales_usd_m`` (USD million) and ``sales_year``, with ``sales_scope`` (what the
        figure covers: ``worldwide`` or one market such as ``us``; empty when unknown),
        ``sales_source`` (its basis, source and date), ``sales_scope_flag`` (a figure of another scope
        than the worldwide sales the market size is scored on, which it then understates; empty
        otherwise) and ``sales_stale`` (the age of a sales figure whose year
        ended more than ``12 * max_fact_age_years`` months before the scan date: used, but named; empty
        when fresh or unknown); ``years_to_protection_end``; the components
        ``c_no_competition``, ``c_no_pipeline``, ``c_timing``, ``c_market_size``; ``void_score``,
        ``coverage``, ``unknown_inputs`` (``;``-joined names of the unknown components), ``as_of_year`` and
        ``knowledge_base_reviewed`` (ISO date of the knowledge base's last review: the data date).
        Unknown numbers are NaN.
    regions : tuple of str
        Regions scanned (``us``, ``eu``).
    weights : VoidWeights
        Weights and settings of the void score.
    as_of_year : int
        Year the scan is made for (years to the end of protection count from it).
    inputs : dict of str to str
        Settings and files used: ``eu_rdp``, ``max_fact_age_years``, ``knowledge_base``,
        ``knowledge_base_reviewed`` (ISO date of its last review), ``purple_book`` and
        ``purple_book_title`` (the download's title line, naming its month), ``ema``, ``trials``
        (empty when not given) and ``scan_date`` (ISO date fact ages are measured from).
    software_version : str
        bioparity version that produced the ranking.
    not_ranked : tuple of str, default ()
        Molecules of the given files that are not in the knowledge base and so are not ranked,
        sorted: every molecule of the Purple Book (351(a) proper names and the references of 351(k)
        products) and every INN with an authorised biosimilar in the EMA report.
    """

    table: pd.DataFrame
    regions: tuple[str, ...]
    weights: VoidWeights
    as_of_year: int
    inputs: dict[str, str]
    software_version: str
    not_ranked: tuple[str, ...] = ()

    def eu_undated(self) -> tuple[int, int]:
        """``(undated, eu_rows)``: the EU rows without a first EU authorisation, so without an end of
        regulatory data protection (``exclusivity_end_year`` unknown), and all EU rows (0, 0 when the EU
        was not scanned). The shipped knowledge base holds no first EU authorisation, so every EU row is
        undated unless the EMA report is given."""
        eu = self.table[self.table["region"] == "eu"]
        return int(eu["exclusivity_end_year"].isna().sum()), len(eu)

    def region_view(self, region: str) -> pd.DataFrame:
        """The rows of one region, ranked within it (column ``region_rank``)."""
        if region not in self.regions:
            raise InputError(f"region {region!r} was not scanned; scanned: {', '.join(self.regions)}")
        view = self.table[self.table["region"] == region].copy()
        view.insert(0, "region_rank", np.arange(1, len(view) + 1))
        return view.reset_index(drop=True)


def parse_regions(text: str) -> tuple[str, ...]:
    """``"eu,us"`` -> ``("eu", "us")``; unknown regions are an error.

    Parameters
    ----------
    text : str
        Comma-separated region codes among :data:`REGIONS` (case and blanks ignored, duplicates
        dropped).

    Returns
    -------
    tuple of str
        The regions in the order first given, lower case, ready for
        ``scan_market(regions=...)``.

    Raises
    ------
    InputError
        When a region is unknown or none is given; the message lists the regions
        bioparity scans.

    Examples
    --------
    >>> parse_regions("EU, us, eu")
    ('eu', 'us')
    """
    regions = tuple(dict.fromkeys(r.strip().casefold() for r in text.split(",") if r.strip()))
    bad = [r for r in regions if r not in REGIONS]
    if bad or not regions:
        raise InputError(
            f"unknown region(s) {', '.join(bad) or '(none)'}; expected a comma list of {', '.join(REGIONS)}"
        )
    return regions


def default_scan_date(as_of_year: int, today: date | None = None) -> date:
    """The date fact ages are measured from when none is given: today in the current year, else the last
    day of ``as_of_year`` (a scan "as of 2025" judges the facts as they stood at the end of 2025, so that
    the same arguments give the same ranking on any later day).

    Examples
    --------
    >>> default_scan_date(2025, today=date(2026, 12, 7))
    datetime.date(2025, 12, 31)
    >>> default_scan_date(2026, today=date(2026, 12, 7))
    datetime.date(2026, 12, 7)
    """
    today = today or date.today()
    return today if as_of_year == today.year else date(as_of_year, 12, 31)


def scan_market(
    kb: KnowledgeBase,
    *,
    regions: Sequence[str] = REGIONS,
    purple_book: PurpleBook | None = None,
    ema: EmaMedicines | None = None,
    trials: TrialSet | None = None,
    weights: VoidWeights | None = None,
    as_of_year: int,
    eu_rdp: str = EU_RDP_DEFAULT,
    max_fact_age_years: int = MAX_FACT_AGE_YEARS,
    on: date | None = None,
    completed_window_years: int = COMPLETED_WINDOW_YEARS,
) -> VoidRanking:
    """Rank every knowledge-base molecule in every region by void score (ties: INN, then region).

    ``eu_rdp`` is the EU regulatory data protection rule (``"8+2"``, ``"8+1+1"``, ...);
    ``max_fact_age_years`` the age beyond which a count (knowledge base or file) is treated as unknown.
    The order of preference of the sources is given in the module docstring.

    Parameters
    ----------
    kb : KnowledgeBase
        The curated knowledge base (:func:`load_knowledge_base`); one row per record and region.
    regions : sequence of str, default ("us", "eu")
        Regions to scan, among :data:`REGIONS`.
    purple_book : PurpleBook or None, default None
        FDA Purple Book (:func:`read_purple_book`); when given it supplies the US approved
        biosimilars and the US exclusivity dates.
    ema : EmaMedicines or None, default None
        EMA medicines report (:func:`read_ema_medicines`); when given it supplies the EU approved
        biosimilars and, failing the knowledge base, the first EU authorisation.
    trials : TrialSet or None, default None
        Saved ClinicalTrials.gov pages (:func:`read_trials`); when given, the programmes in
        development are the sponsors the rule of :mod:`bioparity.market.pipeline` keeps.
    weights : VoidWeights or None, default None
        Weights and settings of the void score; ``None`` uses ``VoidWeights()``.
    as_of_year : int
        Calendar year the scan is made for (required, keyword only), e.g. 2026.
    eu_rdp : str, default "8+2"
        EU regulatory data protection rule in years, data protection first (Directive 2001/83/EC,
        art. 10(1)): ``"8+2"`` = 10 years, ``"8+1+1"`` = 10, ``"8+2+1"`` = 11 (total <= 20).
    max_fact_age_years : int, default 1
        A count dated more than ``12 * max_fact_age_years`` whole months before ``on`` is stale:
        named in ``stale_facts`` and unknown, from any source (>= 0).
    on : datetime.date or None, default None
        Date the scan is made on (default: :func:`default_scan_date` of ``as_of_year``): fact ages
        are measured from it, and a completed trial counts as a programme in development for
        :data:`~bioparity.market.pipeline.COMPLETED_WINDOW_YEARS` years after its completion date
        (:mod:`bioparity.market.pipeline`).
    completed_window_years : int, default 3
        Years after its completion date a completed study still counts as a programme in
        development (:data:`~bioparity.market.pipeline.COMPLETED_WINDOW_YEARS`, whose docstring gives
        the review times it rests on); 0 counts ongoing studies only (>= 0).

    Returns
    -------
    VoidRanking
        The ranking table with its settings and inputs.

    Raises
    ------
    InputError
        For an unknown region, a malformed ``eu_rdp``, a negative ``max_fact_age_years`` or an
        ``as_of_year`` outside :data:`AS_OF_YEARS` (e.g. ``26`` for 2026).

    Examples
    --------
    >>> from bioparity.market import load_knowledge_base
    >>> ranking = scan_market(load_knowledge_base(), regions=["eu"], as_of_year=2026)
    >>> ranking.regions, bool(ranking.table["void_score"].is_monotonic_decreasing)
    (('eu',), True)
    """
    w = weights or VoidWeights()
    regions = tuple(regions)
    parse_regions(",".join(regions))
    if not AS_OF_YEARS[0] <= as_of_year <= AS_OF_YEARS[1]:
        raise InputError(
            f"as_of_year {as_of_year} is not a calendar year between {AS_OF_YEARS[0]} and {AS_OF_YEARS[1]} "
            "(write the full year, e.g. 2026)"
        )
    scan_date = on or default_scan_date(as_of_year)
    settings = _Settings(
        as_of_year, parse_rdp(eu_rdp), eu_rdp, max_fact_age_years, scan_date, completed_window_years
    )
    if max_fact_age_years < 0:
        raise InputError(f"max_fact_age_years must be >= 0, got {max_fact_age_years}")
    if completed_window_years < 0:
        raise InputError(f"completed_window_years must be >= 0, got {completed_window_years}")
    sources = _Sources(purple_book, ema, trials)
    rows = [_row(rec, region, sources, settings) for rec in kb.records for region in regions]
    table = pd.DataFrame(rows)
    years = table["protection_end_year"].astype(float) - as_of_year
    scores = void_scores(
        table["approved_biosimilars"].astype(float),
        table["biosimilars_in_development"].astype(float),
        years,
        table["originator_sales_usd_m"].astype(float),
        w,
    )
    table["years_to_protection_end"] = years
    for name in COMPONENTS:
        table[f"c_{name}"] = getattr(scores, name)
    table["void_score"] = scores.score
    table["coverage"] = scores.coverage
    table["unknown_inputs"] = [
        ";".join(c for c in COMPONENTS if np.isnan(getattr(scores, c)[i])) for i in range(len(table))
    ]
    table["as_of_year"] = as_of_year
    table["knowledge_base_reviewed"] = kb.reviewed
    table = table.sort_values(["void_score", "inn", "region"], ascending=[False, True, True], kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    inputs = {
        "eu_rdp": eu_rdp,
        "max_fact_age_years": str(max_fact_age_years),
        "knowledge_base": kb.path,
        "knowledge_base_reviewed": kb.reviewed,
        "purple_book": purple_book.file if purple_book else "",
        "purple_book_title": purple_book.title if purple_book else "",
        "ema": ema.file if ema else "",
        "trials": trials.source if trials else "",
        "scan_date": settings.on.isoformat(),
        "completed_window_years": str(completed_window_years),
    }
    return VoidRanking(
        table.reset_index(drop=True),
        regions,
        w,
        as_of_year,
        inputs,
        software_version(),
        _not_ranked(kb, sources),
    )


def _not_ranked(kb: KnowledgeBase, sources: _Sources) -> tuple[str, ...]:
    """Molecules the files name that the knowledge base lacks: the scan ranks only its records."""
    found: set[str] = set()
    if sources.purple_book is not None:
        found.update(sources.purple_book.rows["molecule"])
    if sources.ema is not None:
        found.update(_ema_biosimilars(sources.ema)["inn"])
    known = {name for rec in kb.records for name in rec.names}
    return tuple(sorted(m for m in found - known if m))


@dataclass(frozen=True)
class _Sources:
    """The optional regulatory and trial registers a scan reads besides the knowledge base."""

    purple_book: PurpleBook | None
    ema: EmaMedicines | None
    trials: TrialSet | None


@dataclass(frozen=True)
class _Settings:
    as_of_year: int
    eu_rdp_years: int
    eu_rdp: str
    max_fact_age_years: int
    on: date
    completed_window_years: int = COMPLETED_WINDOW_YEARS

    @property
    def max_age_months(self) -> int:
        """Whole months after which a count is stale (12 per year of ``max_fact_age_years``)."""
        return 12 * self.max_fact_age_years

    def stale_months(self, day: date | None) -> int | None:
        """The age in whole months of data dated ``day`` when it is stale on the scan date, else None."""
        if day is None:
            return None
        months = whole_months(day, self.on)
        return months if months > self.max_age_months else None


def _row(rec: ReferenceBiologic, region: str, sources: _Sources, settings: _Settings) -> dict[str, Any]:
    dates = _protection(rec, region, sources, settings)
    approved = _approved(rec, region, sources, settings)
    developing = _in_development(rec, region, sources, settings)
    sales = rec.value("originator_sales")
    return {
        "inn": rec.inn,
        "region": region,
        "originator_brand": rec.value("originator_brand"),
        "modality": rec.value("modality"),
        **dates,
        "approved_biosimilars": approved.value,
        "approved_products": approved.products,
        "approved_source": approved.source,
        "approved_as_of": approved.as_of.text(),
        "biosimilars_in_development": developing.value,
        "development_source": developing.source,
        "development_as_of": developing.as_of.text(),
        "count_unit": COUNT_UNIT,
        "stale_facts": "; ".join(
            template.format(as_of=count.as_of.day.isoformat(), months=months)
            for template, count in ((STALE_APPROVED, approved), (STALE_DEVELOPMENT, developing))
            if count.as_of.day is not None and (months := settings.stale_months(count.as_of.day)) is not None
        ),
        "originator_sales_usd_m": None if sales is None else float(sales["usd_million"]),
        "sales_year": None if sales is None else int(sales["year"]),
        "sales_scope": "" if sales is None else str(sales["scope"]),
        "sales_source": _provenance(rec.facts["originator_sales"]) if sales is not None else UNKNOWN,
        "sales_scope_flag": _sales_scope_flag(sales),
        "sales_stale": _sales_stale(sales, settings),
    }


def _sales_scope_flag(sales: Any) -> str:
    """Why a sales figure of one market is flagged ('' for a worldwide or an unknown figure)."""
    if sales is None or sales["scope"] == SALES_SCOPE:
        return ""
    return SALES_SCOPE_FLAG.format(market=SALES_SCOPES[str(sales["scope"])])


def _sales_stale(sales: Any, settings: _Settings) -> str:
    """The age of an annual sales figure, measured from the end of its year, when it is older than the
    scan allows ('' otherwise): a figure from before biosimilar entry overstates the market that is left."""
    if sales is None:
        return ""
    months = settings.stale_months(date(int(sales["year"]), 12, 31))
    return "" if months is None else STALE_SALES.format(year=int(sales["year"]), months=months)


#: The provenance words of the ranking's protection and count columns (note templates: the CSV stores them
#: in English, the workspace's market page prints them in the reader's words; the facts' own basis texts
#: and source ids are data, kept as they are).
UNKNOWN = note_template("unknown")
KNOWLEDGE_BASE = note_template("knowledge base [{source}, as of {as_of}]")
STALE = note_template("stale: knowledge base [{source}] as of {as_of}")
STALE_FILE = note_template("stale: {source}")
STALE_APPROVED = note_template("approved biosimilars as of {as_of}: {months:d} months old")
STALE_DEVELOPMENT = note_template("programmes in development as of {as_of}: {months:d} months old")
STALE_SALES = note_template("originator sales of {year:d}: {months:d} months old at the scan date")
#: A sales figure of one market (``market``: ``US``, ``EU``, ``ex-US``) in a ranking scored on worldwide
#: sales.
SALES_SCOPE_FLAG = note_template(
    "{market} sales only: scored as a lower bound of the worldwide sales the market size is scored on"
)
#: The unit of the approved and in-development counts, whatever their source (a column of the ranking).
COUNT_UNIT = note_template(
    "biosimilar products: one per developer's molecule (brands of one product, e.g. its Prolia and Xgeva "
    "biosimilars, count once and are listed together)"
)
FIRST_LAUNCH = note_template("first biosimilar launch: {basis}")
PATENT_EXPIRY = note_template("patent expiry: {basis}")
#: Put before the later of the two with ``"; "``.
LATEST_OF = note_template("latest of patent expiry and regulatory exclusivity")
#: Where an exclusivity end comes from (US: the Purple Book, else the knowledge base, else the first
#: licensure plus the BPCIA minimum; EU: the first authorisation plus the data protection rule).
PURPLE_BOOK_EXCLUSIVITY = note_template("Purple Book exclusivity expiration date")
KNOWLEDGE_BASE_EXCLUSIVITY = note_template("knowledge base exclusivity end: {basis}")
PURPLE_BOOK_LICENSURE = note_template("Purple Book first licensure + {years} years (regulatory minimum)")
EU_AUTHORISATION = note_template("first EU authorisation + {rdp} regulatory data protection: {basis}")
#: The medicine :func:`~bioparity.market.ema.first_authorisation` chose, its status and date: the reader
#: sees which row dated the protection.
EMA_AUTHORISATION = note_template(
    "EMA first authorisation: {medicine} ({status}, {day}) + {rdp} regulatory data protection "
    "(patents/SPC may run longer)"
)
#: Added to :data:`EMA_AUTHORISATION` after ``"; "`` when a duplicate came before the originator's brand.
EMA_DUPLICATE = note_template(
    "{medicine} is earlier than {brand}: a duplicate marketing authorisation shares the original's global "
    "marketing authorisation and its protection (Directive 2001/83/EC, art. 6(1))"
)


def basis_in_words(basis: str, language: str) -> str:
    """A knowledge-base fact's own basis text (English, data: ``US patent expiration``) in ``language``
    through the catalogue, which holds the basis of every year fact of the shipped knowledge base
    (:func:`bioparity.market.extraction.extract_basis_texts`); a basis it does not hold (another knowledge
    base's) as written.

    Examples
    --------
    >>> basis_in_words("US patent expiration", "zh-CN"), basis_in_words("a later basis", "zh-CN")
    ('美国专利到期', 'a later basis')
    """
    return translations(language).gettext(basis)


#: ``basis [source id, as of date]``: what a known fact covers, where it comes from and when (the basis
#: in the reader's words on the market page, :func:`basis_in_words`; the ranking CSV keeps it as written).
FACT = note_template("{basis} [{source}, as of {as_of}]", shown={"basis": basis_in_words})


def _provenance(fact: Fact) -> str:
    """``basis [source id, as of date]``: what a known fact covers, where it comes from and when."""
    return FACT.format(basis=fact.basis, source=fact.source, as_of=fact.as_of).strip()


def _kb_year(rec: ReferenceBiologic, name: str) -> tuple[float | None, str]:
    fact = rec.facts[name]
    if not fact.known:
        return None, ""
    return float(fact.value), _provenance(fact)


def _exclusivity(
    rec: ReferenceBiologic, region: str, sources: _Sources, settings: _Settings
) -> tuple[float | None, str]:
    purple_book, ema = sources.purple_book, sources.ema
    if region == "us":
        own = None
        if purple_book is not None:
            rows = purple_book.rows
            own = rows[(rows["license_type"] == ORIGINATOR) & rows["molecule"].isin(rec.names)]
            exclusivity = own["exclusivity_expiration_date"].dropna()
            if not exclusivity.empty:
                return float(exclusivity.max().year), PURPLE_BOOK_EXCLUSIVITY
        year, basis = _kb_year(rec, "us_exclusivity_end")
        if year is not None:
            return year, KNOWLEDGE_BASE_EXCLUSIVITY.format(basis=basis)
        if own is not None:
            first = own["first_licensure_date"].dropna()
            if first.empty:
                first = own["approval_date"].dropna()
            if not first.empty:
                return (
                    float(first.min().year + US_EXCLUSIVITY_YEARS),
                    PURPLE_BOOK_LICENSURE.format(years=US_EXCLUSIVITY_YEARS),
                )
        return None, ""
    year, basis = _kb_year(rec, "eu_authorisation_year")
    if year is not None:
        return year + settings.eu_rdp_years, EU_AUTHORISATION.format(rdp=settings.eu_rdp, basis=basis)
    if ema is not None:
        original = first_authorisation(ema, rec.names, brands(rec))
        if original is not None:
            said = EMA_AUTHORISATION.format(
                medicine=original.medicine,
                status=original.status,
                day=original.day.isoformat(),
                rdp=settings.eu_rdp,
            )
            if original.brand is not None:
                said += "; " + EMA_DUPLICATE.format(medicine=original.medicine, brand=original.brand)
            return float(original.day.year + settings.eu_rdp_years), said
    return None, ""


def _protection(
    rec: ReferenceBiologic, region: str, sources: _Sources, settings: _Settings
) -> dict[str, Any]:
    patent, patent_basis = _kb_year(rec, f"{region}_patent_expiry")
    exclusivity, exclusivity_basis = _exclusivity(rec, region, sources, settings)
    launch, launch_basis = _kb_year(rec, f"{region}_first_biosimilar_launch")
    if launch is not None:
        end, basis = launch, FIRST_LAUNCH.format(basis=launch_basis)
    else:
        known = [
            (y, b)
            for y, b in ((patent, PATENT_EXPIRY.format(basis=patent_basis)), (exclusivity, exclusivity_basis))
            if y is not None
        ]
        if known:
            end, basis = max(known, key=lambda item: item[0])
            if len(known) == 2:
                basis = f"{LATEST_OF}; {basis}"
        else:
            end, basis = None, UNKNOWN
    return {
        "protection_end_year": end,
        "protection_end_basis": basis,
        "patent_expiry_year": patent,
        "exclusivity_end_year": exclusivity,
        "exclusivity_basis": exclusivity_basis or UNKNOWN,
        "first_launch_year": launch,
    }


@dataclass(frozen=True)
class _Count:
    """One count of the ranking: its value (None = unknown), the products counted (brands of one
    product together), where it comes from and the date its source refers to."""

    value: float | None
    source: str
    as_of: DataDate
    products: str = ""


def _fresh_count(rec: ReferenceBiologic, name: str, settings: _Settings) -> _Count:
    """A knowledge-base count: one product per list entry (``Jubbonti/Wyost`` is one product, two
    brands); unknown when older than the scan allows (an unknown is preferred to a stale number)."""
    fact = rec.facts[name]
    if not fact.known:
        return _Count(None, UNKNOWN, DataDate(None, ""))
    as_of = DataDate(period_end(fact.as_of), "knowledge base as_of")
    assert as_of.day is not None
    products = "; ".join(fact.value)
    if settings.stale_months(as_of.day) is not None:
        return _Count(None, STALE.format(source=fact.source, as_of=fact.as_of), as_of, products)
    return _Count(
        float(len(fact.value)), KNOWLEDGE_BASE.format(source=fact.source, as_of=fact.as_of), as_of, products
    )


def _aged(count: _Count, settings: _Settings) -> _Count:
    """A count read from a file, unknown when its date is older than the scan allows: the same rule as
    for a knowledge-base count (:func:`_fresh_count`), so a stale file never scores as current."""
    if settings.stale_months(count.as_of.day) is None:
        return count
    return replace(count, value=None, source=STALE_FILE.format(source=count.source))


def _grouped(hits: pd.DataFrame, key: pd.Series, brand: str) -> _Count:
    """Products = distinct keys; each listed as ``key: brand, brand``."""
    groups = hits.assign(_key=key).groupby("_key", sort=True)
    listing = "; ".join(
        f"{group['_label'].iloc[0]}: {', '.join(sorted(dict.fromkeys(group[brand])))}" for _k, group in groups
    )
    return _Count(float(key.nunique()), "", DataDate(None, ""), listing)


def _approved(rec: ReferenceBiologic, region: str, sources: _Sources, settings: _Settings) -> _Count:
    """Approved biosimilars in the region, one per product (:data:`COUNT_UNIT`).

    Purple Book: licensed 351(k) BLAs grouped by their proper name, whose four-letter suffix FDA gives
    one product (Jubbonti and Wyost are both denosumab-bbdz; FDA guidance "Nonproprietary Naming of
    Biological Products", January 2017); a proper name without suffix is one product per BLA.
    EMA report: authorised biosimilars grouped by marketing-authorisation holder (EMA names no
    product; duplicate marketing authorisations of one product have one holder, e.g. Hyrimoz and
    Hefiya of Sandoz), so one product licensed to two companies counts twice.
    """
    purple_book, ema = sources.purple_book, sources.ema
    if region == "us" and purple_book is not None:
        hits = _purple_book_biosimilars(purple_book, rec)
        proper = hits["proper_name"].str.casefold().str.strip()
        suffixed = proper.str.fullmatch(r".+-[a-z]{4}")
        label = proper.where(suffixed, proper + " BLA " + hits["bla_number"])
        count = _grouped(hits.assign(_label=label), label, "proprietary_name")
        title = f" [{purple_book.title}]" if purple_book.title else ""
        return _aged(
            replace(count, source=f"Purple Book{title}", as_of=purple_book_date(purple_book)), settings
        )
    if region == "eu" and ema is not None:
        biosimilars = _ema_biosimilars(ema)
        hits = biosimilars[biosimilars["inn"].isin(rec.names)]
        holder = hits["holder"].str.split().str.join(" ")
        label = holder.where(holder.ne(""), hits["medicine_name"])
        count = _grouped(hits.assign(_label=label), label.str.casefold(), "medicine_name")
        return _aged(replace(count, source="EMA medicines report", as_of=ema_date(ema)), settings)
    return _fresh_count(rec, f"{region}_biosimilars_approved", settings)


def _purple_book_biosimilars(purple_book: PurpleBook, rec: ReferenceBiologic) -> pd.DataFrame:
    """The licensed 351(k) rows of the Purple Book naming the molecule as reference."""
    rows = purple_book.rows
    licensed = rows["licensure"].eq("") | rows["licensure"].str.casefold().eq("licensed")
    return rows[(rows["license_type"] != ORIGINATOR) & licensed & rows["molecule"].isin(rec.names)]


def _ema_biosimilars(ema: EmaMedicines) -> pd.DataFrame:
    """The authorised human biosimilars of the EMA report."""
    rows = ema.rows
    human = rows["category"].str.casefold() == "human"
    return rows[human & (rows["status"].str.casefold() == "authorised") & rows["biosimilar"]]


def _originators(rec: ReferenceBiologic, sources: _Sources) -> list[str]:
    """Holders of the reference product: the knowledge base's company, the Purple Book 351(a)
    applicant and the EMA holder of the reference medicine (when those files are given)."""
    names = company_names(str(rec.value("originator_company") or ""))
    if sources.purple_book is not None:
        rows = sources.purple_book.rows
        names += list(
            rows[(rows["license_type"] == ORIGINATOR) & rows["molecule"].isin(rec.names)]["applicant"]
        )
    if sources.ema is not None:
        rows = sources.ema.rows
        reference = rows[
            (rows["category"].str.casefold() == "human") & ~rows["biosimilar"] & rows["inn"].isin(rec.names)
        ]
        names += list(reference["holder"])
    return sorted({n for n in names if n})


def _holders(rec: ReferenceBiologic, region: str, sources: _Sources) -> list[str] | None:
    """Holders of approved biosimilars of the molecule in the region; None when no file names them."""
    if region == "us" and sources.purple_book is not None:
        return sorted(set(_purple_book_biosimilars(sources.purple_book, rec)["applicant"]) - {""})
    if region == "eu" and sources.ema is not None:
        biosimilars = _ema_biosimilars(sources.ema)
        return sorted(set(biosimilars[biosimilars["inn"].isin(rec.names)]["holder"]) - {""})
    return None


def brands(rec: ReferenceBiologic) -> list[str]:
    """The originator's brands: ``Prolia/Xgeva`` is two brands, Prolia and Xgeva."""
    return [b.strip() for b in str(rec.value("originator_brand") or "").split("/") if b.strip()]


def _in_development(rec: ReferenceBiologic, region: str, sources: _Sources, settings: _Settings) -> _Count:
    if sources.trials is not None:
        found = pipeline(
            sources.trials,
            [*rec.names, *brands(rec)],
            originators=_originators(rec, sources),
            holders=_holders(rec, region, sources),
            today=settings.on,
            completed_window_years=settings.completed_window_years,
        )
        count = _Count(
            float(found.count),
            found.describe(sources.trials.source),
            trials_date(sources.trials),
            "; ".join(found.counted),
        )
        return _aged(count, settings)
    return _fresh_count(rec, "biosimilars_in_development", settings)
