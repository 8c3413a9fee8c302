"""The periods of a multiple-dose crossover read from the EPOCH of SDTM EX, without ``--adsl``.

Three subjects, two periods of three daily doses (Days 1-3 and 15-17), EX with EPOCH ``TREATMENT 1`` and
``TREATMENT 2`` and the treatment of the period (EXTRT, sequences TR, RT, TR); PC with PCDTC, PCELTM and
PCRFTDTC (the date/time of each sample's reference dose). ``bioparity nca PC --dosing EX --tau 24`` made one
profile per subject with the six doses of both periods: intervals 1-6, the third running from 48 h over the
washout to 336 h (AUCTAU 1608 instead of 131.65), and nothing said. ``--group EPOCH`` (which the note of an
unlinked PC recommends) gave each period's profile the doses of both periods (36 intervals, 18 empty). Now
each subject's epochs are its periods (numbered by their first EXSTDTC), each EX dose and each sample in
its own (:func:`bioparity.io.nca_input.epoch_periods`, in :func:`~bioparity.io.nca_input.read_doses`,
shared by ``bioparity nca`` and the workspace NCA), as ``--adsl`` does; EX without EPOCH keeps the numbers
of one profile per subject and says that the periods could not be told apart and how to give them.

Reference: R 4.2.2, base only (linear-up / log-down trapezoids by hand; Cmax = ``max``)::

    auc <- function(t, c) { s <- 0; for (i in seq_along(t)[-1]) { dt <- t[i] - t[i - 1]
      if (c[i] < c[i - 1] && c[i] > 0) s <- s + dt * (c[i - 1] - c[i]) / log(c[i - 1] / c[i])
      else s <- s + dt * (c[i] + c[i - 1]) / 2 }; s }
    el <- c(0, 0.5, 1, 2, 4, 8, 12); t <- c(el, el + 24, el + 48, 72)  # hours since the period's 1st dose
    p1 <- c(0, 4.8, 6.8, 7.7, 6.1, 3.6, 2.1, 2.0, 7.9, 10.4, 11.5, 9.2, 5.5, 3.2,
            3.1, 9.6, 12.5, 13.4, 10.9, 6.6, 3.9, 1.6)
    p2 <- c(0, 5.9, 8.1, 8.8, 7.0, 4.2, 2.5, 2.4, 9.0, 11.8, 12.6, 10.1, 6.1, 3.6,
            3.5, 10.7, 13.9, 14.6, 11.8, 7.2, 4.3, 1.9)
    for (k in c(1, 1.5, 0.8)) for (p in list(p1, p2)) { c <- round(k * p, 6)
      for (s in c(0, 24, 48)) { w <- t >= s & t <= s + 24
        cat(sprintf("%.17g %.17g\\n", auc(t[w], c[w]), max(c[w]))) } }

AUCTAU and CMAX of each of the 18 dosing intervals to 1e-10 relative.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from bioparity.analyses.nca import nca_kind, read_concentrations
from bioparity.cli.main import app
from bioparity.i18n import use_language
from bioparity.i18n.notes import note_text
from bioparity.io.nca_input import (
    NO_PERIOD_GIVEN,
    NO_SAMPLE_EPOCH,
    PERIOD_FROM_EX_EPOCH,
    REFERENCE_ON_DOSE_CLOCK,
    REFERENCE_ON_DOSE_CLOCK_EPOCH,
    TREATMENT_FROM_EXTRT,
)
from bioparity.io.sdtm import hours_to_iso8601
from tests.nca.test_nca_pcrftdtc_multiple_dose import DAYS, ELAPSED, LAST

runner = CliRunner()
#: Concentrations of the three doses of each period (x the subject's scale), then 24 h after the last:
#: period 1 those of the parallel multiple-dose study of test_nca_pcrftdtc_multiple_dose, period 2 its own.
PERIODS: tuple[tuple[tuple[tuple[float, ...], ...], float], ...] = (
    (DAYS, LAST),
    (
        (
            (0.0, 5.9, 8.1, 8.8, 7.0, 4.2, 2.5),
            (2.4, 9.0, 11.8, 12.6, 10.1, 6.1, 3.6),
            (3.5, 10.7, 13.9, 14.6, 11.8, 7.2, 4.3),
        ),
        1.9,
    ),
)
FIRST_DAYS = (0, 14)  # the first dose of each period, days after 2026-01-05T08:00
SCALE = {"S-1": 1.0, "S-2": 1.5, "S-3": 0.8}
SEQUENCES = {"S-1": ("TEST", "REFERENCE"), "S-2": ("REFERENCE", "TEST"), "S-3": ("TEST", "REFERENCE")}
START = pd.Timestamp("2026-01-05T08:00")
#: R 4.2.2 (module docstring): (AUCTAU, CMAX) of dosing intervals 1, 2, 3 of periods 1 and 2 per subject.
R_VALUES = {
    "S-1": (
        ((79.777420978523935, 7.7), (122.16643531449634, 11.5), (131.65398624912774, 13.4)),
        ((93.584942605194627, 8.8), (136.14817165241195, 12.6), (145.26141586228425, 14.6)),
    ),
    "S-2": (
        ((119.66613146778583, 11.55), (183.24965297174424, 17.25), (197.48097937369161, 20.1)),
        ((140.37741390779189, 13.2), (204.22225747861802, 18.9), (217.89212379342632, 21.9)),
    ),
    "S-3": (
        ((63.821936782819179, 6.16), (97.733148251597058, 9.2), (105.3231889993022, 10.72)),
        ((74.867954084155699, 7.04), (108.91853732192956, 10.08), (116.20913268982738, 11.68)),
    ),
}


def _pc() -> pd.DataFrame:
    """The PC domain: each dose's samples at ``ELAPSED`` h (PCDTC = its dose + PCELTM; the pre-dose sample
    of the next dose at 24 h is that dose's 0 h), 72 h after the first dose of each period the last;
    PCRFTDTC = the sample's dose, EPOCH its period's, VISITNUM the day."""
    rows = []
    for subject, scale in SCALE.items():
        for period, (first_day, (doses, last)) in enumerate(zip(FIRST_DAYS, PERIODS, strict=True), start=1):
            for k in range(3):
                dose = START + pd.Timedelta(days=first_day + k)
                times = ELAPSED + ((24.0,) if k == 2 else ())
                values = doses[k] + ((last,) if k == 2 else ())
                for elapsed, conc in zip(times, values, strict=True):
                    rows.append({
                        "STUDYID": "ST", "DOMAIN": "PC", "USUBJID": subject, "PCTESTCD": "DRG",
                        "PCSPEC": "PLASMA", "PCSTRESN": round(conc * scale, 6), "PCSTRESU": "ng/mL",
                        "PCELTM": hours_to_iso8601(elapsed), "VISITNUM": first_day + k + 1,
                        "EPOCH": f"TREATMENT {period}",
                        "PCDTC": (dose + pd.Timedelta(hours=elapsed)).strftime("%Y-%m-%dT%H:%M:%S"),
                        "PCRFTDTC": dose.strftime("%Y-%m-%dT%H:%M"),
                    })  # fmt: skip
    return pd.DataFrame(rows)


def _ex() -> pd.DataFrame:
    """The EX domain: 100 mg daily, three doses per period, EXTRT the subject's treatment of the period."""
    return pd.DataFrame([
        {"STUDYID": "ST", "DOMAIN": "EX", "USUBJID": s, "EXTRT": SEQUENCES[s][p - 1], "EXDOSE": 100,
         "EXDOSU": "mg", "EXROUTE": "ORAL", "VISITNUM": first_day + k + 1, "EPOCH": f"TREATMENT {p}",
         "EXSTDTC": (START + pd.Timedelta(days=first_day + k)).strftime("%Y-%m-%dT%H:%M")}
        for s in SCALE for p, first_day in enumerate(FIRST_DAYS, start=1) for k in range(3)
    ])  # fmt: skip


