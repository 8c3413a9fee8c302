"""Multiple-dose NCA of an SDTM PC whose samples each give their reference dose (PCRFTDTC, SDTMIG v3.3/v3.4
PC: "Date/Time of Reference Point", the dose the sample's PCELTM counts from).

A standard multiple-dose PC: three subjects dosed daily on Days 1-3, each day's samples with that day's
dose as PCRFTDTC (the pre-dose sample at 0 h included) and a 24 h sample after the last dose. ``bioparity
nca PC --dosing EX --tau 24`` took PCRFTDTC for a profile column and ranked it into a "period": 9 profiles
(one per sampled dose), each with every EX dose of its subject, so 27 dosing intervals of which 18 empty,
and no TRTP/TRTA in ADPP or ADNCA (the made-up periods hid the parallel design). Now PCRFTDTC places each
sample on its subject's dose clock and is no profile: one profile per subject, its dosing intervals from EX,
the same intervals, numbers and ADaM records as the same PC without PCRFTDTC (:func:`bioparity.io.nca_input.
reference_on_dose_clock`, in :func:`~bioparity.io.nca_input.read_doses`, which ``bioparity nca`` and the
workspace NCA share). A single-dose crossover (one EX dose per period, no ``--tau``) keeps one profile per
period from PCRFTDTC, as before.

Reference: R 4.2.2, base only (linear-up / log-down trapezoids by hand; Cmax = ``max``)::

    auc <- function(t, c) { s <- 0; for (i in seq_along(t)[-1]) { dt <- t[i] - t[i - 1]
      if (c[i] < c[i - 1] && c[i] > 0) s <- s + dt * (c[i - 1] - c[i]) / log(c[i - 1] / c[i])
      else s <- s + dt * (c[i] + c[i - 1]) / 2 }; s }
    el <- c(0, 0.5, 1, 2, 4, 8, 12)
    d1 <- c(0, 4.8, 6.8, 7.7, 6.1, 3.6, 2.1); d2 <- c(2.0, 7.9, 10.4, 11.5, 9.2, 5.5, 3.2)
    d3 <- c(3.1, 9.6, 12.5, 13.4, 10.9, 6.6, 3.9)
    t <- c(el, el + 24, el + 48, 72); c1 <- c(d1, d2, d3, 1.6)  # hours since the subject's first dose
    for (k in c(1, 1.5, 0.8)) { c <- round(k * c1, 6)
      for (s in c(0, 24, 48)) { w <- t >= s & t <= s + 24
        cat(sprintf("%.17g %.17g\\n", auc(t[w], c[w]), max(c[w]))) } }

AUCTAU and CMAX of each dosing interval to 1e-10 relative.
"""

from __future__ import annotations

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
    PERIOD_DERIVED,
    REFERENCE_ON_DOSE_CLOCK,
    REFERENCE_ON_DOSE_CLOCK_ADSL,
    SAMPLE_TIMES_FROM_REFERENCE,
)
from bioparity.io.sdtm import hours_to_iso8601

runner = CliRunner()
ELAPSED = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 12.0)
DAYS = (
    (0.0, 4.8, 6.8, 7.7, 6.1, 3.6, 2.1),
    (2.0, 7.9, 10.4, 11.5, 9.2, 5.5, 3.2),
    (3.1, 9.6, 12.5, 13.4, 10.9, 6.6, 3.9),
)
LAST = 1.6  # 24 h after the last dose
SCALE = {"S-1": 1.0, "S-2": 1.5, "S-3": 0.8}
ARMS = {"S-1": "DRUG A", "S-2": "DRUG B", "S-3": "DRUG A"}
FIRST = pd.Timestamp("2026-01-05T08:00")
#: R 4.2.2 (module docstring): (AUCTAU, CMAX) of dosing intervals 1, 2, 3 of each subject.
R_VALUES = {
    "S-1": ((79.777420978523935, 7.7), (122.16643531449634, 11.5), (131.65398624912774, 13.4)),
    "S-2": ((119.66613146778583, 11.55), (183.24965297174424, 17.25), (197.48097937369161, 20.1)),
    "S-3": ((63.821936782819179, 6.16), (97.733148251597058, 9.2), (105.3231889993022, 10.72)),
}


