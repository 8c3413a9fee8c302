"""A two-period crossover SDTM PC with PCRFTDTC and no VISITNUM, VISIT, EPOCH or period column, its subjects
dosed on different calendar days: the period is derived per subject from the order of its reference doses,
so that the summary statistics hold one period of every subject per row (EMA CPMP/EWP/QWP/1401/98 Rev. 1,
section 4.1.8: descriptive statistics per treatment and period), not one subject per reference date.

Data: R's datasets::Theoph, subjects 1-6, period 2 = period 1's concentrations x 0.8 at the same times;
subject s dosed on 2026-01-(4 + s) and 14 days later. Reference numbers computed with R 4.2 (base R only:
``/tmp`` script reproduced in ``R_REFERENCE`` below) from R's own Theoph, compared to 1e-9 (relative; R
printed 15 significant digits).
"""

from __future__ import annotations

import json
from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from bioparity.analyses.nca import nca_kind, read_concentrations
from bioparity.cli.main import app
from bioparity.io.nca_input import PERIOD_DERIVED, UNLINKED_DOSES
from bioparity.io.sdtm import PP_KEYS, hours_to_iso8601
from bioparity.problems import A_PCDTC_OR_DOSE_LINK
from bioparity.scale import nca_dask
from tests.nca.test_nca_multiple_dose_workspace import write_domains

#: The R 4.2 computation of the statistics below (lin-up/log-down AUC to the last positive concentration).
R_REFERENCE = r"""
d <- datasets::Theoph; d$S <- as.integer(as.character(d$Subject))
auc <- function(t, c) { last <- max(which(c > 0)); t <- t[1:last]; c <- c[1:last]; a <- 0
  for (i in seq_len(length(t) - 1)) { dt <- t[i+1] - t[i]; c1 <- c[i]; c2 <- c[i+1]
    a <- a + if (c2 >= c1 || c2 <= 0 || c1 <= 0) dt * (c1 + c2) / 2 else dt * (c1 - c2) / log(c1 / c2) }
  a }
p1 <- t(sapply(1:6, function(s) { x <- d[d$S == s, ]; x <- x[order(x$Time), ]
  c(CMAX = max(x$conc), AUCLST = auc(x$Time, x$conc)) }))
for (period in 1:2) { v <- p1 * ifelse(period == 1, 1, 0.8); for (p in colnames(v)) { x <- v[, p]
  cat(period, p, mean(x), sd(x), exp(mean(log(x))), 100 * sqrt(exp(var(log(x))) - 1), median(x), "\n") } }
"""
#: (period, PPTESTCD) -> mean, sd, geometric mean, geometric CV %, median: R's output of R_REFERENCE.
R_STATISTICS = {
    (1, "CMAX"): (8.91166666666667, 1.77570737078683, 8.76306878097854, 20.4124411224364, 8.465),
    (1, "AUCLST"): (104.059035629407, 26.1332129206238, 101.435476881329, 25.0281269202733, 99.2559105019656),
    (2, "CMAX"): (7.12933333333333, 1.42056589662946, 7.01045502478283, 20.4124411224364, 6.772),
    (2, "AUCLST"): (83.2472285035252, 20.906570336499, 81.1483815050631, 25.0281269202733, 79.4047284015725),
}
STATISTICS = ("mean", "sd", "geometric_mean", "geometric_cv_percent", "median")
SUBJECTS = range(1, 7)


def _reference(subject: int, period: int) -> str:
    """PCRFTDTC (= EXSTDTC) of a subject's period: each subject dosed on its own day, period 2 14 days on."""
    return f"2026-01-{4 + subject + 14 * (period - 1):02d}T08:00"