def _write(folder: Path, pc: pd.DataFrame | None = None, ex: pd.DataFrame | None = None) -> list[str]:
    """PC and EX as CSV files in ``folder``: the arguments ``PC --dosing EX``."""
    folder.mkdir(parents=True, exist_ok=True)
    (_pc() if pc is None else pc).drop(columns="EPOCH" if pc is None else []).to_csv(
        folder / "pc.csv", index=False
    )  # by default, PC without EPOCH: PCRFTDTC ties each sample to its EX dose
    (_ex() if ex is None else ex).to_csv(folder / "ex.csv", index=False)
    return [str(folder / "pc.csv"), "--dosing", str(folder / "ex.csv")]


def _nca(folder: Path, args: list[str], *more: str) -> str:
    """``bioparity nca ... --tau 24`` writing o.csv and adpp.xpt in ``folder``; what it said, on one line."""
    outputs = ["--out", str(folder / "o.csv"), "--adpp", str(folder / "adpp.xpt")]
    run = runner.invoke(app, ["nca", *args, "--tau", "24", *more, *outputs])
    assert run.exit_code == 0, run.output
    return " ".join(run.output.split())


def _assert_rs_values(
    out: pd.DataFrame, period: str = "period", names: tuple[int | str, ...] = (1, 2)
) -> None:
    """AUCTAU and CMAX of each subject, period and dosing interval: R's (module docstring), 1e-10."""
    values = out.set_index(["subject", period, "dose_number", "PPTESTCD"])["PPSTRESN"]
    for subject, periods in R_VALUES.items():
        for name, intervals in zip(names, periods, strict=True):
            for n, (auctau, cmax) in enumerate(intervals, start=1):
                got = values[(subject, name, n, "AUCTAU")], values[(subject, name, n, "CMAX")]
                assert got == pytest.approx((auctau, cmax), rel=1e-10, abs=0)


