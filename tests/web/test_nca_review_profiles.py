"""The profiles of the NCA review page (``pages_review._profiles``), read in one pass over the PP table
and the choices, are those the plain reading gives: for each profile, the rows of the PP table whose key
columns equal the profile's keys, its review flags, the lambda_z interval (LAMZLL..LAMZUL) and the
reviewer's choices of that profile only."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any, cast

import pandas as pd

from bioparity.analyses.nca import nca_input, nca_kind
from bioparity.demo import pk_concentrations
from bioparity.report.context import RunContext
from bioparity.web.pages_review import _profiles

REASON = "sample haemolysed"


def _demo_frame(n_subjects: int = 12) -> pd.DataFrame:
    frame = pk_concentrations()
    return frame[frame["subject"].isin(frame["subject"].unique()[:n_subjects])].reset_index(drop=True)


def _choices(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One excluded point, one excluded profile, and three points chosen by hand on a third profile."""
    subjects = frame["subject"].unique()
    last = frame[(frame["subject"] == subjects[2]) & (pd.to_numeric(frame["conc"], errors="coerce") > 0)][
        "time"
    ].tail(3)
    late = frame[frame["subject"] == subjects[0]]["time"].iloc[-2]
    arm = {str(s): str(a) for s, a in zip(frame["subject"], frame["arm"], strict=True)}
    return [
        {"arm": arm[str(subjects[0])], "subject": str(subjects[0]), "time": float(late), "action": "exclude",
         "reason": REASON},
        {"arm": arm[str(subjects[1])], "subject": str(subjects[1]), "time": "", "action": "exclude",
         "reason": REASON},
        *({"arm": arm[str(subjects[2])], "subject": str(subjects[2]), "time": float(t), "action": "include",
           "reason": REASON} for t in last),
    ]  # fmt: skip


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_each_profile_has_its_own_rows_flags_and_choices() -> None:
    frame = _demo_frame()
    choices = _choices(frame)
    options: dict[str, Any] = {"dose": "dose", "review": choices}
    result = nca_kind(frame, options)
    ctx = cast(RunContext, SimpleNamespace(rows=result["rows"], columns=result["columns"], options=options,
                                           result=result))  # fmt: skip
    samples, _doses = nca_input(frame, options)
    keys, profiles = _profiles(ctx, samples)
    table = pd.DataFrame(result["rows"], columns=result["columns"])
    assert keys == ["arm", "subject"]
    assert len(profiles) == 12 == table["subject"].nunique()
    flag_columns = [c for c in table.columns if c.startswith("flag_")]
    seen_flags: set[str] = set()
    for p in profiles:
        own = table[(table["arm"] == p.keys["arm"]) & (table["subject"] == p.keys["subject"])]
        value = dict(zip(own["PPTESTCD"], pd.to_numeric(own["PPSTRESN"]), strict=True))
        assert _same(p.lamz, value.get("LAMZ", math.nan))
        assert _same(p.r2adj, value.get("R2ADJ", math.nan))
        assert _same(p.span, value.get("LAMZSPN", math.nan))
        assert _same(p.npoints, value.get("LAMZNPT", math.nan))
        flags = [
            c.removeprefix("flag_") for c in flag_columns if own[c].astype(str).str.lower().eq("true").any()
        ]
        assert p.flags == flags
        seen_flags |= set(flags)
        mine = [c for c in choices if c["subject"] == p.keys["subject"]]
        samples_of = frame[frame["subject"] == p.keys["subject"]]
        assert p.times == samples_of["time"].tolist()
        whole = any(c["time"] == "" for c in mine)
        excluded = {c["time"] for c in mine if c["action"] == "exclude"}
        included = {c["time"] for c in mine if c["action"] == "include"}
        assert p.excluded == [whole or t in excluded for t in p.times]
        low, high = value.get("LAMZLL", math.nan), value.get("LAMZUL", math.nan)
        expected_used = [
            c > 0 and not whole and t not in excluded and (t in included if included else low <= t <= high)
            for t, c in zip(p.times, p.concs, strict=True)
        ]
        assert p.used == expected_used
    # The choices reached their profiles only: an excluded point, a whole profile, points by hand.
    by_subject = {p.keys["subject"]: p for p in profiles}
    first, second, third = (by_subject[c["subject"]] for c in (choices[0], choices[1], choices[2]))
    assert sum(first.excluded) == 1 and not any(second.used) and all(second.excluded)
    assert sum(third.used) == 3 and "lambda_z_manual" in third.flags
    assert sum(sum(p.excluded) for p in profiles) == 1 + len(second.times)
    assert "lambda_z_points_excluded" in seen_flags