def _pc(reference: bool = True, days: tuple[int, ...] = (0, 1, 2)) -> pd.DataFrame:
    """The PC domain: each dose's samples at ``ELAPSED`` h (PCDTC = its dose + PCELTM), VISITNUM = the day,
    PCRFTDTC = the dose's date/time when ``reference``; ``days``: the dose of each day (days after the
    first; a crossover's periods are days 0 and 7)."""
    rows = []
    for subject, scale in SCALE.items():
        for k, day in enumerate(days):
            dose = FIRST + pd.Timedelta(days=day)
            times = ELAPSED + ((24.0,) if k == len(days) - 1 else ())
            values = DAYS[k] + ((LAST,) if k == len(days) - 1 else ())
            for elapsed, conc in zip(times, values, strict=True):
                rows.append({
                    "STUDYID": "ST", "DOMAIN": "PC", "USUBJID": subject, "PCTESTCD": "DRG", "PCTEST": "Drug",
                    "PCSPEC": "PLASMA", "PCSTRESN": round(conc * scale, 6), "PCSTRESU": "ng/mL",
                    "PCELTM": hours_to_iso8601(elapsed), "PCTPTNUM": elapsed, "VISITNUM": k + 1,
                    "VISIT": f"DAY {day + 1}",
                    "PCDTC": (dose + pd.Timedelta(hours=elapsed)).strftime("%Y-%m-%dT%H:%M:%S"),
                    **({"PCRFTDTC": dose.strftime("%Y-%m-%dT%H:%M")} if reference else {}),
                })  # fmt: skip
    return pd.DataFrame(rows)


def _write(folder: Path, reference: bool = True, days: tuple[int, ...] = (0, 1, 2)) -> list[str]:
    """PC, EX (one record per dose of ``days``) and DM as CSV files in ``folder``: the argument list of
    ``bioparity nca PC --dosing EX --dm DM``."""
    folder.mkdir(exist_ok=True)
    _pc(reference, days).to_csv(folder / "pc.csv", index=False)
    pd.DataFrame([
        {"STUDYID": "ST", "DOMAIN": "EX", "USUBJID": s, "EXTRT": "DRUG", "EXDOSE": 100, "EXDOSU": "mg",
         "EXROUTE": "ORAL", "EXSTDTC": (FIRST + pd.Timedelta(days=d)).strftime("%Y-%m-%dT%H:%M"),
         "VISITNUM": k + 1}
        for s in SCALE for k, d in enumerate(days)
    ]).to_csv(folder / "ex.csv", index=False)  # fmt: skip
    dm = pd.DataFrame({"STUDYID": "ST", "DOMAIN": "DM", "USUBJID": list(ARMS), "ARM": list(ARMS.values())})
    dm.assign(ACTARM=dm["ARM"]).to_csv(folder / "dm.csv", index=False)
    return [str(folder / "pc.csv"), "--dosing", str(folder / "ex.csv"), "--dm", str(folder / "dm.csv")]


def _nca(folder: Path, *args: str) -> str:
    """``bioparity nca`` writing o.csv, adpp.xpt and adnca.xpt in ``folder``; what it said, on one line."""
    outputs = ["--out", str(folder / "o.csv"), "--adpp", str(folder / "adpp.xpt")]
    run = runner.invoke(app, ["nca", *args, *outputs, "--adnca", str(folder / "adnca.xpt")])
    assert run.exit_code == 0, run.output
    return " ".join(run.output.split())


def test_pcrftdtc_of_each_daily_dose_gives_one_profile_per_subject_and_rs_numbers(tmp_path: Path) -> None:
    """9 dosing intervals (3 subjects x 3 doses; before: 27, 18 empty), no derived period, AUCTAU and CMAX
    of each interval R's (the pre-dose sample of Day 2, PCRFTDTC Day 2, ends interval 1 at 24 h)."""
    said = _nca(tmp_path, *_write(tmp_path / "in"), "--tau", "24")
    out = pd.read_csv(tmp_path / "o.csv")
    assert "period" not in out.columns and "PCRFTDTC" not in out.columns
    assert len(out.drop_duplicates(["subject", "dose_number"])) == 9
    assert sorted(out.drop_duplicates("dose_number")["start"].tolist()) == [0, 24, 48]
    values = out.set_index(["subject", "dose_number", "PPTESTCD"])["PPSTRESN"]
    for subject, intervals in R_VALUES.items():
        for n, (auctau, cmax) in enumerate(intervals, start=1):
            assert values[(subject, n, "AUCTAU")] == pytest.approx(auctau, rel=1e-10, abs=0)
            assert values[(subject, n, "CMAX")] == pytest.approx(cmax, rel=1e-10, abs=0)
    assert REFERENCE_ON_DOSE_CLOCK in said and "wrote 9 dosing intervals" in said
    assert "ADSL" not in said and "EPOCH" not in said  # no period used, none named
    # the terminal says what was finally read: no period derived (it used to say so before EX was read)
    assert "period derived" not in said and "PCRFTDTC" not in said.split(REFERENCE_ON_DOSE_CLOCK)[0]


