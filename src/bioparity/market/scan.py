"""The market scan: join the knowledge base with the parsed public files and rank the void.

Per molecule and region (``us``, ``eu``) the scan takes, in order of preference:

* approved biosimilars: the Purple Book (distinct licensed 351(k) BLAs naming the molecule as
  reference) or the EMA report (authorised human medicines flagged biosimilar with that INN) when
  given, else the knowledge base's list;
* biosimilar programmes in development: distinct lead sponsors of ongoing ClinicalTrials.gov
  studies (statuses in :data:`~bioparity.market.trials.ACTIVE_STATUSES`) whose title or
  interventions name the molecule or its originator brand, when trial pages are given, else the
  knowledge base's list (the registry is global, so both regions get the same count). Nothing
  tells a biosimilar study from the originator's or an investigator's own study of the molecule
  (the ``biosimilar`` search term of :func:`~bioparity.market.fetch_trials` narrows the pages,
  hand-saved pages may not be narrowed), and a completed study under regulatory review is not
  counted, so ``development_source`` names every sponsor counted with its NCT numbers;
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

  ``protection_end_basis`` says which;
* originator sales: the knowledge base, in USD million of the year ``sales_year``, the same value for
  both regions; ``sales_source`` says what the figure covers (usually global sales, sometimes one
  market only, e.g. US net sales) and where it comes from.

The date of the data travels with the ranking: ``knowledge_base_reviewed`` (column and
``inputs``) is the knowledge base's last review, each count's source column names the date its
source refers to, and the Purple Book count names the download's title line (which gives its month).

A knowledge-base count (approved biosimilars, programmes in development) whose ``as_of`` year is
more than ``max_fact_age_years`` before the as-of year counts as unknown ("stale"): a stale low
count would inflate the void. Every value records its source column, and the void score
(:mod:`bioparity.market.void`) its coverage, so that a ranking built on unknowns is visible as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bioparity._results import software_version
from bioparity.errors import InputError
from bioparity.i18n import translations
from bioparity.i18n.notes import note_template
from bioparity.market.ema import EmaMedicines
from bioparity.market.knowledge import Fact, KnowledgeBase, ReferenceBiologic
from bioparity.market.purple_book import ORIGINATOR, PurpleBook
from bioparity.market.trials import ACTIVE_STATUSES, TrialSet
from bioparity.market.void import COMPONENTS, VoidWeights, void_scores

REGIONS = ("us", "eu")
US_EXCLUSIVITY_YEARS = 12  # BPCIA reference product exclusivity, 42 U.S.C. 262(k)(7)
EU_PROTECTION_YEARS = 10  # 8 years data + 2 years market protection, Directive 2001/83/EC art. 10(1)
EU_RDP_DEFAULT = "8+2"
MAX_FACT_AGE_YEARS = 1
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
        ``first_launch_year``; ``approved_biosimilars`` and ``biosimilars_in_development`` with their
        sources (``approved_source``, ``development_source``); ``originator_sales_usd_m`` (USD
        million) and ``sales_year``, with ``sales_source`` (what the figure covers, its source and date);
        ``years_to_protection_end``; the components ``c_no_competition``,
        ``c_no_pipeline``, ``c_timing``, ``c_market_size``; ``void_score``, ``coverage``,
        ``unknown_inputs`` (``;``-joined names of the unknown components), ``as_of_year`` and
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
        (empty when not given).
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
) -> VoidRanking:
    """Rank every knowledge-base molecule in every region by void score (ties: INN, then region).

    ``eu_rdp`` is the EU regulatory data protection rule (``"8+2"``, ``"8+1+1"``, ...);
    ``max_fact_age_years`` the age beyond which a knowledge-base count is treated as unknown.
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
        development are the distinct lead sponsors of ongoing trials naming the molecule or brand.
    weights : VoidWeights or None, default None
        Weights and settings of the void score; ``None`` uses ``VoidWeights()``.
    as_of_year : int
        Calendar year the scan is made for (required, keyword only), e.g. 2026.
    eu_rdp : str, default "8+2"
        EU regulatory data protection rule in years, data protection first (Directive 2001/83/EC,
        art. 10(1)): ``"8+2"`` = 10 years, ``"8+1+1"`` = 10, ``"8+2+1"`` = 11 (total <= 20).
    max_fact_age_years : int, default 1
        A knowledge-base count whose ``as_of`` year is more than this many years before
        ``as_of_year`` counts as unknown (>= 0).

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
    settings = _Settings(as_of_year, parse_rdp(eu_rdp), eu_rdp, max_fact_age_years)
    if max_fact_age_years < 0:
        raise InputError(f"max_fact_age_years must be >= 0, got {max_fact_age_years}")
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


