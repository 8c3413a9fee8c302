"""The curated knowledge base of reference biologics shipped with bioparity.

``data/reference_biologics.yaml`` (schema ``bioparity-market-kb/2``) lists reference (originator)
biologics with, for every fact, the value, the source it was read from (an id in the file's
``sources`` table: title, publisher, URL, date), the date the fact refers to according to that
source (``as_of``: when the source says it was true) and the date it was checked. A fact nobody
could verify has the value ``unknown``: it is never guessed, and an unknown is preferred to a stale
number.

Dates of protection are kept apart because users confuse them: ``{us,eu}_patent_expiry`` (compound
patent, EU including any SPC), ``us_exclusivity_end`` (BPCIA 12-year reference product exclusivity,
as in the Purple Book), ``eu_authorisation_year`` (first EU marketing authorisation of the
originator, from which the regulatory data protection end is computed with the RDP rule given to
the scan) and ``{us,eu}_first_biosimilar_launch``. The loader derives ``us_loe_year`` and
``eu_loe_year`` (first biosimilar launch if known, else the latest known protection date, saying
which in ``basis``) for code written against schema 1. An ``originator_sales`` figure says what it
covers (``scope``: ``worldwide`` or one market, :data:`SALES_SCOPES`), so that the scan never scores a
one-market figure as if it were worldwide without saying so.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from bioparity.errors import DataFileError

UNKNOWN = "unknown"
SCHEMA = "bioparity-market-kb/2"

MODALITIES = frozenset(
    {
        "mAb",
        "antibody fragment",
        "bispecific antibody",
        "ADC",
        "fusion protein",
        "PEGylated protein",
        "enzyme",
        "hormone",
        "cytokine",
        "polyclonal",
        "other protein",
    }
)

#: Fact name -> kind of value ("text", "year", "list", "sales"), as written in the file.
FACTS: Mapping[str, str] = {
    "originator_brand": "text",
    "originator_company": "text",
    "modality": "text",
    "indications": "list",
    "us_patent_expiry": "year",
    "eu_patent_expiry": "year",
    "us_exclusivity_end": "year",
    "eu_authorisation_year": "year",
    "us_first_biosimilar_launch": "year",
    "eu_first_biosimilar_launch": "year",
    "us_biosimilars_approved": "list",
    "eu_biosimilars_approved": "list",
    "biosimilars_in_development": "list",
    "originator_sales": "sales",
}
#: Facts the loader derives from the stored ones (not written in the file).
DERIVED: Mapping[str, str] = {"us_loe_year": "year", "eu_loe_year": "year"}
REQUIRED_KNOWN = ("originator_brand", "modality")
#: What an originator sales figure covers (its ``scope``): worldwide sales, or one market only (the
#: United States, the European Union, the world outside the United States). The scan scores the market
#: size on worldwide sales and flags a figure of one market (:mod:`bioparity.market.scan`).
WORLDWIDE = "worldwide"
SALES_SCOPES: Mapping[str, str] = {WORLDWIDE: "worldwide", "us": "US", "eu": "EU", "ex-us": "ex-US"}
_AS_OF = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Fact:
    """One value with its provenance; ``value`` is :data:`UNKNOWN` when it could not be verified.

    Attributes
    ----------
    value : Any
        The value, of the kind the fact name calls for: text (brand, company, modality), a year
        (``int``, 1980-2060), a list of names, or sales ``{"usd_million": float, "year": int,
        "scope": str}`` (``scope`` one of :data:`SALES_SCOPES`: ``worldwide``, or the one market the
        figure covers, e.g. ``us`` for US net sales); the string ``"unknown"`` when it could not be
        verified.
    source : str or None
        Id of the source in the knowledge base's ``sources`` table; required unless the value is
        unknown.
    checked : datetime.date
        Date the fact was last checked against its source.
    basis : str, default ""
        The event or document a year comes from (required for years), e.g. ``"compound patent"``.
    as_of : str, default ""
        Date the fact refers to according to the source (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``);
        a count dated more than ``12 * max_fact_age_years`` months before the scan date is treated as
        unknown and flagged (:mod:`bioparity.market.freshness`).
    """

    value: Any
    source: str | None
    checked: date
    basis: str = ""
    as_of: str = ""

    @property
    def known(self) -> bool:
        return not (isinstance(self.value, str) and self.value == UNKNOWN)


@dataclass(frozen=True)
class ReferenceBiologic:
    """One reference biologic: its INN, other names it is listed under, and its facts.

    Attributes
    ----------
    inn : str
        International non-proprietary name, lower case with single blanks (e.g. ``"adalimumab"``).
    match_names : tuple of str
        Other lower-case names the molecule is listed under in the registers (e.g. a proper name
        with a suffix, a former INN).
    facts : mapping of str to Fact, default {}
        Fact name -> :class:`Fact`, one for every name in ``FACTS`` (``originator_brand``,
        ``us_patent_expiry``, ``eu_biosimilars_approved``, ``originator_sales``, ...) plus the derived
        ``us_loe_year`` and ``eu_loe_year``.
    """

    inn: str
    match_names: tuple[str, ...]
    facts: Mapping[str, Fact] = field(default_factory=dict)

    def value(self, name: str) -> Any:
        """The value of fact ``name``, or None when it is unknown."""
        fact = self.facts[name]
        return fact.value if fact.known else None

    @property
    def names(self) -> tuple[str, ...]:
        """Lower-case names to match in registers: the INN first, then the other names."""
        return (self.inn, *self.match_names)


@dataclass(frozen=True)
class KnowledgeBase:
    """The curated records and their sources (``sources[id]`` has title, publisher, url, date).

    Attributes
    ----------
    path : str
        Path of the YAML file read.
    records : tuple of ReferenceBiologic
        One record per reference biologic, in file order.
    sources : mapping of str to mapping of str to str
        Source id -> ``{"title", "publisher", "url", "date"}`` (and any other keys of the file).
    reviewed : str, default ""
        ISO date of the file's last review.
    """

    path: str
    records: tuple[ReferenceBiologic, ...]
    sources: Mapping[str, Mapping[str, str]]
    reviewed: str = ""

    def to_frame(self) -> pd.DataFrame:
        """One row per molecule: each fact's value (None if unknown) and its source id."""
        rows = []
        for rec in self.records:
            row: dict[str, Any] = {"inn": rec.inn}
            for name, fact in rec.facts.items():
                kind = FACTS.get(name) or DERIVED[name]
                value = fact.value if fact.known else None
                if kind == "list" and value is not None:
                    value = "; ".join(value)
                if kind == "sales" and value is not None:
                    value = value["usd_million"]
                row[name] = value
                row[f"{name}_source"] = fact.source
                row[f"{name}_as_of"] = fact.as_of or None
            rows.append(row)
        return pd.DataFrame(rows)

    def citation(self, source_id: str) -> str:
        src = self.sources[source_id]
        return f"{src['publisher']}: {src['title']} ({src['date']}) {src['url']}"