def crossover_pc(theoph: pd.DataFrame, *, reorder: bool = True) -> pd.DataFrame:
    """The PC domain (no VISITNUM, VISIT, EPOCH; PCDTC = PCRFTDTC + PCELTM): subject 3's period 2 rows come
    first in the file (``reorder``), so the period is the order of the dates, not of the rows."""
    parts = []
    for period in (1, 2):
        for subject in SUBJECTS:
            rows = theoph[theoph["Subject"] == subject]
            parts.append(pd.DataFrame({
                "STUDYID": "X1", "DOMAIN": "PC", "USUBJID": f"X1-{subject}", "PCTESTCD": "THEOPH",
                "PCSPEC": "PLASMA", "PCELTM": [hours_to_iso8601(t) for t in rows["Time"]],
                "PCSTRESN": rows["conc"].to_numpy() * (1.0 if period == 1 else 0.8), "PCSTRESU": "ug/mL",
                "PCRFTDTC": _reference(subject, period),
            }))  # fmt: skip
    pc = pd.concat(parts, ignore_index=True)
    hours = pd.to_timedelta(pc["PCELTM"].str.slice(2, -1).astype(float), unit="h")
    pc["PCDTC"] = (pd.to_datetime(pc["PCRFTDTC"]) + hours).dt.round("s").dt.strftime("%Y-%m-%dT%H:%M:%S")
    first = (pc["USUBJID"] == "X1-3") & (pc["PCRFTDTC"] == _reference(3, 2)) & reorder
    return pd.concat([pc[first], pc[~first]], ignore_index=True)


def crossover_ex() -> pd.DataFrame:
    """One 320 mg dose per subject and period, EXSTDTC = the period's PCRFTDTC."""
    return pd.DataFrame(
        [
            {"STUDYID": "X1", "DOMAIN": "EX", "USUBJID": f"X1-{s}", "EXTRT": "DRUG", "EXDOSE": 320.0,
             "EXDOSU": "mg", "EXROUTE": "ORAL", "EXSTDTC": _reference(s, p)}
            for p in (1, 2)
            for s in SUBJECTS
        ]
    )  # fmt: skip


@pytest.mark.parametrize("dosing", [False, True], ids=["pc", "pc+ex"])
def test_summary_statistics_are_per_derived_period_with_every_subject(
    theoph: pd.DataFrame, tmp_path: Path, dosing: bool
) -> None:
    """Before: the summary was split by PCRFTDTC, 12 rows of n = 1 per parameter. Now one row per period
    with n = 6 subjects, and the mean, SD, geometric mean, geometric CV% and median of CMAX and AUCLST are
    R's (1e-9); the period is in OUT, ADPP and ADNCA (APERIOD), said on the terminal and in the provenance;
    SDTM PP tells the periods apart by PPRFTDTC and ties each period's records together in PPGRPID
    (``period=1``, ``period=2``: SDTMIG v3.3/v3.4 PP, PPGRPID "used to tie together a block of related
    records in a single domain to support relationships within the domain and between domains"), the same
    period as ADPP's APERIOD for that USUBJID and PPRFTDTC; its keys unique. Before, PP had no PPGRPID, so
    a PP record's period was not in PP (only in ADPP)."""
    pc, out = tmp_path / "pc.csv", tmp_path / "nca.csv"
    crossover_pc(theoph).to_csv(pc, index=False)
    args = ["nca", str(pc), "--out", str(out), "--adpp", str(tmp_path / "adpp.xpt")]
    args += ["--adnca", str(tmp_path / "adnca.xpt"), "--sdtm-pp", str(tmp_path / "pp.xpt")]
    if dosing:
        crossover_ex().to_csv(tmp_path / "ex.csv", index=False)
        args += ["--dosing", str(tmp_path / "ex.csv")]
    else:
        args += ["--dose", "320"]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    assert PERIOD_DERIVED in " ".join(run.output.split())
    summary = pd.read_csv(tmp_path / "nca.summary.csv")
    assert "PCRFTDTC" not in summary.columns
    assert sorted(set(summary["period"])) == [1, 2]
    assert (summary["n"] == len(SUBJECTS)).all()
    rows = summary.set_index(["period", "parameter"])
    for key, expected in R_STATISTICS.items():
        got = np.asarray([rows.loc[key, name] for name in STATISTICS], dtype=float)
        np.testing.assert_allclose(got, np.asarray(expected), rtol=1e-9, err_msg=str(key))
    table = pd.read_csv(out)
    periods = table.drop_duplicates(["subject", "PCRFTDTC"]).set_index(["subject", "PCRFTDTC"])["period"]
    assert {key: int(p) for key, p in periods.items()} == {
        (f"X1-{s}", _reference(s, p)): p for s in SUBJECTS for p in (1, 2)
    }
    record = json.loads((tmp_path / "nca.csv.provenance.json").read_text())
    assert record["derived_columns"] == [PERIOD_DERIVED]
    pp = pyreadstat.read_xport(str(tmp_path / "pp.xpt"))[0]
    assert not pp.duplicated([k for k in PP_KEYS if k in pp.columns]).any()
    assert pp.groupby(["USUBJID", "PPRFTDTC"]).ngroups == 2 * len(SUBJECTS)
    want = {(f"X1-{s}", _reference(s, p), p) for s in SUBJECTS for p in (1, 2)}
    grouped = set(zip(pp["USUBJID"], pp["PPRFTDTC"], pp["PPGRPID"], strict=True))
    assert grouped == {(u, r, f"period={p}") for u, r, p in want}
    assert "PPGRPID as 'period=" in " ".join(run.output.split())
    adpp = pyreadstat.read_xport(str(tmp_path / "adpp.xpt"))[0]
    adnca = pyreadstat.read_xport(str(tmp_path / "adnca.xpt"))[0]
    for records in (adpp, adnca):
        pairs = set(zip(records["USUBJID"], records["PCRFTDTC"], records["APERIOD"], strict=True))
        assert pairs == {(u, r, float(p)) for u, r, p in want}