def test_ex_epoch_gives_each_period_its_own_doses_and_rs_numbers(tmp_path: Path) -> None:
    """18 dosing intervals (3 subjects x 2 periods x 3), each period from its first dose (0 and 336 h),
    none over the washout; R's AUCTAU and CMAX; the rule said, recorded in the provenance and in ADPP's
    APERIOD, with TRTA the EXTRT of the subject's doses in that period (before: no TRTA, no APERIOD)."""
    args = _write(tmp_path / "in")
    said = _nca(tmp_path, args)
    out = pd.read_csv(tmp_path / "o.csv")
    assert len(out.drop_duplicates(["subject", "period", "dose_number"])) == 18
    assert sorted(out.drop_duplicates("start")["start"].tolist()) == [0, 24, 48, 336, 360, 384]
    assert out["end"].max() == 408 and not (out["end"] - out["start"] > 24).any()
    _assert_rs_values(out)
    rule = PERIOD_FROM_EX_EPOCH.format(ex=args[2])  # the EX named as given
    assert rule in said and "wrote 18 dosing intervals" in said
    assert REFERENCE_ON_DOSE_CLOCK_EPOCH in said and "ADSL period" not in said  # the periods used, named
    provenance = json.loads((tmp_path / "o.csv.provenance.json").read_text())
    assert provenance["derived_columns"] == [rule, TREATMENT_FROM_EXTRT]
    adpp, _ = pyreadstat.read_xport(str(tmp_path / "adpp.xpt"))
    auctau = adpp[adpp["PARAMCD"] == "AUCTAU"]
    treatments = auctau.groupby(["USUBJID", "APERIOD"])["TRTA"].unique().map(list).to_dict()
    assert treatments == {(s, p + 1.0): [t[p]] for s, t in SEQUENCES.items() for p in (0, 1)}  # EXTRT
    assert auctau.groupby("APERIOD")["PCRFTDTC"].min().to_dict() == {
        1.0: "2026-01-05T08:00",
        2.0: "2026-01-19T08:00",
    }


def test_the_epoch_of_pc_places_samples_without_pcrftdtc(tmp_path: Path) -> None:
    """A PC without PCRFTDTC but with EPOCH: each sample in the period of its own epoch, the same OUT."""
    _nca(tmp_path / "ref", _write(tmp_path / "ref"))
    args = _write(tmp_path / "in", pc=_pc().drop(columns="PCRFTDTC"))
    said = _nca(tmp_path, args)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "o.csv"), pd.read_csv(tmp_path / "ref" / "o.csv"))
    assert PERIOD_FROM_EX_EPOCH.format(ex=args[2]) in said


def test_a_pcrftdtc_without_a_time_places_its_sample_by_the_dose_date(tmp_path: Path) -> None:
    """PCRFTDTC given as a date alone (``2026-01-05``), PC without EPOCH: each sample in the period of its
    subject's EX dose on that date (one dose a day here), so the same OUT as with the date-time."""
    _nca(tmp_path / "ref", _write(tmp_path / "ref"))
    pc = _pc().drop(columns="EPOCH")
    _nca(tmp_path, _write(tmp_path / "in", pc=pc.assign(PCRFTDTC=pc["PCRFTDTC"].str.slice(0, 10))))
    out, ref = pd.read_csv(tmp_path / "o.csv"), pd.read_csv(tmp_path / "ref" / "o.csv")
    pd.testing.assert_frame_equal(out, ref)


def test_group_epoch_gives_each_epoch_its_own_doses(tmp_path: Path) -> None:
    """``--group EPOCH`` (PC and EX both have it): the dose records carry EX's EPOCH, so each epoch's
    profile has its 3 doses (18 intervals; before: 36, each epoch with the other's doses); R's values."""
    said = _nca(tmp_path, _write(tmp_path / "in", pc=_pc()), "--group", "EPOCH")
    out = pd.read_csv(tmp_path / "o.csv")
    assert len(out.drop_duplicates(["subject", "EPOCH", "dose_number"])) == 18
    _assert_rs_values(out, "EPOCH", ("TREATMENT 1", "TREATMENT 2"))
    assert "period from the EPOCH" not in said  # the group tells the periods apart: nothing derived