def test_the_same_pc_without_pcrftdtc_gives_the_same_files_and_treatments(tmp_path: Path) -> None:
    """OUT, its summary, ADPP and ADNCA equal to those of the PC without PCRFTDTC; ADPP and ADNCA have
    TRTP/TRTA = the DM ARM/ACTARM of the parallel design (before: left out, the doses taken for periods)."""
    for name, reference in (("ref", True), ("bare", False)):
        _nca(tmp_path / name, *_write(tmp_path / name, reference), "--tau", "24")
    for csv in ("o.csv", "o.summary.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(tmp_path / "ref" / csv), pd.read_csv(tmp_path / "bare" / csv)
        )
    for xpt in ("adpp.xpt", "adnca.xpt"):
        ref, _ = pyreadstat.read_xport(str(tmp_path / "ref" / xpt))
        bare, _ = pyreadstat.read_xport(str(tmp_path / "bare" / xpt))
        pd.testing.assert_frame_equal(ref, bare)
        assert (ref["TRTP"] == ref["USUBJID"].map(ARMS)).all() and (ref["TRTA"] == ref["TRTP"]).all()


def test_a_pc_without_pcdtc_puts_each_sample_at_pcrftdtc_plus_pceltm(tmp_path: Path) -> None:
    """Without PCDTC, each sample's time on the dose clock is PCRFTDTC + PCELTM - the subject's first
    EXSTDTC (before: refused, "SDTM PC without PCDTC"): here PCDTC was exactly that, so OUT is the one with
    PCDTC and R's values hold; a note says how the times were found."""
    args = _write(tmp_path / "in")
    _pc().drop(columns="PCDTC").to_csv(args[0], index=False)
    said = _nca(tmp_path, *args, "--tau", "24")
    _nca(tmp_path / "in", *_write(tmp_path / "in"), "--tau", "24")
    out = pd.read_csv(tmp_path / "o.csv")
    pd.testing.assert_frame_equal(out, pd.read_csv(tmp_path / "in" / "o.csv"))
    auctau = out[out["PPTESTCD"] == "AUCTAU"].set_index(["subject", "dose_number"])["PPSTRESN"]
    assert auctau[("S-2", 3)] == pytest.approx(R_VALUES["S-2"][2][0], rel=1e-10, abs=0)
    assert SAMPLE_TIMES_FROM_REFERENCE in said


def test_a_multiple_dose_crossover_has_its_adsl_periods_and_their_own_doses(tmp_path: Path) -> None:
    """Daily doses on Days 1-3 (period 1, TRT01P A) and 15-17 (period 2, TRT02P B, concentrations x 2),
    ``--adsl``: each sample in the ADSL period of its PCRFTDTC and each EX dose in the period of its EXSTDTC,
    so a profile per subject and period with its own 3 dosing intervals (18 in all; before: 36, each period
    with the other's doses, 18 of them empty, period 1's last interval up to period 2's first dose).
    AUCTAU and CMAX: R's, x 2 in period 2 (both scale with the concentrations)."""
    folder = tmp_path / "in"
    args = _write(folder)
    second = _pc(days=(14, 15, 16)).assign(PCSTRESN=lambda d: d["PCSTRESN"] * 2)
    pd.concat([_pc(), second]).to_csv(args[0], index=False)
    ex = pd.read_csv(args[2])
    later = ex.assign(
        EXSTDTC=(pd.to_datetime(ex["EXSTDTC"]) + pd.Timedelta(days=14)).dt.strftime("%Y-%m-%dT%H:%M")
    )
    pd.concat([ex, later]).to_csv(args[2], index=False)
    pd.DataFrame({
        "STUDYID": "ST", "USUBJID": list(SCALE), "TRT01P": "A", "TRT02P": "B",
        "AP01SDTM": "2026-01-05T07:00", "AP01EDTM": "2026-01-12T00:00",
        "AP02SDTM": "2026-01-19T07:00", "AP02EDTM": "2026-01-26T00:00",
    }).to_csv(folder / "adsl.csv", index=False)  # fmt: skip
    said = _nca(tmp_path, args[0], "--dosing", args[2], "--adsl", str(folder / "adsl.csv"), "--tau", "24")
    # the note names the periods used: the ADSL's (not "(and ADSL period)" whatever was used)
    assert REFERENCE_ON_DOSE_CLOCK_ADSL in said and REFERENCE_ON_DOSE_CLOCK not in said
    out = pd.read_csv(tmp_path / "o.csv")
    assert len(out.drop_duplicates(["subject", "period", "dose_number"])) == 18  # 3 subjects x 2 x 3
    assert out.groupby("period")["TRTP"].unique().map(list).to_dict() == {1: ["A"], 2: ["B"]}
    assert sorted(out.drop_duplicates("start")["start"].tolist()) == [0, 24, 48, 336, 360, 384]
    values = out.set_index(["subject", "period", "dose_number", "PPTESTCD"])["PPSTRESN"]
    for subject, intervals in R_VALUES.items():
        for period, factor in ((1, 1.0), (2, 2.0)):
            for n, (auctau, cmax) in enumerate(intervals, start=1):
                got = values[(subject, period, n, "AUCTAU")], values[(subject, period, n, "CMAX")]
                assert got == pytest.approx((factor * auctau, factor * cmax), rel=1e-10, abs=0)


