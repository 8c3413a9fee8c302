"""The market scan: join the knowledge base with the parsed public files and rank the void.

Per molecule and region (``us``, ``eu``) the scan takes, in order of preference:

* approved biosimilars: the Purple Book (distinct licensed 351(k) BLAs naming the molecule as
  reference) or the EMA report (authorised human medicines flagged biosimilar with that INN) when
  given, else the knowledge base's list;
* biosimilar programmes in development: distinct lead sponsors of ongoing ClinicalTrials.gov
  studies (statuses in :data:`~bioparity.market.trials.ACTIVE_STATUSES`) whose title or
  interventions name the molecule or its originator brand, when trial pages are given, else the
  knowledge base's list (the registry is global, so both regions get the same count);
* end of protection: the knowledge base's LOE year; failing that, the regulatory minimum read from
  the files (US: the Purple Book's exclusivity expiry, or first licensure + 12 years; EU: first
  authorisation of a non-biosimilar + 10 years, the 8+2 rule). ``protection_end_basis`` says which;
* originator sales: the knowledge base (global sales, same for both regions).

Every value records its source column, and the void score (:mod:`bioparity.market.void`) its
coverage, so that a ranking built on unknowns is visible as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bioparity._results import software_version
from bioparity.errors import InputError
from bioparity.market.ema import EmaMedicines
from bioparity.market.knowledge import KnowledgeBase, ReferenceBiologic
from bioparity.market.purple_book import ORIGINATOR, PurpleBook
from bioparity.market.trials import ACTIVE_STATUSES, TrialSet
from bioparity.market.void import COMPONENTS, VoidWeights, void_scores

REGIONS = ("us", "eu")
US_EXCLUSIVITY_YEARS = 12  # BPCIA reference product exclusivity, 42 U.S.C. 262(k)(7)
EU_PROTECTION_YEARS = 10  # 8 years data + 2 years market protection, Directive 2001/83/EC art. 10(1)


@dataclass(frozen=True)
class VoidRanking:
    """The ranking table (one row per molecule and region, best void first) and its settings."""

    table: pd.DataFrame
    regions: tuple[str, ...]
    weights: VoidWeights
    as_of_year: int
    inputs: dict[str, str]
    software_version: str

    def region_view(self, region: str) -> pd.DataFrame:
        """The rows of one region, ranked within it (column ``region_rank``)."""
        if region not in self.regions:
            raise InputError(f"region {region!r} was not scanned; scanned: {', '.join(self.regions)}")
        view = self.table[self.table["region"] == region].copy()
        view.insert(0, "region_rank", np.arange(1, len(view) + 1))
        return view.reset_index(drop=True)


def parse_regions(text: str) -> tuple[str, ...]:
    """``"eu,us"`` -> ``("eu", "us")``; unknown regions are an error."""
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
) -> VoidRanking:
    """Rank every knowledge-base molecule in every region by void score (ties: INN, then region)."""
    w = weights or VoidWeights()
    regions = tuple(regions)
    parse_regions(",".join(regions))
    rows = [
        _row(rec, region, purple_book, ema, trials, as_of_year) for rec in kb.records for region in regions
    ]
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
    table = table.sort_values(["void_score", "inn", "region"], ascending=[False, True, True], kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    inputs = {
        "knowledge_base": kb.path,
        "purple_book": purple_book.file if purple_book else "",
        "ema": ema.file if ema else "",
        "trials": trials.source if trials else "",
    }
    return VoidRanking(table.reset_index(drop=True), regions, w, as_of_year, inputs, software_version())


def _row(
    rec: ReferenceBiologic,
    region: str,
    purple_book: PurpleBook | None,
    ema: EmaMedicines | None,
    trials: TrialSet | None,
    as_of_year: int,
) -> dict[str, Any]:
    end, end_basis = _protection_end(rec, region, purple_book, ema)
    approved, approved_source = _approved(rec, region, purple_book, ema)
    developing, developing_source = _in_development(rec, trials)
    sales = rec.value("originator_sales")
    return {
        "inn": rec.inn,
        "region": region,
        "originator_brand": rec.value("originator_brand"),
        "modality": rec.value("modality"),
        "protection_end_year": end,
        "protection_end_basis": end_basis,
        "approved_biosimilars": approved,
        "approved_source": approved_source,
        "biosimilars_in_development": developing,
        "development_source": developing_source,
        "originator_sales_usd_m": None if sales is None else float(sales["usd_million"]),
        "sales_year": None if sales is None else int(sales["year"]),
    }


def _protection_end(
    rec: ReferenceBiologic, region: str, purple_book: PurpleBook | None, ema: EmaMedicines | None
) -> tuple[float | None, str]:
    fact = rec.facts[f"{region}_loe_year"]
    if fact.known:
        return float(fact.value), f"knowledge base: {fact.basis} [{fact.source}]"
    if region == "us" and purple_book is not None:
        own = purple_book.rows[
            (purple_book.rows["license_type"] == ORIGINATOR) & purple_book.rows["molecule"].isin(rec.names)
        ]
        exclusivity = own["exclusivity_expiration_date"].dropna()
        if not exclusivity.empty:
            return float(exclusivity.max().year), "Purple Book exclusivity expiration date"
        first = own["first_licensure_date"].dropna()
        if first.empty:
            first = own["approval_date"].dropna()
        if not first.empty:
            return (
                float(first.min().year + US_EXCLUSIVITY_YEARS),
                f"Purple Book first licensure + {US_EXCLUSIVITY_YEARS} years "
                "(regulatory minimum; patents may run longer)",
            )
    if region == "eu" and ema is not None:
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
                float(first.min().year + EU_PROTECTION_YEARS),
                f"EMA first authorisation + {EU_PROTECTION_YEARS} years "
                "(8+2 regulatory minimum; patents/SPC may run longer)",
            )
    return None, "unknown"


def _approved(
    rec: ReferenceBiologic, region: str, purple_book: PurpleBook | None, ema: EmaMedicines | None
) -> tuple[float | None, str]:
    if region == "us" and purple_book is not None:
        rows = purple_book.rows
        licensed = rows["licensure"].eq("") | rows["licensure"].str.casefold().eq("licensed")
        hits = rows[(rows["license_type"] != ORIGINATOR) & licensed & rows["molecule"].isin(rec.names)]
        return float(hits["bla_number"].nunique()), "Purple Book"
    if region == "eu" and ema is not None:
        rows = ema.rows
        hits = rows[
            (rows["category"].str.casefold() == "human")
            & (rows["status"].str.casefold() == "authorised")
            & rows["biosimilar"]
            & rows["inn"].isin(rec.names)
        ]
        return float(hits["medicine_name"].str.casefold().nunique()), "EMA medicines report"
    fact = rec.facts[f"{region}_biosimilars_approved"]
    if fact.known:
        return float(len(fact.value)), f"knowledge base [{fact.source}]"
    return None, "unknown"


def _in_development(rec: ReferenceBiologic, trials: TrialSet | None) -> tuple[float | None, str]:
    if trials is not None:
        brand = rec.value("originator_brand")
        hits = trials.mentioning([*rec.names, *([brand] if brand else [])])
        ongoing = hits[hits["status"].isin(ACTIVE_STATUSES)]
        sponsors = ongoing["sponsor"].str.casefold().str.strip()
        return float(sponsors[sponsors != ""].nunique()), "ClinicalTrials.gov (sponsors of ongoing trials)"
    fact = rec.facts["biosimilars_in_development"]
    if fact.known:
        return float(len(fact.value)), f"knowledge base [{fact.source}]"
    return None, "unknown"