def test_ex_without_epoch_keeps_one_profile_per_subject_and_says_so(tmp_path: Path) -> None:
    """EX without EPOCH, no ``--adsl``: the numbers of one profile per subject (6 intervals, the third
    from 48 to 336 h), with the note that the periods could not be told apart and how to give them, on
    the terminal and among the workspace run's notes. A parallel study dosed daily (period 1 alone, one
    treatment per subject) is read without it."""
    args = _write(tmp_path / "in", ex=_ex().drop(columns="EPOCH"))
    said = _nca(tmp_path, args)
    out = pd.read_csv(tmp_path / "o.csv")
    assert "period" not in out.columns
    assert len(out.drop_duplicates(["subject", "dose_number"])) == 18
    bounds = out[(out["subject"] == "S-1") & (out["dose_number"] == 3)].iloc[0]
    assert (bounds["start"], bounds["end"]) == (48, 336)
    assert NO_PERIOD_GIVEN.format(ex=args[2]) in said
    assert REFERENCE_ON_DOSE_CLOCK in said and "ADSL period" not in said  # no period used
    result = nca_kind(read_concentrations(Path(args[0])), {"dosing": args[2], "tau": 24.0})
    assert NO_PERIOD_GIVEN.format(ex="ex.csv") in result["notes"]  # the workspace names a dataset
    pc, ex = _pc(), _ex().drop(columns="EPOCH")
    first = _write(tmp_path / "parallel", pc=pc[pc["EPOCH"] == "TREATMENT 1"], ex=ex[ex["VISITNUM"] <= 3])
    assert "looks like periods" not in _nca(tmp_path / "parallel", first)


def test_a_pc_without_pcrftdtc_or_epoch_is_said_not_to_place_its_samples(tmp_path: Path) -> None:
    """EX has the epochs, PC neither PCRFTDTC nor EPOCH: one profile per subject, as before, and a note
    saying what PC lacks."""
    args = _write(tmp_path / "in", pc=_pc().drop(columns=["PCRFTDTC", "EPOCH"]))
    said = _nca(tmp_path, args)
    assert "period" not in pd.read_csv(tmp_path / "o.csv").columns
    assert NO_SAMPLE_EPOCH.format(ex=args[2]) in said


def test_a_sample_in_no_period_is_refused_naming_its_row(tmp_path: Path) -> None:
    """A sample whose PCRFTDTC is no EX dose of its subject (and PC without EPOCH): refused, naming the
    file, row, line and column, never placed in a period by guess."""
    pc = _pc().drop(columns="EPOCH")
    pc.loc[5, "PCRFTDTC"] = "2026-01-04T08:00"
    args = _write(tmp_path / "in", pc=pc)
    run = runner.invoke(app, ["nca", *args, "--tau", "24", "--out", str(tmp_path / "o.csv")])
    said = " ".join(run.output.split())
    assert run.exit_code != 0
    assert "row 6 (line 7)" in said and "PCRFTDTC" in said and "2026-01-04T08:00" in said


def test_the_workspace_nca_gives_the_clis_periods(tmp_path: Path) -> None:
    """The workspace NCA (``nca`` kind, EX as option ``dosing``) reads through the same function: 6
    profiles, 18 intervals, the CLI's numbers, the rule among its notes."""
    args = _write(tmp_path / "in")
    _nca(tmp_path, args)
    result = nca_kind(read_concentrations(Path(args[0])), {"dosing": args[2], "tau": 24.0})
    assert (result["n_profiles"], result["n_intervals"]) == (6, 18)
    assert PERIOD_FROM_EX_EPOCH.format(ex="ex.csv") in result["notes"]
    rows = pd.DataFrame(result["rows"], columns=result["columns"])
    keys = ["subject", "period", "dose_number", "PPTESTCD"]
    got = rows.set_index(keys)["PPSTRESN"].astype(float).sort_index()
    cli = pd.read_csv(tmp_path / "o.csv").set_index(keys)["PPSTRESN"].sort_index()
    pd.testing.assert_series_equal(got, cli, rtol=1e-12)


@pytest.mark.parametrize("drop", ["", "EPOCH"])
def test_the_notes_are_said_in_the_readers_language(tmp_path: Path, drop: str) -> None:
    """``--lang zh-CN``: the rule (and the note of EX without EPOCH) are the catalogue's."""
    ex = _ex().drop(columns=[drop] if drop else [])
    args = _write(tmp_path / "in", ex=ex)
    run = runner.invoke(
        app, ["--lang", "zh-CN", "nca", *args, "--tau", "24", "--out", str(tmp_path / "o.csv")]
    )
    assert run.exit_code == 0, run.output
    note = (NO_PERIOD_GIVEN if drop else PERIOD_FROM_EX_EPOCH).format(ex=args[2])
    with use_language("zh-CN"):
        chinese = note_text(note)
    assert chinese != note
    assert " ".join(chinese.split()) in " ".join(run.output.split())
