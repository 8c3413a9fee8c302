"""One reader of stored times, :func:`bioparity.utc.utc_moment`, for the five places that read them.

A stored time is ISO 8601 text ending in ``Z`` (:func:`bioparity.audit.trail.utc_timestamp`), text with an
offset, text without one (older audit rows: UTC, never the reader's local time), or a datetime. The audit
page (``iso_second``), the report's signature times (``utc_second``), the time filter of pages and reports
(``fmt_time``), the audit snapshots (``utc_text``) and the program report's evidence dates (``_utc``) each
parsed them by hand; they now call the one parser and say the same as before (expected strings written
out here, worked by hand: 15:55:23+08:00 is 07:55:23 UTC).
"""

from __future__ import annotations

import doctest
from datetime import UTC, datetime, timedelta, timezone

import pytest

import bioparity.utc
from bioparity.analyses.format import fmt_time, utc_second
from bioparity.report.evidence import _utc
from bioparity.utc import utc_moment
from bioparity.web.pages_programs import iso_second
from bioparity.workspace.snapshots import utc_text

#: One instant written four ways: Z, +08:00, no offset (UTC), -05:00.
SAME_INSTANT = (
    "2026-12-06T07:55:23.193756Z",
    "2026-12-06T15:55:23.193756+08:00",
    "2026-12-06T07:55:23.193756",
    "2026-12-06T02:55:23.193756-05:00",
)
INSTANT = datetime(2026, 12, 6, 7, 55, 23, 193756, tzinfo=UTC)


@pytest.mark.parametrize("text", SAME_INSTANT)
def test_the_parser_reads_z_an_offset_and_no_offset_as_utc(text: str) -> None:
    moment = utc_moment(text)
    assert moment == INSTANT and moment.utcoffset() == timedelta(0)


def test_a_datetime_is_put_in_utc_and_a_naive_one_is_utc() -> None:
    eastern = INSTANT.astimezone(timezone(timedelta(hours=8)))
    assert utc_moment(eastern) == INSTANT and utc_moment(eastern).tzinfo is UTC
    assert utc_moment(INSTANT.replace(tzinfo=None)) == INSTANT
    with pytest.raises(ValueError):
        utc_moment("not a time")


def test_the_parsers_examples_run() -> None:
    assert doctest.testmod(bioparity.utc).failed == 0


@pytest.mark.parametrize("text", SAME_INSTANT)
def test_the_five_readers_say_the_same_of_every_form(text: str) -> None:
    assert iso_second(text) == "2026-12-06T07:55:23+00:00"
    assert utc_second(text) == "2026-12-06 07:55:23 UTC"
    assert fmt_time(text) == "2026-12-06 07:55 UTC"
    assert utc_text(datetime.fromisoformat(text)) == "2026-12-06T07:55:23.193756+00:00"
    assert _utc(text) == INSTANT


def test_text_that_is_no_time_is_shown_as_recorded() -> None:
    assert iso_second("yesterday") == "yesterday" and utc_second("yesterday") == "yesterday"
    assert fmt_time("yesterday") == "yesterday"
    assert (iso_second(""), utc_second(None), fmt_time(None)) == ("", "—", "—")
