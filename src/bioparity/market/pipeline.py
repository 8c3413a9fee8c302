"""Which ClinicalTrials.gov studies are biosimilar programmes in development, per molecule and region.

The rule reads four data elements of a study record, as ClinicalTrials.gov defines them
(Protocol Registration Data Element Definitions for Interventional and Observational Studies,
https://clinicaltrials.gov/policy/protocol-definitions: "Overall Recruitment Status", "Study Phase",
"Sponsor"; their API v2 fields and value sets in the Study Data Structure,
https://clinicaltrials.gov/data-api/about-api/study-data-structure: ``overallStatus``, ``phases``,
``leadSponsor.name`` and ``leadSponsor.class`` of enum AgencyClass). A study counts for molecule M in
region R when:

1. its brief title or an intervention name names M (INN or other listed name) or one of its
   originator brands (``Prolia/Xgeva`` is the two brands Prolia and Xgeva), as a whole word;
2. its lead sponsor (the organisation or person who initiates the study and has authority and
   control over it: ClinicalTrials.gov glossary, "Sponsor") is of class ``INDUSTRY``: a biosimilar
   programme is a company's. Studies led by a university, hospital, network or government agency
   (``OTHER``, ``NIH``, ``FED``, ``OTHER_GOV``, ``NETWORK``, ``INDIV``, ``AMBIG``, ``UNKNOWN``) are
   investigators' studies of the molecule and are left out; a record without a class (a hand-made
   page) is counted and the listing says so;
3. its lead sponsor is not the reference product holder: not a company named in the knowledge
   base's ``originator_company`` for M, nor the Purple Book applicant of M's 351(a) licence (US) or the
   EMA marketing-authorisation holder of M's reference medicine (EU) when those files are given, nor
   another company of the same group (:data:`ORIGINATOR_GROUPS`: a trial of Roche's molecule led by
   Genentech, or of Johnson & Johnson's led by Janssen or Centocor, is the originator's). Companies
   that only share a name are not one (:func:`same_company`: Merck KGaA is not Merck & Co.), and a
   spun-off company is not its former parent (Sandoz is not Novartis: independent since
   4 October 2023, SIX Swiss Exchange media release of that day,
   https://www.six-group.com/en/newsroom/media-releases/2023/20231004-sandoz-spin-off.html);
4. its phase is early phase 1, 1, 2 or 3 ("Study Phase": phase 4 studies are of approved drugs, "not
   applicable" marks trials without phases such as device or behavioural studies, and observational
   studies have no phase);
5. its overall status is one of :data:`~bioparity.market.trials.ACTIVE_STATUSES` (not yet
   recruiting, recruiting, enrolling by invitation, active not recruiting), or it is ``COMPLETED``
   with a completion date at most ``completed_window_years`` before the scan date: a completed
   comparative study is what a marketing application is filed on, and the product stays "in
   development" until approved (EMA: opinion within 210 days of a valid application, clock stops
   excluded, Regulation (EC) No 726/2004 art. 6(3), then the Commission decision; FDA: BsUFA III goal
   of action within 10 months of the 60-day filing date). Suspended, terminated, withdrawn and unknown
   statuses are not counted; a completed study without a completion date is not counted (and is
   listed);
6. its sponsor has no approved biosimilar of M in R (the Purple Book applicants of licensed 351(k)
   products, the EMA holders of authorised biosimilars): a sponsor with an approved product is
   counted among the approved, not again in development. Without a Purple Book or EMA file (the
   knowledge base lists brands, not holders) this cannot be checked, and the listing says so.

The count is the number of distinct sponsors left (one programme per developer: the unit of the
approved counts, :data:`~bioparity.market.scan.COUNT_UNIT`); the listing names each sponsor with its
NCT numbers, then every sponsor left out and why, so a reader can check the rule's calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from bioparity.i18n.notes import note_template
from bioparity.market._dates import whole_months
from bioparity.market.trials import ACTIVE_STATUSES, TrialSet, study_date

#: Phases of a study that can be a biosimilar programme's (``designModule.phases`` values).
DEVELOPMENT_PHASES = frozenset({"EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3"})
COMPLETED = "COMPLETED"
INDUSTRY = "INDUSTRY"
#: Years a completed study still counts (``market scan --completed-window``). A convention of this tool,
#: not a regulatory number: after the comparative study ends come its report and the filing, then the
#: review (EMA: opinion within 210 days of a valid application, clock stops excluded, Regulation (EC)
#: No 726/2004 art. 6(3), then the Commission decision; FDA: BsUFA III goal of action within 10 months
#: of the 60-day filing date, i.e. 12 months from submission): the review alone takes about a year
#: before clock stops, so the window must be longer than that; how much longer is a judgement, which the
#: option leaves to the user (the scan records the value used).
COMPLETED_WINDOW_YEARS = 3

#: Words of a company name that do not tell companies apart (legal forms, places of the EU/US split).
_GENERIC = frozenset(
    {
        "inc", "incorporated", "ltd", "limited", "llc", "lp", "gmbh", "co", "kg", "ag", "sa", "nv", "bv",
        "plc", "corp", "corporation", "company", "the", "and", "of", "pharma", "pharmaceutical",
        "pharmaceuticals", "international", "us", "usa", "ex", "eu", "europe", "research", "development",
        "unlimited", "holding", "holdings", "group",
    }
)  # fmt: skip


@dataclass(frozen=True)
class CompanyGroup:
    """Companies that are one reference holder for rule 3, with the date and source of the link.

    Attributes
    ----------
    members : tuple of str
        Names of the group as sponsors and holders spell them (each matched with :func:`same_company`).
    joined : str
        When the last member joined the group (ISO date, or year).
    source : str
        Where that is stated (company release or filing).
    """

    members: tuple[str, ...]
    joined: str
    source: str


#: Groups of originator companies (acquisitions completed; each with its source). A trial led by any
#: member of a group that holds the reference product is the originator's, not a biosimilar programme.
ORIGINATOR_GROUPS: tuple[CompanyGroup, ...] = (
    CompanyGroup(
        ("Roche", "Genentech"), "2009-03-26",
        "Roche media release of 26 March 2009: tender offer for Genentech completed (93.2% held), Genentech "
        "to become a wholly-owned member of the Roche Group; SEC, "
        "https://www.sec.gov/Archives/edgar/data/318771/000095010309000639/dp12955_ex-a5lxiii.htm",
    ),
    CompanyGroup(
        ("Johnson & Johnson", "Janssen", "Centocor"), "1961",
        "Janssen Pharmaceutica came under Johnson & Johnson in 1961, and the Janssen segment (home of "
        "the Centocor acquisition) became Johnson & Johnson Innovative Medicine (J&J release of "
        "1 May 2024 as reported by Pharmaceutical Technology, "
        "http://pharmaceutical-technology.com/news/"
        "janssen-adopts-jj-name-as-part-of-global-rebranding-effort/; "
        "Centocor: https://alphastox.com/?p=12374)",
    ),
    CompanyGroup(
        ("Bristol-Myers Squibb", "Celgene"), "2019-11-20",
        "Celgene release of 20 November 2019 (completion of Celgene's acquisition by Bristol-Myers Squibb); "
        "SEC, https://www.sec.gov/Archives/edgar/data/816284/000110465919065939/tm1923405d1_ex99-1.htm",
    ),
    CompanyGroup(
        ("AstraZeneca", "Alexion"), "2021-07-21",
        "AstraZeneca announcement 'Acquisition of Alexion completed', 21 July 2021, Form 6-K; SEC, "
        "https://www.sec.gov/Archives/edgar/data/901832/000165495421008091/a0164g.htm",
    ),
    CompanyGroup(
        ("Sanofi", "Genzyme"), "2011-04-04",
        "sanofi-aventis release of 4 April 2011 (exchange offer for Genzyme completed, control of Genzyme) "
        "as reprinted by World Pharma News, "
        "http://www.worldpharmanews.com/sanofi/"
        "1635-sanofi-aventis-successfully-completes-exchange-offer-for-genzyme-corporation",
    ),
    CompanyGroup(
        ("Pfizer", "Seagen", "Seattle Genetics"), "2023-12-14",
        "Pfizer Form 8-K of 14 December 2023 (acquisition of Seagen completed, Seagen a wholly owned "
        "subsidiary); SEC, https://www.sec.gov/Archives/edgar/data/78003/000119312523294930/d553734d8k.htm",
    ),
)  # fmt: skip

#: Words that mark Merck KGaA (Darmstadt; EMD Serono in the US and Canada), unaffiliated with Merck & Co.
#: (MSD outside the US and Canada) since 1917: Merck KGaA, "The difference between Merck KGaA, Darmstadt,
#: Germany and Merck & Co.", http://www.emdgroup.com/emd/company/the_brand_merck/the_brand_merck.html.
_MERCK_KGAA = frozenset({"kgaa", "darmstadt", "emd", "serono"})


def company_tokens(name: str) -> frozenset[str]:
    """The distinguishing words of a company name: lower case, legal forms and generic words dropped.

    >>> sorted(company_tokens("Samsung Bioepis NL B.V."))
    ['bioepis', 'nl', 'samsung']
    """
    words = re.findall(r"[a-z0-9]+", name.casefold())
    return frozenset(w for w in words if w not in _GENERIC and (len(w) > 1 or w.isdigit()))


def same_company(a: str, b: str) -> bool:
    """Whether two spellings name one company: the distinguishing words of one are all in the other.

    ``Amgen Inc`` and ``Amgen Technology (Ireland) Unlimited Company``, ``Janssen-Cilag International N.V.``
    and ``Janssen Research & Development, LLC`` are the same; ``Samsung Bioepis`` and ``Celltrion`` not.
    """
    ta, tb = company_tokens(a), company_tokens(b)
    if not ta or not tb:
        return False
    if bool(ta & _MERCK_KGAA) != bool(tb & _MERCK_KGAA):  # 'Merck KGaA' is not 'Merck & Co.'
        return False
    return ta <= tb or tb <= ta


def originator_group(originators: Sequence[str]) -> dict[str, tuple[str, str]]:
    """The companies of :data:`ORIGINATOR_GROUPS` that belong with ``originators``: member -> (the
    group's first name, the date the last member joined).

    >>> originator_group(["Janssen Biotech"])["Centocor"]
    ('Johnson & Johnson', '1961')
    >>> originator_group(["Novartis"])
    {}
    """
    out: dict[str, tuple[str, str]] = {}
    for group in ORIGINATOR_GROUPS:
        if any(same_company(o, m) for o in originators for m in group.members):
            for member in group.members:
                if not any(same_company(member, o) for o in originators):
                    out[member] = (group.members[0], group.joined)
    return out


def company_names(text: str) -> list[str]:
    """The companies of a knowledge-base ``originator_company`` text.

    >>> company_names("Regeneron (US) / Bayer (ex-US)")
    ['Regeneron', 'Bayer']
    """
    return [part.strip() for part in re.split(r"[/()]", text) if company_tokens(part)]


@dataclass(frozen=True)
class Pipeline:
    """Programmes in development of one molecule in one region, with the calls made.

    Attributes
    ----------
    count : int
        Distinct sponsors counted.
    counted : tuple of str
        ``Sponsor (NCT..., NCT...)`` per sponsor counted, sorted.
    left_out : tuple of str
        ``Sponsor (NCT...): reason`` per sponsor and reason left out, sorted.
    notes : tuple of str
        Limits of the calls (holders not checked, sponsor class not given).
    """

    count: int
    counted: tuple[str, ...]
    left_out: tuple[str, ...]
    notes: tuple[str, ...]

    def describe(self, source: str) -> str:
        """One line for the ranking's ``development_source`` column (made of the note templates below,
        so that it is shown in the reader's language: :func:`bioparity.i18n.notes.note_text`)."""
        text = DEVELOPMENT.format(source=source, counted="; ".join(self.counted) or "none")
        if self.left_out:
            text = LEFT_OUT.format(listing=text, left="; ".join(self.left_out))
        if self.notes:
            text = NOTED.format(listing=text, notes="; ".join(self.notes))
        return text


DEVELOPMENT = note_template(
    "ClinicalTrials.gov [{source}] industry sponsors of ongoing or recently completed phase 1-3 studies "
    "naming the molecule or brand, not the originator, without an approved product here: {counted}"
)
LEFT_OUT = note_template("{listing}. Left out: {left}", wrapper=True)
NOTED = note_template("{listing}. Note: {notes}", wrapper=True)
NOT_CHECKED = note_template(
    "approvals of the sponsors not checked (no Purple Book or EMA file for this region)"
)
UNCLASSED = note_template("some counted studies give no sponsor class")
#: Why a sponsor's studies are left out: one template per reason, the sponsor and its NCT numbers first.
NO_SPONSOR = note_template("{sponsor} ({ncts}): no lead sponsor")
INVESTIGATOR = note_template("{sponsor} ({ncts}): sponsor class {klass} (investigator study)")
ORIGINATOR = note_template("{sponsor} ({ncts}): originator")
ORIGINATOR_OF_GROUP = note_template("{sponsor} ({ncts}): originator ({group} group since {joined})")
NOT_DEVELOPMENT_PHASE = note_template("{sponsor} ({ncts}): phase {phases}")
NO_COMPLETION_DATE = note_template("{sponsor} ({ncts}): completed, no completion date")
COMPLETED_LONG_AGO = note_template("{sponsor} ({ncts}): completed {completed}, over {years} years ago")
NOT_ACTIVE = note_template("{sponsor} ({ncts}): status {status}")
HAS_APPROVED = note_template("{sponsor} ({ncts}): has an approved biosimilar here")

#: A reason: its template and values besides ``sponsor`` and ``ncts``.
_Reason = tuple[str, tuple[tuple[str, str], ...]]


def _reason(
    study: pd.Series,
    originators: Sequence[str],
    holders: Sequence[str],
    today: date,
    window_years: int,
) -> _Reason | None:
    """Why a study naming the molecule is not a programme in development (None when it is one)."""
    sponsor = str(study["sponsor"])
    if not sponsor:
        return NO_SPONSOR, ()
    klass = str(study["sponsor_class"])
    if klass and klass != INDUSTRY:
        return INVESTIGATOR, (("klass", klass),)
    if any(same_company(sponsor, o) for o in originators):
        return ORIGINATOR, ()
    for member, (group, joined) in originator_group(originators).items():
        if same_company(sponsor, member):
            return ORIGINATOR_OF_GROUP, (("group", group), ("joined", joined))
    phases = set(filter(None, str(study["phases"]).split(";")))
    if not phases & DEVELOPMENT_PHASES:
        return NOT_DEVELOPMENT_PHASE, (("phases", "/".join(sorted(phases)) or "none"),)
    status = str(study["status"])
    if status == COMPLETED:
        completed = study_date(study, "completion_date")
        if completed is None:
            return NO_COMPLETION_DATE, ()
        if whole_months(completed, today) > 12 * window_years:
            return COMPLETED_LONG_AGO, (
                ("completed", str(study["completion_date"])),
                ("years", str(window_years)),
            )
    elif status not in ACTIVE_STATUSES:
        return NOT_ACTIVE, (("status", status or "none"),)
    if any(same_company(sponsor, h) for h in holders):
        return HAS_APPROVED, ()
    return None


def pipeline(
    trials: TrialSet,
    names: Iterable[str],
    *,
    originators: Sequence[str],
    holders: Sequence[str] | None,
    today: date,
    completed_window_years: int = COMPLETED_WINDOW_YEARS,
) -> Pipeline:
    """Apply the rule of the module docstring to the studies naming any of ``names``.

    Parameters
    ----------
    trials : TrialSet
        Saved ClinicalTrials.gov pages (:func:`~bioparity.market.read_trials`).
    names : iterable of str
        INN, other names and originator brands of the molecule (whole-word, case-insensitive).
    originators : sequence of str
        Companies holding the reference product (knowledge base, Purple Book 351(a) applicant, EMA
        holder of the reference medicine).
    holders : sequence of str or None
        Holders of approved biosimilars of the molecule in the region; ``None`` when unknown (no
        Purple Book or EMA file), which the notes then say.
    today : datetime.date
        Date the scan is made on (completed studies are counted for ``completed_window_years``).
    completed_window_years : int, default 3
        Years after its completion date a completed study still counts (filing and review).

    Returns
    -------
    Pipeline
        The count, the sponsors counted and left out, and the notes.
    """
    hits = trials.mentioning(sorted({n for n in names if n}))
    counted: dict[str, list[str]] = {}
    left: dict[tuple[str, _Reason], list[str]] = {}
    labels: dict[str, str] = {}
    unclassed = False
    for _i, study in hits.iterrows():
        reason = _reason(study, originators, holders or (), today, completed_window_years)
        sponsor = str(study["sponsor"]) or "(none)"
        key = " ".join(sponsor.casefold().split())
        labels.setdefault(key, sponsor)
        if reason is not None:
            left.setdefault((key, reason), []).append(str(study["nct_id"]))
        else:
            counted.setdefault(key, []).append(str(study["nct_id"]))
            unclassed = unclassed or not study["sponsor_class"]
    notes = []
    if holders is None:
        notes.append(NOT_CHECKED)
    if unclassed:
        notes.append(UNCLASSED)
    left_out = sorted(
        (k, template.format(sponsor=labels[k], ncts=", ".join(sorted(v)), **dict(values)))
        for (k, (template, values)), v in left.items()
    )
    return Pipeline(
        count=len(counted),
        counted=tuple(f"{labels[k]} ({', '.join(sorted(v))})" for k, v in sorted(counted.items())),
        left_out=tuple(entry for _k, entry in left_out),
        notes=tuple(notes),
    )
