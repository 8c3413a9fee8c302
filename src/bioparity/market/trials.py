"""ClinicalTrials.gov API v2: saved ``/api/v2/studies`` responses, and fetching them when online.

A response page is ``{"studies": [...], "nextPageToken": "..."}``; the last page of a query has no
``nextPageToken``. A folder of saved pages (any ``*.json`` below it) is read as one set of studies,
de-duplicated on the NCT number. :func:`fetch_trials` saves the pages of one query into such a
folder; without a network it fails with :class:`NetworkUnavailableError` and says how to proceed.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from bioparity.errors import BioparityError, BioparityWarning, DataFileError, InputError
from bioparity.market._dates import period_end

API_URL = "https://clinicaltrials.gov/api/v2/studies"

#: Overall statuses of a trial that is still under way (a programme in clinical development).
ACTIVE_STATUSES = frozenset(
    {"NOT_YET_RECRUITING", "RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING"}
)


class NetworkUnavailableError(BioparityError):
    """A live request could not reach its server (no network, DNS failure, timeout, HTTP error)."""


@dataclass(frozen=True)
class TrialSet:
    """Studies read from saved pages: one row per NCT number.

    Columns: ``nct_id``, ``title``, ``status``, ``start_date``, ``completion_date`` and
    ``last_update`` (``statusModule.lastUpdatePostDateStruct``: the date ClinicalTrials.gov last posted
    a change of the record), all text as given (``YYYY-MM`` or ``YYYY-MM-DD``, blank when absent),
    ``sponsor`` and ``sponsor_class`` (``leadSponsor.class``: INDUSTRY, NIH, FED, OTHER, ...),
    ``phases`` (``;``-joined), ``conditions``, ``interventions`` (``;``-joined), ``file``. ``pages``
    is the number of pages read and ``final_pages`` how many of them had no ``nextPageToken``.

    Attributes
    ----------
    source : str
        The file or folder read.
    studies : pandas.DataFrame
        One row per NCT number (the first occurrence kept), sorted by ``nct_id``, with the columns
        above; ``status`` is the upper-case overall status (e.g. ``RECRUITING``).
    pages : int
        Number of response pages read.
    final_pages : int
        Pages without a ``nextPageToken`` (the last page of a query); 0 means pages are missing.
    """

    source: str
    studies: pd.DataFrame
    pages: int
    final_pages: int

    def mentioning(self, names: list[str]) -> pd.DataFrame:
        """Studies whose title or intervention names contain any of ``names`` as a whole word."""
        if not names or self.studies.empty:
            return self.studies.iloc[0:0]
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)
        text = self.studies["title"] + " " + self.studies["interventions"]
        return self.studies[text.map(lambda t: bool(pattern.search(t)))]


_STUDY_COLUMNS = [
    "nct_id",
    "title",
    "status",
    "start_date",
    "completion_date",
    "last_update",
    "sponsor",
    "sponsor_class",
    "phases",
    "conditions",
    "interventions",
    "file",
]


def read_trials(path: str | os.PathLike[str]) -> TrialSet:
    """Read one saved response page or every ``*.json`` page below a folder.

    Raises :class:`DataFileError` for a file that is not a v2 studies response or a study without an
    NCT number. Warns (:class:`BioparityWarning`) when no page is a final page, since the set then
    misses the pages that follow.

    Parameters
    ----------
    path : str or os.PathLike
        A saved ``/api/v2/studies`` JSON response page, or a folder searched recursively for
        ``*.json`` pages (e.g. the folder :func:`fetch_trials` wrote).

    Returns
    -------
    TrialSet
        The studies, de-duplicated on the NCT number, with the page counts.

    Raises
    ------
    DataFileError
        When the path does not exist, a folder holds no ``.json`` page, a page is not valid JSON or
        has no ``studies`` list, or a study has no valid NCT number.

    Warns
    -----
    BioparityWarning
        When every page has a ``nextPageToken`` (the last pages of the query were not saved).
    """
    root = Path(path)
    label = str(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*.json") if p.is_file())
        if not files:
            raise DataFileError(
                "folder has no .json response pages", file=label, expected="saved API v2 pages"
            )
    elif root.is_file():
        files = [root]
    else:
        raise DataFileError("not found", file=label, expected="a saved response page or a folder of them")
    seen: dict[str, dict[str, str]] = {}
    final_pages = 0
    for file in files:
        page = _load_page(file)
        final_pages += not page.get("nextPageToken")
        for i, study in enumerate(page["studies"], start=1):
            record = _study_record(study, str(file), i)
            seen.setdefault(record["nct_id"], record)
    if final_pages == 0:
        warnings.warn(
            f"{label}: every page has a nextPageToken, so later pages are missing; "
            "save all pages of each query (fetch_trials does)",
            BioparityWarning,
            stacklevel=2,
        )
    studies = pd.DataFrame(list(seen.values()), columns=_STUDY_COLUMNS).sort_values(
        "nct_id", ignore_index=True
    )
    return TrialSet(source=label, studies=studies, pages=len(files), final_pages=final_pages)


def _load_page(file: Path) -> dict[str, Any]:
    try:
        page = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(f"not valid JSON: {exc}", file=str(file)) from exc
    if not isinstance(page, dict) or not isinstance(page.get("studies"), list):
        keys = ", ".join(sorted(page)) if isinstance(page, dict) else type(page).__name__
        raise DataFileError(
            f"not a ClinicalTrials.gov API v2 studies page (found: {keys})",
            file=str(file),
            expected='an object with a "studies" list',
        )
    return page


def _study_record(study: Any, file: str, index: int) -> dict[str, str]:
    protocol = study.get("protocolSection", {}) if isinstance(study, dict) else {}
    ident = protocol.get("identificationModule", {})
    nct = str(ident.get("nctId", "")).strip()
    if not re.fullmatch(r"NCT\d{8}", nct):
        raise DataFileError(
            f"study {index} has no valid protocolSection.identificationModule.nctId",
            file=file,
            value=nct or None,
            expected="an NCT number like NCT01234567",
        )
    status = protocol.get("statusModule", {})
    design = protocol.get("designModule", {})
    arms = protocol.get("armsInterventionsModule", {})
    sponsor = protocol.get("sponsorCollaboratorsModule", {}).get("leadSponsor", {})
    return {
        "nct_id": nct,
        "title": str(ident.get("briefTitle", "")),
        "status": str(status.get("overallStatus", "")).upper(),
        "start_date": str(status.get("startDateStruct", {}).get("date", "")),
        "completion_date": str(status.get("completionDateStruct", {}).get("date", "")),
        "last_update": str(status.get("lastUpdatePostDateStruct", {}).get("date", "")),
        "sponsor": str(sponsor.get("name", "")).strip(),
        "sponsor_class": str(sponsor.get("class", "")).strip().upper(),
        "phases": ";".join(design.get("phases", []) or []),
        "conditions": ";".join(protocol.get("conditionsModule", {}).get("conditions", []) or []),
        "interventions": ";".join(str(i.get("name", "")) for i in arms.get("interventions", []) or []),
        "file": file,
    }


def study_date(study: pd.Series, column: str) -> date | None:
    """The last day of a study's date column (``completion_date``, ``last_update``); None when blank.

    ClinicalTrials.gov writes ``YYYY-MM`` or ``YYYY-MM-DD``; anything else raises
    :class:`DataFileError` naming the page file, the NCT number and the field.
    """
    text = str(study[column]).strip()
    if not text:
        return None
    try:
        return period_end(text)
    except ValueError:
        raise DataFileError(
            f"study {study['nct_id']}: {column.replace('_', ' ')} {text!r} is not a date",
            file=str(study["file"]),
            expected="YYYY-MM or YYYY-MM-DD, as ClinicalTrials.gov writes dates",
        ) from None


Opener = Callable[[str, float], bytes]


def _urlopen(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "bioparity"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body: bytes = response.read()
        return body


def fetch_trials(
    inn: str,
    out_dir: str | os.PathLike[str],
    *,
    term: str = "biosimilar",
    page_size: int = 100,
    max_pages: int = 50,
    timeout_s: float = 30.0,
    opener: Opener | None = None,
) -> list[Path]:
    """Query ``/api/v2/studies`` for ``inn`` and save every page as ``<inn>-page-NNN.json`` in ``out_dir``.

    ``opener(url, timeout_s) -> bytes`` performs the request (default: :mod:`urllib`); tests pass a
    stand-in. Raises :class:`NetworkUnavailableError` when the server cannot be reached, naming the
    URL and what to do instead (save the pages by hand and pass the folder to ``--trials``).

    Parameters
    ----------
    inn : str
        Molecule to search for as an intervention (``query.intr``), e.g. ``"ustekinumab"``; also
        the stem of the saved file names (lower case, other characters replaced by ``-``).
    out_dir : str or os.PathLike
        Folder the pages are written to (created if missing); existing pages of the same name are
        replaced.
    term : str, default "biosimilar"
        Free-text term the studies must also match (``query.term``).
    page_size : int, default 100
        Studies per page (``pageSize``; the API accepts up to 1000).
    max_pages : int, default 50
        Most pages fetched for one query.
    timeout_s : float, default 30.0
        Timeout of each request, in seconds.
    opener : callable or None, default None
        ``opener(url, timeout_s) -> bytes`` returning the response body; ``None`` uses
        :func:`urllib.request.urlopen` with an ``Accept: application/json`` header.

    Returns
    -------
    list of pathlib.Path
        The pages saved, in query order (``<inn>-page-001.json``, ...); read them back with
        :func:`read_trials`.

    Raises
    ------
    NetworkUnavailableError
        When the server cannot be reached or does not answer JSON.
    InputError
        When the query has more than ``max_pages`` pages (the pages saved so far are kept).
    """
    fetch = opener or _urlopen
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^a-z0-9]+", "-", inn.casefold()).strip("-")
    saved: list[Path] = []
    token: str | None = None
    for number in range(1, max_pages + 1):
        query = {"query.intr": inn, "query.term": term, "pageSize": str(page_size), "format": "json"}
        if token:
            query["pageToken"] = token
        url = f"{API_URL}?{urllib.parse.urlencode(query)}"
        try:
            body = fetch(url, timeout_s)
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NetworkUnavailableError(
                f"cannot reach ClinicalTrials.gov ({reason}) for {url}; this machine may be offline. "
                "Save the API v2 response pages from a connected machine and pass their folder with --trials"
            ) from exc
        try:
            page = json.loads(body)
        except json.JSONDecodeError as exc:
            raise NetworkUnavailableError(
                f"ClinicalTrials.gov answered something that is not JSON for {url}"
            ) from exc
        path = target / f"{stem}-page-{number:03d}.json"
        path.write_text(json.dumps(page, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        saved.append(path)
        token = page.get("nextPageToken") if isinstance(page, dict) else None
        if not token:
            return saved
    raise InputError(f"more than {max_pages} pages for {inn!r}; raise max_pages or narrow the query")