def _row(rec: ReferenceBiologic, region: str, sources: _Sources, settings: _Settings) -> dict[str, Any]:
    dates = _protection(rec, region, sources, settings)
    approved, approved_source = _approved(rec, region, sources, settings)
    developing, developing_source = _in_development(rec, sources.trials, settings)
    sales = rec.value("originator_sales")
    return {
        "inn": rec.inn,
        "region": region,
        "originator_brand": rec.value("originator_brand"),
        "modality": rec.value("modality"),
        **dates,
        "approved_biosimilars": approved,
        "approved_source": approved_source,
        "biosimilars_in_development": developing,
        "development_source": developing_source,
        "originator_sales_usd_m": None if sales is None else float(sales["usd_million"]),
        "sales_year": None if sales is None else int(sales["year"]),
        "sales_source": _provenance(rec.facts["originator_sales"]) if sales is not None else UNKNOWN,
    }


#: The provenance words of the ranking's protection and count columns (note templates: the CSV stores them
#: in English, the workspace's market page prints them in the reader's words; the facts' own basis texts
#: and source ids are data, kept as they are).
UNKNOWN = note_template("unknown")
KNOWLEDGE_BASE = note_template("knowledge base [{source}, as of {as_of}]")
STALE = note_template("stale: knowledge base [{source}] as of {as_of}")
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
EMA_AUTHORISATION = note_template(
    "EMA first authorisation + {rdp} regulatory data protection (patents/SPC may run longer)"
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
        rows = ema.rows
        own = rows[
            (rows["category"].str.casefold() == "human")
            & ~rows["biosimilar"]
            & ~rows["generic"]
            & rows["inn"].isin(rec.names)
        ]
        first = own["authorisation_date"].dropna()
        if not first.empty:
            return (
                float(first.min().year + settings.eu_rdp_years),
                EMA_AUTHORISATION.format(rdp=settings.eu_rdp),
            )
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


def _fresh_count(rec: ReferenceBiologic, name: str, settings: _Settings) -> tuple[float | None, str]:
    fact = rec.facts[name]
    if not fact.known:
        return None, UNKNOWN
    year = rec.fact_year(name)
    if year is None or settings.as_of_year - year > settings.max_fact_age_years:
        return None, STALE.format(source=fact.source, as_of=fact.as_of or UNKNOWN)
    return float(len(fact.value)), KNOWLEDGE_BASE.format(source=fact.source, as_of=fact.as_of)


def _approved(
    rec: ReferenceBiologic, region: str, sources: _Sources, settings: _Settings
) -> tuple[float | None, str]:
    purple_book, ema = sources.purple_book, sources.ema
    if region == "us" and purple_book is not None:
        rows = purple_book.rows
        licensed = rows["licensure"].eq("") | rows["licensure"].str.casefold().eq("licensed")
        hits = rows[(rows["license_type"] != ORIGINATOR) & licensed & rows["molecule"].isin(rec.names)]
        title = f" [{purple_book.title}]" if purple_book.title else ""
        return float(hits["bla_number"].nunique()), f"Purple Book{title}"
    if region == "eu" and ema is not None:
        biosimilars = _ema_biosimilars(ema)
        hits = biosimilars[biosimilars["inn"].isin(rec.names)]
        return float(hits["medicine_name"].str.casefold().nunique()), "EMA medicines report"
    return _fresh_count(rec, f"{region}_biosimilars_approved", settings)


def _ema_biosimilars(ema: EmaMedicines) -> pd.DataFrame:
    """The authorised human biosimilars of the EMA report."""
    rows = ema.rows
    human = rows["category"].str.casefold() == "human"
    return rows[human & (rows["status"].str.casefold() == "authorised") & rows["biosimilar"]]


def _in_development(
    rec: ReferenceBiologic, trials: TrialSet | None, settings: _Settings
) -> tuple[float | None, str]:
    if trials is not None:
        brand = rec.value("originator_brand")
        hits = trials.mentioning([*rec.names, *([brand] if brand else [])])
        ongoing = hits[hits["status"].isin(ACTIVE_STATUSES) & hits["sponsor"].str.strip().ne("")]
        key = ongoing["sponsor"].str.casefold().str.strip()
        counted = "; ".join(
            f"{group['sponsor'].iloc[0]} ({', '.join(group['nct_id'])})"
            for _key, group in ongoing.groupby(key, sort=True)
        )
        return (
            float(key.nunique()),
            f"ClinicalTrials.gov [{trials.source}] sponsors of ongoing trials naming the molecule or brand "
            f"(the originator's and investigators' own trials included; check): {counted or 'none'}",
        )
    return _fresh_count(rec, "biosimilars_in_development", settings)
