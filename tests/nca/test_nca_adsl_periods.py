"""The periods of an SDTM PC crossover from an ADaM ADSL (``bioparity nca --adsl``, ``nca-batch --adsl``,
the workspace NCA's option ``adsl``): each sample's period is the subject's ADSL period whose start
(APxxSDT/APxxSTM) is the latest at or before its PCRFTDTC, not after the period's end (ADaMIG v1.3,
sections 3.2.7 and 3.3.3: APERIOD; TRTP = TRTxxP of that period).

Without ADSL the period is the order of the subject's *sampled* doses: subject X1-2, not sampled in period
1, has its period 2 profile called period 1 (and a sampled run-in dose would be period 1). With ADSL it is
period 2, treatment A (sequence BA).

Data: the crossover PC of tests/nca/test_nca_crossover_periods.py (R's Theoph, subjects 1-6; period 2 = 0.8
x period 1), subject 2's period 1 rows left out. Reference: R 4.2.2, ``max(Theoph$conc[Theoph$Subject ==
2]) * 0.8`` = 6.664 (subject 2's period 2 Cmax), exact to 1e-12.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
from bioparity.errors import DataFileError, InputError
from bioparity.i18n import use_language
from bioparity.i18n.notes import note_text
from bioparity.io.nca_input import PERIOD_AND_TREATMENT_FROM_ADSL, PERIOD_DERIVED
from bioparity.scale import nca_dask
from tests.nca.test_nca_crossover_periods import SUBJECTS, _reference, crossover_pc

runner = CliRunner()
KEYS = ["STUDYID", "PCTESTCD", "PCSPEC", "PCRFTDTC", "period", "TRTP", "subject"]


def _sequence(subject: int) -> tuple[str, str]:
    return ("A", "B") if subject % 2 else ("B", "A")


def adsl(*, sas: bool = False) -> pd.DataFrame:
    """One record per subject: AP01SDT/AP01STM the period 1 dose, AP01EDT 7 days on (end of the washout),
    AP02SDT/AP02STM the period 2 dose; TRT01P/TRT02P by sequence. ``sas``: dates and times as a SAS data
    set holds them (date and time objects, written by pyreadstat as SAS numbers with DATE9./TIME8.)."""
    rows = []
    for s in SUBJECTS:
        first, second = (dt.datetime.fromisoformat(_reference(s, p)) for p in (1, 2))
        end = (first + dt.timedelta(days=7)).date()
        trt = _sequence(s)
        rows.append({
            "STUDYID": "X1", "USUBJID": f"X1-{s}", "ARM": "".join(trt),
            "AP01SDT": first.date() if sas else first.date().isoformat(),
            "AP01STM": first.time() if sas else "08:00:00",
            "AP01EDT": end if sas else end.isoformat(),
            "AP02SDT": second.date() if sas else second.date().isoformat(),
            "AP02STM": second.time() if sas else "08:00",
            "TRT01P": trt[0], "TRT02P": trt[1],
        })  # fmt: skip
    return pd.DataFrame(rows)


def _pc(theoph: pd.DataFrame) -> pd.DataFrame:
    """The crossover PC without subject 2's period 1 samples (not sampled in period 1)."""
    pc = crossover_pc(theoph)
    return pc[~((pc["USUBJID"] == "X1-2") & (pc["PCRFTDTC"] == _reference(2, 1)))].reset_index(drop=True)


def _values(table: pd.DataFrame) -> pd.Series:
    index = [table[k].astype(str) for k in [*KEYS, "PPTESTCD"]]
    return pd.Series(table["PPSTRESN"].to_numpy(dtype=float), index=pd.MultiIndex.from_arrays(index))