def default_path() -> Path:
    """The knowledge base shipped in the package."""
    return Path(str(resources.files("bioparity.market") / "data" / "reference_biologics.yaml"))


def load_knowledge_base(path: str | os.PathLike[str] | None = None) -> KnowledgeBase:
    """Load and validate a knowledge base (the shipped one by default).

    Raises :class:`DataFileError` listing every problem found (a fact without source or check
    date, an unknown source id, a duplicate INN, a value of the wrong kind, ...).

    Parameters
    ----------
    path : str or os.PathLike or None, default None
        YAML file of schema ``bioparity-market-kb/2``; ``None`` reads
        ``bioparity/market/data/reference_biologics.yaml`` shipped with the package.

    Returns
    -------
    KnowledgeBase
        The records with their facts (INNs and names normalised to lower case, ``us_loe_year`` and
        ``eu_loe_year`` derived) and the sources table.

    Raises
    ------
    DataFileError
        When the file cannot be read as YAML, or fails :func:`validate_knowledge_base` (the first 20
        problems are listed with the total).

    Examples
    --------
    >>> kb = load_knowledge_base()
    >>> humira = next(r for r in kb.records if r.inn == "adalimumab")
    >>> humira.value("originator_brand")
    'Humira'
    """
    file = Path(path) if path is not None else default_path()
    label = str(file)
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"cannot be read as YAML: {exc}", file=label) from exc
    problems = validate_knowledge_base(raw)
    if problems:
        shown = "; ".join(problems[:20]) + (f"; ... {len(problems) - 20} more" if len(problems) > 20 else "")
        raise DataFileError(f"{len(problems)} problem(s): {shown}", file=label, expected=f"schema {SCHEMA}")
    records = tuple(
        ReferenceBiologic(
            inn=_norm(r["inn"]),
            match_names=tuple(_norm(n) for n in r.get("match_names", [])),
            facts=_with_derived({name: _fact(r[name]) for name in FACTS}),
        )
        for r in raw["records"]
    )
    return KnowledgeBase(path=label, records=records, sources=raw["sources"], reviewed=str(raw["reviewed"]))


