"""The date each input of a market scan refers to, and which facts are older than the scan allows.

A count is only as current as its source: an approval list of June 2025 misses the approvals of the
18 months after it. Every count of a ranking therefore carries the date its source refers to
(``approved_as_of``, ``development_as_of``), read from the data itself where the file writes one:

* knowledge base: the fact's ``as_of`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``);
* FDA Purple Book: the month of the download's title line
  (``Purple Book Monthly Historical Data Changes Report - June 2025``);
* EMA medicines report: a date written above the header (e.g. ``Generated on 01/06/2025``);
* ClinicalTrials.gov pages: the latest ``lastUpdatePostDateStruct`` of the studies read (the pages
  were saved on or after it);

and otherwise the file's modification date, which the basis then names. A period is read as its
last day (``2025`` as 2025-12-31, ``2025-06`` as 2025-06-30), so the age given is the least age the
text allows. A count more than ``max_age_months`` whole months before the scan date is *stale*: the
ranking's ``stale_facts`` column names it with its date and age, the command prints how many rows
have one, and a stale count is treated as unknown whatever its source, knowledge base or user file
(an unknown is preferred to a stale number).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bioparity.market._dates import parse_date, period_end
from bioparity.market.ema import EmaMedicines
from bioparity.market.purple_book import PurpleBook
from bioparity.market.trials import TrialSet, study_date

_MONTH_YEAR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{4})\b",
    re.IGNORECASE,
)
_DAY_DATE = re.compile(r"\b(\d{2}/\d{2}/\d{4}|\d{4}-\d{2}-\d{2})\b")


@dataclass(frozen=True)
class DataDate:
    """The date a source's data refers to, and where that date was read.

    Attributes
    ----------
    day : datetime.date or None
        Latest date the data can refer to; None when nothing tells.
    basis : str
        Where the date was read (e.g. ``"title line month"``, ``"file modified"``).
    """

    day: date | None
    basis: str

    def text(self) -> str:
        """``2025-06-30 (title line month)``, or ``unknown``."""
        return f"{self.day.isoformat()} ({self.basis})" if self.day else "unknown"


def file_date(path: str | os.PathLike[str]) -> DataDate:
    """The modification date of a file, or of the newest ``*.json`` below a folder."""
    root = Path(path)
    files = sorted(p for p in root.rglob("*.json") if p.is_file()) if root.is_dir() else [root]
    stamps = [p.stat().st_mtime for p in files if p.exists()]
    if not stamps:
        return DataDate(None, "no file date")
    return DataDate(date.fromtimestamp(max(stamps)), "file modified")


def purple_book_date(purple_book: PurpleBook) -> DataDate:
    """The month of the Purple Book's title line (its last day), else the file's date."""
    found = _MONTH_YEAR.search(purple_book.title)
    if found:
        month = parse_date(f"{found.group(1).title()} 1, {found.group(2)}")
        assert month is not None  # a month name and year always parse
        return DataDate(period_end(month.isoformat()[:7]), "title line month")
    return file_date(purple_book.file)


def ema_date(ema: EmaMedicines) -> DataDate:
    """A date written above the EMA report's header, else the file's date."""
    for text in ema.preamble:
        found = _DAY_DATE.search(text)
        if found:
            day = parse_date(found.group(1))
            if day is not None:
                return DataDate(day, "date above the header")
    return file_date(ema.file)


def trials_date(trials: TrialSet) -> DataDate:
    """The latest record update of the studies read, else the pages' file date."""
    updates = [d for _i, study in trials.studies.iterrows() if (d := study_date(study, "last_update"))]
    if updates:
        return DataDate(max(updates), "latest record update in the pages")
    return file_date(trials.source)