def test_cli_workspace_and_batch_derive_the_same_periods_and_numbers(
    theoph: pd.DataFrame, tmp_path: Path
) -> None:
    """The same crossover PC through ``bioparity nca``, the workspace NCA and batch NCA of Parquet parts cut
    so that a part holds one period of a subject (the period comes from every part's reference dates): the
    same profile keys, in the same order, and the same numbers (exactly); the workspace result notes it."""
    data = crossover_pc(theoph)
    data.to_csv(tmp_path / "pc.csv", index=False)
    run = CliRunner().invoke(app, ["nca", str(tmp_path / "pc.csv"), "--out", str(tmp_path / "pp.csv")])
    assert run.exit_code == 0, run.output
    cli = pd.read_csv(tmp_path / "pp.csv")
    web = nca_kind(read_concentrations(tmp_path / "pc.csv"), {"dose": "auto", "review": ""})
    assert PERIOD_DERIVED in web["notes"]
    workspace = pd.DataFrame(web["rows"], columns=web["columns"])
    (tmp_path / "parts").mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(data)), 7)):
        data.iloc[rows].to_parquet(tmp_path / "parts" / f"part{i}.parquet", index=False)
    with dask.config.set(scheduler="synchronous"):
        batch: pd.DataFrame = nca_dask(tmp_path / "parts")[0].compute()  # type: ignore[no-untyped-call]
    keys = ["STUDYID", "PCTESTCD", "PCSPEC", "PCRFTDTC", "period", "subject"]
    for table in (cli, workspace, batch):
        assert list(table.columns[: len(keys)]) == keys
    assert web["n_profiles"] == 12

    def values(table: pd.DataFrame) -> pd.Series:
        index = [table[k].astype(str) for k in [*keys, "PPTESTCD"]]
        return pd.Series(table["PPSTRESN"].to_numpy(dtype=float), index=pd.MultiIndex.from_arrays(index))

    want = values(cli).sort_index()
    pd.testing.assert_series_equal(values(workspace).sort_index(), want)
    pd.testing.assert_series_equal(values(batch).sort_index(), want)