def test_the_workspace_nca_gives_the_clis_dosing_intervals(tmp_path: Path) -> None:
    """The workspace NCA (the ``nca`` kind with the EX as option ``dosing``) reads through the same
    function: 3 profiles, 9 intervals, the CLI's values, and no derived-period note stored."""
    args = _write(tmp_path / "in")
    _nca(tmp_path, *args, "--tau", "24")
    result = nca_kind(read_concentrations(Path(args[0])), {"dosing": args[2], "tau": 24.0, "dm": args[4]})
    assert (result["n_profiles"], result["n_intervals"]) == (3, 9)
    assert PERIOD_DERIVED not in result.get("notes", [])
    rows = pd.DataFrame(result["rows"], columns=result["columns"])
    cli = pd.read_csv(tmp_path / "o.csv")
    keys = ["subject", "dose_number", "PPTESTCD"]
    got = rows.set_index(keys)["PPSTRESN"].astype(float).sort_index()
    pd.testing.assert_series_equal(got, cli.set_index(keys)["PPSTRESN"].sort_index(), rtol=1e-12)


def test_a_single_dose_crossover_keeps_a_profile_per_pcrftdtc(tmp_path: Path) -> None:
    """One EX dose per period (Days 1 and 8), no ``--tau``: PCRFTDTC still separates the periods (6
    profiles, period 1 and 2 per subject, each its own dose's clock): CMAX of each = R's ``max`` of its
    samples (``max(round(k * d1, 6))``, ``max(round(k * c(d2, 1.6), 6))``)."""
    said = _nca(tmp_path, *_write(tmp_path / "in", days=(0, 7)))
    out = pd.read_csv(tmp_path / "o.csv")
    assert len(out.drop_duplicates(["subject", "period"])) == 6
    cmax = out[out["PPTESTCD"] == "CMAX"].set_index(["subject", "period"])["PPSTRESN"]
    for subject, k in SCALE.items():
        assert cmax[(subject, 1)] == pytest.approx(round(k * 7.7, 6), rel=1e-10)
        assert cmax[(subject, 2)] == pytest.approx(round(k * 11.5, 6), rel=1e-10)
    assert PERIOD_DERIVED in said and REFERENCE_ON_DOSE_CLOCK not in said


def test_the_note_is_said_in_the_readers_language(tmp_path: Path) -> None:
    """``--lang zh-CN``: the note that PCRFTDTC is each sample's reference dose is the catalogue's."""
    args = _write(tmp_path / "in")
    outputs = ["--out", str(tmp_path / "o.csv")]
    run = runner.invoke(app, ["--lang", "zh-CN", "nca", *args, "--tau", "24", *outputs])
    assert run.exit_code == 0, run.output
    with use_language("zh-CN"):
        chinese = note_text(REFERENCE_ON_DOSE_CLOCK)
    assert chinese != REFERENCE_ON_DOSE_CLOCK
    assert " ".join(chinese.split()) in " ".join(run.output.split())