def _with_derived(facts: dict[str, Fact]) -> dict[str, Fact]:
    """Add ``us_loe_year`` / ``eu_loe_year``: the first biosimilar launch when known, else the latest
    known patent or exclusivity date (the EU regulatory data protection is left to the scan, which
    knows the RDP rule in force)."""
    for region in ("us", "eu"):
        launch = facts[f"{region}_first_biosimilar_launch"]
        candidates = [facts[f"{region}_patent_expiry"]]
        if region == "us":
            candidates.append(facts["us_exclusivity_end"])
        known = [f for f in candidates if f.known]
        if launch.known:
            chosen = replace(launch, basis=f"first biosimilar launch: {launch.basis}".rstrip(": "))
        elif known:
            latest = max(known, key=lambda f: int(f.value))
            chosen = replace(latest, basis=f"latest known protection date: {latest.basis}".rstrip(": "))
        else:
            chosen = launch
        facts[f"{region}_loe_year"] = chosen
    return facts


def _norm(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def _fact(raw: Mapping[str, Any]) -> Fact:
    return Fact(
        value=raw["value"],
        source=raw.get("source"),
        checked=_as_date(raw["checked"]),
        basis=str(raw.get("basis", "")),
        as_of=str(raw.get("as_of", "")),
    )


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def validate_knowledge_base(raw: Any) -> list[str]:
    """Every problem of a parsed knowledge-base document against the schema (empty when valid).

    Checks the schema tag, the review date, the sources table (title, publisher, http(s) URL,
    date), and each record: a unique INN, known fields, every fact present with a check date and,
    when known, a source from the table, an ``as_of`` date and a value of the right kind (years need
    a ``basis``); the brand and modality must be known and the modality one of :data:`MODALITIES`.

    Parameters
    ----------
    raw : Any
        The parsed YAML document (normally a mapping with ``schema``, ``reviewed``, ``sources`` and
        ``records``).

    Returns
    -------
    list of str
        One message per problem, naming the record (number and INN) and the fact; empty when the
        document is valid.

    Examples
    --------
    >>> validate_knowledge_base({"schema": "bioparity-market-kb/2", "reviewed": "2026-01-31"})
    ["no 'sources' table"]
    """
    if not isinstance(raw, dict):
        return ["the document is not a mapping"]
    problems: list[str] = []
    if raw.get("schema") != SCHEMA:
        problems.append(f"schema is {raw.get('schema')!r}, expected {SCHEMA!r}")
    try:
        _as_date(raw.get("reviewed"))
    except (TypeError, ValueError):
        problems.append(f"reviewed {raw.get('reviewed')!r} is not the ISO date of the last review")
    sources = raw.get("sources")
    if not isinstance(sources, dict) or not sources:
        return [*problems, "no 'sources' table"]
    for sid, src in sources.items():
        if not isinstance(src, dict):
            problems.append(f"source {sid!r} is not a mapping")
            continue
        for key in ("title", "publisher", "url", "date"):
            if not str(src.get(key, "")).strip():
                problems.append(f"source {sid!r} has no {key}")
        if not re.match(r"https?://", str(src.get("url", ""))):
            problems.append(f"source {sid!r} url is not http(s)")
    records = raw.get("records")
    if not isinstance(records, list) or not records:
        return [*problems, "no 'records' list"]
    seen: dict[str, int] = {}
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict) or not str(rec.get("inn", "")).strip():
            problems.append(f"record {i} has no inn")
            continue
        inn = _norm(rec["inn"])
        where = f"record {i} ({inn})"
        if inn in seen:
            problems.append(f"{where}: duplicate INN (first in record {seen[inn]})")
        seen.setdefault(inn, i)
        extra = set(rec) - set(FACTS) - {"inn", "match_names"}
        if extra:
            problems.append(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
        if not isinstance(rec.get("match_names", []), list):
            problems.append(f"{where}: match_names is not a list")
        for name, kind in FACTS.items():
            problems.extend(f"{where}, {name}: {p}" for p in _fact_problems(rec.get(name), kind, sources))
        for name in REQUIRED_KNOWN:
            fact = rec.get(name)
            if isinstance(fact, dict) and fact.get("value") == UNKNOWN:
                problems.append(f"{where}, {name}: must be known")
        modality = rec.get("modality")
        if isinstance(modality, dict) and modality.get("value") not in MODALITIES:
            problems.append(
                f"{where}, modality: {modality.get('value')!r} is not one of {sorted(MODALITIES)}"
            )
    return problems


def _fact_problems(fact: Any, kind: str, sources: Mapping[str, Any]) -> list[str]:
    if not isinstance(fact, dict):
        return ["missing (write value: unknown with a checked date if it could not be verified)"]
    out: list[str] = []
    extra = set(fact) - {"value", "source", "checked", "basis", "as_of"}
    if extra:
        out.append(f"unknown key(s) {', '.join(sorted(extra))}")
    checked = fact.get("checked")
    try:
        _as_date(checked)
    except (TypeError, ValueError):
        out.append(f"checked date {checked!r} is not an ISO date")
    value = fact.get("value")
    if value == UNKNOWN:
        return out
    source = fact.get("source")
    if not source:
        out.append("has a value but no source")
    elif source not in sources:
        out.append(f"source {source!r} is not in the sources table")
    if not _AS_OF.match(str(fact.get("as_of", ""))):
        out.append(
            f"as_of {fact.get('as_of')!r} is not the date the fact refers to (YYYY, YYYY-MM or YYYY-MM-DD)"
        )
    if kind == "text" and not (isinstance(value, str) and value.strip()):
        out.append(f"value {value!r} is not text")
    elif kind == "year" and not (isinstance(value, int) and 1980 <= value <= 2060):
        out.append(f"value {value!r} is not a year")
    elif kind == "list" and not (isinstance(value, list) and all(isinstance(v, str) and v for v in value)):
        out.append(f"value {value!r} is not a list of names")
    elif kind == "sales" and not (
        isinstance(value, dict)
        and isinstance(value.get("usd_million"), (int, float))
        and value["usd_million"] >= 0
        and isinstance(value.get("year"), int)
        and value.get("scope") in SALES_SCOPES
        and not set(value) - {"usd_million", "year", "scope"}
    ):
        out.append(
            f"value {value!r} is not {{usd_million: number, year: year, scope: {' | '.join(SALES_SCOPES)}}} "
            "(scope: worldwide sales, or the one market the figure covers)"
        )
    if kind == "year" and not str(fact.get("basis", "")).strip():
        out.append("a year needs a basis (the event or document it comes from)")
    return out