@pytest.mark.parametrize("dosing", [False, True], ids=["pc", "pc+ex"])
def test_adnca_afrlt_counts_from_the_first_dose_and_arrlt_from_the_periods(
    theoph: pd.DataFrame, tmp_path: Path, dosing: bool
) -> None:
    """ADNCA of the crossover: ARRLT is the time since the sample's own (reference) dose, PCELTM; AFRLT since
    the subject's first dose: PCELTM + (PCRFTDTC - the subject's period 1 PCRFTDTC) = + 336 h in period 2
    (computed here from the PC table with pandas, to 1e-9 h). Before, period 2's AFRLT was its ARRLT."""
    pc = crossover_pc(theoph)
    pc.to_csv(tmp_path / "pc.csv", index=False)
    args = ["nca", str(tmp_path / "pc.csv"), "--out", str(tmp_path / "nca.csv")]
    args += ["--adnca", str(tmp_path / "adnca.xpt")]
    if dosing:
        crossover_ex().to_csv(tmp_path / "ex.csv", index=False)
        args += ["--dosing", str(tmp_path / "ex.csv")]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    records = pyreadstat.read_xport(str(tmp_path / "adnca.xpt"))[0]
    assert records["USUBJID"].tolist() == pc["USUBJID"].tolist()  # one record per PC record, in its order
    elapsed = pc["PCELTM"].str.slice(2, -1).astype(float).to_numpy()
    dose = pd.to_datetime(pc["PCRFTDTC"])
    first = dose.groupby(pc["USUBJID"]).transform("min")
    offset = ((dose - first).dt.total_seconds() / 3600).to_numpy()
    assert sorted(set(offset)) == [0.0, 336.0]
    np.testing.assert_allclose(records["ARRLT"], elapsed, rtol=0, atol=1e-9)
    np.testing.assert_allclose(records["AFRLT"], elapsed + offset, rtol=0, atol=1e-9)
    assert (records["NCAXFL"] == "").all()


def test_multiple_dose_pp_references_each_intervals_own_dose(tmp_path: Path) -> None:
    """Multiple-dose SDTM PP and ADPP (five doses every 12 h, tests/nca/test_nca_multiple_dose_workspace.py):
    the parameters of dose k reference dose k (SDTMIG v3.4, PP: PPSTINT/PPENINT are relative to PPRFTDTC):
    PPRFTDTC = EX's EXSTDTC of the subject's k-th dose, as EX writes it, PPSTINT PT0H, PPENINT PT12H (tau).
    Before, PPRFTDTC was empty and dose 5 had PPSTINT PT48H, PPENINT PT60H (times since the first dose).
    OUT keeps its start/end on the clock of the first dose."""
    pc, ex = write_domains(tmp_path)
    pp, adpp, out = tmp_path / "pp.xpt", tmp_path / "adpp.xpt", tmp_path / "nca.csv"
    args = ["nca", str(pc), "--dosing", str(ex), "--tau", "12", "--out", str(out)]
    run = CliRunner().invoke(app, [*args, "--sdtm-pp", str(pp), "--adpp", str(adpp)])
    assert run.exit_code == 0, run.output
    doses = pyreadstat.read_xport(str(ex))[0]
    kth = doses.assign(k=doses.groupby("USUBJID").cumcount() + 1).set_index(["USUBJID", "k"])["EXSTDTC"]
    domain = pyreadstat.read_xport(str(pp))[0]
    records = pyreadstat.read_xport(str(adpp))[0]
    assert not domain.duplicated([k for k in PP_KEYS if k in domain.columns]).any()
    cmax = domain[domain["PPTESTCD"] == "CMAX"]
    assert len(cmax) == 60  # 12 subjects x 5 doses
    assert (cmax["PPSTINT"] == "PT0H").all() and (cmax["PPENINT"] == "PT12H").all()
    table = pd.read_csv(out)
    dose_number = table[table["PPTESTCD"] == "CMAX"]["dose_number"].to_numpy()
    want = [kth[(s, int(k))] for s, k in zip(cmax["USUBJID"], dose_number, strict=True)]
    assert cmax["PPRFTDTC"].tolist() == want
    assert set(table["start"]) == {0.0, 12.0, 24.0, 36.0, 48.0}  # OUT: hours since the first dose
    adpp_cmax = records[records["PARAMCD"] == "CMAX"]
    assert adpp_cmax["PCRFTDTC"].tolist() == [
        kth[(s, int(k))] for s, k in zip(adpp_cmax["USUBJID"], adpp_cmax["DOSENUM"], strict=True)
    ]
    assert (adpp_cmax["PPSTINT"] == "PT0H").all() and (adpp_cmax["PPENINT"] == "PT12H").all()