def test_cli_workspace_and_batch_take_the_periods_from_adsl(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """``nca --adsl`` (ADSL as SAS XPT), the workspace option ``adsl`` and ``nca_dask(adsl=)`` (ADSL as CSV,
    ISO 8601 text; the PC cut into Parquet parts): the same profile keys, in the same order, and the same
    numbers (exactly); subject 2's one profile is period 2, TRTP A, its Cmax R's 6.664; every other subject
    has period 1 and 2 with the treatments of its sequence. The rule is said on the terminal, stored in the
    workspace notes and recorded in the provenance (``derived_columns``, ``inputs.adsl`` with its SHA-256).
    Before (no ADSL): subject 2's profile was period 1, as the run without --adsl still says."""
    data = _pc(theoph)
    data.to_csv(tmp_path / "pc.csv", index=False)
    xpt, csv = tmp_path / "adsl.xpt", tmp_path / "adsl.csv"
    pyreadstat.write_xport(adsl(sas=True), str(xpt), table_name="ADSL", file_format_version=5)
    adsl().to_csv(csv, index=False)
    args = ["nca", str(tmp_path / "pc.csv"), "--out", str(tmp_path / "pp.csv"), "--adsl", str(xpt)]
    run = runner.invoke(app, args)
    assert run.exit_code == 0, run.output
    rule = PERIOD_AND_TREATMENT_FROM_ADSL.format(adsl=xpt)
    assert rule in " ".join(run.output.split()) and PERIOD_DERIVED not in " ".join(run.output.split())
    cli = pd.read_csv(tmp_path / "pp.csv")
    record = json.loads((tmp_path / "pp.csv.provenance.json").read_text())
    assert record["derived_columns"] == [rule]
    assert record["inputs"]["adsl"] == {
        "path": str(xpt),
        "sha256": hashlib.sha256(xpt.read_bytes()).hexdigest(),
    }

    web = nca_kind(read_concentrations(tmp_path / "pc.csv"), {"dose": "auto", "review": "", "adsl": str(csv)})
    assert PERIOD_AND_TREATMENT_FROM_ADSL.format(adsl="adsl.csv") in web["notes"]
    workspace = pd.DataFrame(web["rows"], columns=web["columns"])
    (tmp_path / "parts").mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(data)), 7)):
        data.iloc[rows].to_parquet(tmp_path / "parts" / f"part{i}.parquet", index=False)
    with dask.config.set(scheduler="synchronous"):
        batch: pd.DataFrame = nca_dask(tmp_path / "parts", adsl=csv)[0].compute()  # type: ignore[no-untyped-call]
    for table in (cli, workspace, batch):
        assert list(table.columns[: len(KEYS)]) == KEYS
    assert web["n_profiles"] == 11
    want = _values(cli)
    pd.testing.assert_series_equal(_values(workspace), want)  # one file: the same order
    pd.testing.assert_series_equal(_values(batch).sort_index(), want.sort_index())

    profiles = cli.drop_duplicates(["subject", "period"]).set_index(["subject", "period"])["TRTP"]
    assert profiles.to_dict() == {
        (f"X1-{s}", p): _sequence(s)[p - 1] for s in SUBJECTS for p in (1, 2) if (s, p) != (2, 1)
    }
    cmax = cli[cli["PPTESTCD"] == "CMAX"].set_index(["subject", "period"])["PPSTRESN"]
    assert cmax[("X1-2", 2)] == pytest.approx(6.664, rel=1e-12)  # R: max(Theoph$conc[Subject == 2]) * 0.8

    run = runner.invoke(app, ["nca", str(tmp_path / "pc.csv"), "--out", str(tmp_path / "rank.csv")])
    ranked = pd.read_csv(tmp_path / "rank.csv")
    assert set(ranked.loc[ranked["subject"] == "X1-2", "period"]) == {1}  # the order of the sampled doses