def test_a_crossover_pc_without_pcrftdtc_or_visitnum_says_what_to_add(
    theoph: pd.DataFrame, tmp_path: Path
) -> None:
    """PC without PCRFTDTC and EX without VISITNUM: nothing ties a sample to one dose, so the run stays
    multiple-dose NCA (each sample after the latest dose before it), and the terminal says exactly what to
    add for a crossover: PCRFTDTC to PC, or VISITNUM to PC and EX, or a --group column both have. Adding
    PCRFTDTC gives the single-dose NCA per period (the same note then absent). A PC without PCDTC as well is
    refused naming PCDTC and, for a crossover, PCRFTDTC or VISITNUM."""
    bare = crossover_pc(theoph, reorder=False).drop(columns="PCRFTDTC")
    bare.sort_values("USUBJID", kind="stable").to_csv(tmp_path / "bare.csv", index=False)
    crossover_pc(theoph).to_csv(tmp_path / "pc.csv", index=False)
    crossover_ex().to_csv(tmp_path / "ex.csv", index=False)
    outputs = {}
    for name in ("bare", "pc"):
        args = ["nca", str(tmp_path / f"{name}.csv"), "--dosing", str(tmp_path / "ex.csv")]
        run = CliRunner().invoke(app, [*args, "--out", str(tmp_path / f"{name}.out.csv")])
        assert run.exit_code == 0, run.output
        outputs[name] = " ".join(run.output.split())
    assert UNLINKED_DOSES in outputs["bare"] and "dosing intervals" in outputs["bare"]
    assert UNLINKED_DOSES not in outputs["pc"] and "one dose record per profile" in outputs["pc"]
    # without PCDTC too, the refusal names the crossover's links besides PCDTC (was: PCDTC alone)
    bare.drop(columns="PCDTC").to_csv(tmp_path / "no-pcdtc.csv", index=False)
    args = ["nca", str(tmp_path / "no-pcdtc.csv"), "--dosing", str(tmp_path / "ex.csv")]
    run = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "no-pcdtc.out.csv")])
    assert run.exit_code != 0 and not (tmp_path / "no-pcdtc.out.csv").exists()
    words = " ".join(run.output.split())
    assert "SDTM PC without PCDTC" in words and A_PCDTC_OR_DOSE_LINK in words


def test_adnca_afrlt_counts_from_the_subjects_first_dose_in_ex_even_unsampled(
    theoph: pd.DataFrame, tmp_path: Path
) -> None:
    """EX with a third dose per subject 7 days before period 1, not sampled in PC (a run-in dose): AFRLT
    counts from it, the subject's first dose in EX (ADaMIG for Non-compartmental Analysis Input Data v1.0:
    AFRLT is the actual time from the first dose; the pharmaverse admiral ADPC/ADNCA template takes that
    dose, FANLDTM, as the earliest EX record of the subject with EXDOSE > 0). By hand from the dates of
    ``_reference``: period 1 is 7 x 24 = 168 h after the run-in dose, period 2 168 + 14 x 24 = 504 h, so
    AFRLT = PCELTM + 168 h or + 504 h (to 1e-9 h). ARRLT stays PCELTM. Before, AFRLT counted from period 1's
    dose (PCELTM + 0 h or + 336 h)."""
    pc = crossover_pc(theoph)
    pc.to_csv(tmp_path / "pc.csv", index=False)
    ex = crossover_ex()
    run_in = ex.drop_duplicates("USUBJID").assign(
        EXSTDTC=[f"2026-01-{s - 3:02d}T08:00" if s > 3 else f"2025-12-{28 + s}T08:00" for s in SUBJECTS]
    )  # 7 days before period 1 (2026-01-05 for subject 1: 2025-12-29)
    pd.concat([run_in, ex], ignore_index=True).to_csv(tmp_path / "ex.csv", index=False)
    args = ["nca", str(tmp_path / "pc.csv"), "--dosing", str(tmp_path / "ex.csv")]
    args += ["--out", str(tmp_path / "nca.csv"), "--adnca", str(tmp_path / "adnca.xpt")]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    assert "one dose record per profile" in " ".join(run.output.split())
    records = pyreadstat.read_xport(str(tmp_path / "adnca.xpt"))[0]
    assert records["USUBJID"].tolist() == pc["USUBJID"].tolist()
    elapsed = pc["PCELTM"].str.slice(2, -1).astype(float).to_numpy()
    period_2 = (pc["PCRFTDTC"] == [_reference(int(u[3:]), 2) for u in pc["USUBJID"]]).to_numpy()
    assert period_2.sum() == len(pc) // 2
    np.testing.assert_allclose(records["ARRLT"], elapsed, rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        records["AFRLT"], elapsed + np.where(period_2, 504.0, 168.0), rtol=0, atol=1e-9
    )


def test_the_derived_period_and_unlinked_doses_notes_are_said_in_the_readers_language(
    theoph: pd.DataFrame, tmp_path: Path
) -> None:
    """``--lang zh-CN``: the note of the derived period and the note that nothing ties a PC sample to one EX
    dose are said in Chinese (the zh-CN catalogue's translation of each note template, through
    :func:`bioparity.i18n.notes.note_text` like every user note); the English text is not said. The
    workspace stores them in English and shows them through the same catalogue. Before, both were English."""
    from bioparity.i18n import use_language
    from bioparity.i18n.notes import note_text

    crossover_pc(theoph).to_csv(tmp_path / "pc.csv", index=False)
    bare = crossover_pc(theoph, reorder=False).drop(columns="PCRFTDTC").sort_values("USUBJID", kind="stable")
    bare.to_csv(tmp_path / "bare.csv", index=False)
    crossover_ex().to_csv(tmp_path / "ex.csv", index=False)
    said = {}
    for name, extra in (("pc", ["--dose", "320"]), ("bare", ["--dosing", str(tmp_path / "ex.csv")])):
        args = [
            "--lang",
            "zh-CN",
            "nca",
            str(tmp_path / f"{name}.csv"),
            "--out",
            str(tmp_path / f"{name}.out.csv"),
        ]
        run = CliRunner().invoke(app, [*args, *extra])
        assert run.exit_code == 0, run.output
        said[name] = " ".join(run.output.split())
    with use_language("zh-CN"):
        derived, unlinked = note_text(PERIOD_DERIVED), note_text(UNLINKED_DOSES)
    assert derived != PERIOD_DERIVED and unlinked != UNLINKED_DOSES  # the catalogue has both
    assert " ".join(derived.split()) in said["pc"] and PERIOD_DERIVED not in said["pc"]
    assert " ".join(unlinked.split()) in said["bare"] and UNLINKED_DOSES not in said["bare"]