def test_nca_batch_records_the_adsl(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """``nca-batch --adsl``: the periods of ``nca --adsl`` and the ADSL with its SHA-256 in the provenance."""
    _pc(theoph).to_csv(tmp_path / "pc.csv", index=False)
    csv = tmp_path / "adsl.csv"
    adsl().to_csv(csv, index=False)
    out = tmp_path / "whole"
    run = runner.invoke(
        app, ["nca-batch", str(tmp_path / "pc.csv"), "--out", str(out), "--adsl", str(csv), "--workers", "0"]
    )
    assert run.exit_code == 0, run.output
    whole = pd.read_parquet(out)
    assert set(zip(whole["subject"], whole["period"], whole["TRTP"], strict=True)) >= {("X1-2", 2, "A")}
    record = json.loads((tmp_path / "whole.provenance.json").read_text())
    rule = PERIOD_AND_TREATMENT_FROM_ADSL.format(adsl=csv)
    assert record["derived_columns"] == [rule] and rule in " ".join(run.output.split())
    assert record["inputs"]["adsl"] == {
        "path": str(csv),
        "sha256": hashlib.sha256(csv.read_bytes()).hexdigest(),
    }


def test_adsl_refusals_name_the_file_row_and_column(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """A sampled run-in dose (before AP01SDT), a dose after its period's end with no later period, a subject
    missing from ADSL, a bad date and a plain table: each refused naming the file, row and column (nothing is
    silently put in a period, nor an ADSL silently ignored)."""
    pc = _pc(theoph)
    run_in = pc[pc["USUBJID"] == "X1-3"].head(3).assign(PCRFTDTC="2026-01-01T08:00")
    pd.concat([run_in, pc], ignore_index=True).to_csv(tmp_path / "run_in.csv", index=False)
    adsl().to_csv(tmp_path / "adsl.csv", index=False)
    run = runner.invoke(
        app,
        [
            "nca",
            str(tmp_path / "run_in.csv"),
            "--out",
            str(tmp_path / "o.csv"),
            "--adsl",
            str(tmp_path / "adsl.csv"),
        ],
    )
    words = " ".join(run.output.split())
    assert run.exit_code != 0 and "run_in.csv, row 1" in words and "PCRFTDTC" in words
    assert "outside every period of its subject" in words and not (tmp_path / "o.csv").exists()

    late = adsl().assign(AP02SDT="")  # period 2 unknown: the period 2 dose is after period 1's end
    late.to_csv(tmp_path / "late.csv", index=False)
    pc.to_csv(tmp_path / "pc.csv", index=False)
    with pytest.raises(DataFileError, match="outside every period") as refused:
        nca_kind(read_concentrations(tmp_path / "pc.csv"), {"adsl": str(tmp_path / "late.csv")})
    assert refused.value.column == "PCRFTDTC"

    adsl().iloc[1:].to_csv(tmp_path / "short.csv", index=False)
    with pytest.raises(DataFileError, match="X1-1") as refused:
        nca_kind(read_concentrations(tmp_path / "pc.csv"), {"adsl": str(tmp_path / "short.csv")})
    assert refused.value.column == "USUBJID"

    adsl().assign(AP01SDT=["2026-13-40", *["2026-01-06"] * 5]).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(DataFileError) as refused:
        nca_kind(read_concentrations(tmp_path / "pc.csv"), {"adsl": str(tmp_path / "bad.csv")})
    assert (refused.value.file, refused.value.row, refused.value.column) == ("bad.csv", 1, "AP01SDT")

    stored = read_concentrations(tmp_path / "adsl.csv")  # an ADSL uploaded: checked, not concentrations
    with pytest.raises(InputError, match="this dataset is an ADaM ADSL"):
        nca_kind(stored, {})

    plain = theoph.rename(columns={"Subject": "subject", "Time": "time"})[["subject", "time", "conc"]]
    plain.to_csv(tmp_path / "plain.csv", index=False)
    with pytest.raises(InputError, match="no PCRFTDTC"):
        nca_kind(read_concentrations(tmp_path / "plain.csv"), {"adsl": str(tmp_path / "adsl.csv")})


def test_the_adsl_period_note_is_said_in_chinese(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """``--lang zh-CN``: the note of the ADSL rule in Chinese (the catalogue's translation)."""
    _pc(theoph).to_csv(tmp_path / "pc.csv", index=False)
    adsl().to_csv(tmp_path / "adsl.csv", index=False)
    args = ["--lang", "zh-CN", "nca", str(tmp_path / "pc.csv"), "--out", str(tmp_path / "o.csv")]
    run = runner.invoke(app, [*args, "--adsl", str(tmp_path / "adsl.csv")])
    assert run.exit_code == 0, run.output
    rule = PERIOD_AND_TREATMENT_FROM_ADSL.format(adsl=tmp_path / "adsl.csv")
    with use_language("zh-CN"):
        chinese = note_text(rule)
    assert chinese != rule and " ".join(chinese.split()) in " ".join(run.output.split())


def test_summary_statistics_are_per_planned_treatment(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """With the ADSL's TRTxxP the summary statistics are per treatment (TRTP), not pooled over the two
    treatments of a period (EMA CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.8). Reference, R 4.2.2: m <- the
    Cmax of Theoph subjects 1-6; A = c(m[c(1,3,5)], 0.8 * m[c(2,4,6)]), B = c(0.8 * m[c(1,3,5)], m[c(4,6)])
    (subject 2 not sampled in period 1): mean(A) 8.13266666666667, sd(A) 2.40394664388931, mean(B) 7.824,
    sd(B) 1.23761060111814 (rtol 1e-12). Before, the rows were per period with both treatments pooled. The
    terminal does not say the statistics pool the arms (it did, though they were per TRTP)."""
    _pc(theoph).to_csv(tmp_path / "pc.csv", index=False)
    adsl().to_csv(tmp_path / "adsl.csv", index=False)
    args = [
        "nca",
        str(tmp_path / "pc.csv"),
        "--out",
        str(tmp_path / "o.csv"),
        "--adsl",
        str(tmp_path / "adsl.csv"),
    ]
    run = runner.invoke(app, args)
    assert run.exit_code == 0, run.output
    assert "pool the subjects of every arm" not in " ".join(run.output.split())
    summary = pd.read_csv(tmp_path / "o.summary.csv")
    cmax = summary[summary["parameter"] == "CMAX"].set_index("TRTP")
    assert list(cmax.index) == ["A", "B"] and list(cmax["n"]) == [6, 5]
    want = {"A": (8.13266666666667, 2.40394664388931), "B": (7.824, 1.23761060111814)}
    for treatment, (mean, sd) in want.items():
        assert cmax.loc[treatment, "mean"] == pytest.approx(mean, rel=1e-12)
        assert cmax.loc[treatment, "sd"] == pytest.approx(sd, rel=1e-12)


def test_a_pcrftdtc_with_a_utc_offset_is_placed_by_its_clock_time() -> None:
    """PCRFTDTC ``2026-01-05T08:00+01:00`` (SDTMIG allows the offset) is compared by its clock time with an
    ADSL period starting 2026-01-05 08:00 (ADSL dates and times carry no offset): period 1, not a traceback
    (before the fix: TypeError from a time-zone-aware timestamp)."""
    from bioparity.io.adsl import adsl_periods, assign_periods
    from bioparity.io.readers import LoadedTable
    from bioparity.io.sdtm import iso_instants
    from bioparity.nca.samples import Where

    table = LoadedTable(adsl().head(1), "adsl.csv", "csv", None)
    stamps = iso_instants(pd.Series(["2026-01-05T08:00+01:00", "2026-01-19T09:00+01:00"]))
    period, treatments = assign_periods(
        adsl_periods(table), pd.Series(["X1-1", "X1-1"]), stamps, Where(file="pc.csv"), "PCRFTDTC"
    )
    assert period.tolist() == [1, 2] and treatments["TRTP"].tolist() == ["A", "B"]