def test_a_zero_dose_in_ex_is_no_first_dose_of_adnca(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """The same run-in record with EXDOSE 0 (no drug given: a placebo or a dose not taken): AFRLT counts from
    the first EX record with a dose > 0, period 1's (the pharmaverse admiral ADPC/ADNCA template derives the
    first dose FANLDTM from the EX records with EXDOSE > 0): PCELTM + 0 h, period 2 + 336 h (14 days x 24),
    by hand. Before, the zero dose started the clock (+168 h, +504 h)."""
    pc = crossover_pc(theoph)
    pc.to_csv(tmp_path / "pc.csv", index=False)
    ex = crossover_ex()
    run_in = ex.drop_duplicates("USUBJID").assign(
        EXDOSE=0.0,
        EXSTDTC=[f"2026-01-{s - 3:02d}T08:00" if s > 3 else f"2025-12-{28 + s}T08:00" for s in SUBJECTS],
    )
    pd.concat([run_in, ex], ignore_index=True).to_csv(tmp_path / "ex.csv", index=False)
    args = ["nca", str(tmp_path / "pc.csv"), "--dosing", str(tmp_path / "ex.csv")]
    args += ["--out", str(tmp_path / "nca.csv"), "--adnca", str(tmp_path / "adnca.xpt")]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    records = pyreadstat.read_xport(str(tmp_path / "adnca.xpt"))[0]
    elapsed = pc["PCELTM"].str.slice(2, -1).astype(float).to_numpy()
    period_2 = (pc["PCRFTDTC"] == [_reference(int(u[3:]), 2) for u in pc["USUBJID"]]).to_numpy()
    np.testing.assert_allclose(records["AFRLT"], elapsed + np.where(period_2, 336.0, 0.0), rtol=0, atol=1e-9)


def test_adnca_multiple_dose_afrlt_skips_a_zero_dose() -> None:
    """:func:`bioparity.io.adam.adnca_domain` on dose records at 0 h (dose 0: none given), 24 h and 36 h
    (100 mg each): a sample at 30 h is 6 h after the 24 h dose (ARRLT) and 6 h after the first dose given
    (AFRLT; hand arithmetic: 30 - 24), not 30 h. A dose record without a dose (NaN: unknown) still counts."""
    from bioparity.io.adam import adnca_domain

    samples = pd.DataFrame({"subject": ["1", "1", "2"], "time": [30.0, 40.0, 30.0], "conc": [1.0, 2.0, 3.0]})
    doses = pd.DataFrame(
        {"subject": ["1", "1", "1", "2"], "time": [0.0, 24.0, 36.0, 0.0], "dose": [0.0, 100.0, 100.0, np.nan]}
    )
    records = adnca_domain(samples, doses, subject="subject", time="time", conc="conc", dose_time="time")
    np.testing.assert_allclose(records["AFRLT"], [6.0, 16.0, 30.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(records["ARRLT"], [6.0, 4.0, 30.0], rtol=0, atol=1e-12)


def test_the_sdtm_reader_notes_are_said_in_the_readers_language(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """``--lang zh-CN`` with PC and EX of the crossover: the notes of the SDTM readers (PC detected, EX read,
    one dose record per profile, sample times from PCDTC - EXSTDTC of the profile's dose) are said in
    Chinese, each the zh-CN catalogue's translation of its template; no English note text is left. Before,
    only the derived-period note was translated."""
    from bioparity.i18n import use_language
    from bioparity.i18n.notes import note_text
    from bioparity.io.nca_input import (
        EX_READ,
        ONE_DOSE_PER_PROFILE,
        PC_DETECTED,
        SAMPLE_TIMES_FROM_PROFILE_DOSE,
    )

    pc, ex = tmp_path / "pc.csv", tmp_path / "ex.csv"
    crossover_pc(theoph).to_csv(pc, index=False)
    crossover_ex().to_csv(ex, index=False)
    args = ["--lang", "zh-CN", "nca", str(pc), "--dosing", str(ex), "--out", str(tmp_path / "o.csv")]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    said = " ".join(run.output.split())
    notes = [
        PC_DETECTED.format(file=pc, groups="STUDYID, PCTESTCD, PCSPEC, PCRFTDTC, USUBJID"),
        EX_READ.format(file=ex, n=12),
        ONE_DOSE_PER_PROFILE.format(keys="PCRFTDTC = EXSTDTC"),
        SAMPLE_TIMES_FROM_PROFILE_DOSE,
    ]
    for note in notes:
        with use_language("zh-CN"):
            chinese = note_text(note)
        assert chinese != note and " ".join(chinese.split()) in said, note
    for english in ("SDTM PC domain detected", "SDTM EX domain read", "one dose record per profile"):
        assert english not in said


def test_adpp_and_adnca_transport_files_have_labels(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """ADPP and ADNCA as SAS transport v5: every variable has a label of at most 40 characters (FDA Study
    Data Technical Conformance Guide, section 3.3.2), the ADaMIG v1.3 labels of AVAL, PARAMCD, APERIOD and
    the ADNCA IG v1.0 label of AFRLT; each data set its label. Before, no variable had one (SDTM PP had)."""
    crossover_pc(theoph).to_csv(tmp_path / "pc.csv", index=False)
    args = ["nca", str(tmp_path / "pc.csv"), "--out", str(tmp_path / "o.csv")]
    args += ["--adpp", str(tmp_path / "adpp.xpt"), "--adnca", str(tmp_path / "adnca.xpt")]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    for name, title in (
        ("adpp", "Pharmacokinetic Parameters Analysis"),
        ("adnca", "Pharmacokinetic Concentrations Analysis"),
    ):
        _frame, meta = pyreadstat.read_xport(str(tmp_path / f"{name}.xpt"))
        labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
        assert all(label and len(label) <= 40 for label in labels.values()), labels
        assert meta.file_label == title
        assert labels["AVAL"] == "Analysis Value" and labels["PARAMCD"] == "Parameter Code"
        assert labels["APERIOD"] == "Period"
    assert labels["AFRLT"] == "Actual Relative Time from First Dose"
