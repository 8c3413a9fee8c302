"""The NCA input spec (issue #21): one grouping rule, one dose rule, one entry for every front end.

The same file goes through ``bioparity nca``, the workspace NCA (``read_concentrations`` + ``nca_kind``)
and batch NCA on Dask (``nca_dask``: the file itself, and its rows as Parquet parts) and gives the same
profiles and the same numbers; those numbers are PKNCA 0.12.1's for Theoph
(tests/data/reference/expected/nca_theoph_linuplogdown.csv). SDTM PC + EX with one dose per subject on the
command line gives the workspace's numbers for the same doses as a column, and the same numbers when
pc.xpt and ex.xpt themselves are uploaded to the workspace (EX as the option dosing) or run as batch NCA
(``bioparity nca-batch pc.xpt --dosing ex.xpt``, and PC as Parquet parts), with the same refusals
(batch NCA's own: tests/scale/test_batch_nca_sdtm.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pyreadstat
import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from bioparity.analyses.nca import NCA, nca_kind, nca_summary, read_concentrations
from bioparity.cli.main import app
from bioparity.errors import DataFileError, InputError
from bioparity.i18n import use_language
from bioparity.io.nca_input import ARMS_POOLED
from bioparity.io.sdtm import hours_to_iso8601, iso8601_duration_hours
from bioparity.nca import AUTO, GROUP_COLUMNS, NCAOptions, NCASpec, dose_option, run_nca, spec_from_options
from bioparity.scale import nca_dask
from bioparity.store import make_sessionmaker
from bioparity.workspace import Actor
from bioparity.workspace.analyses import run_analysis
from bioparity.workspace.datasets import (
    column_map_json,
    detect_unit_columns,
    header_columns,
    read_mapped,
    upload_dataset,
)
from tests.nca.test_nca_multiple_dose_workspace import write_domains
from tests.nca.test_nca_sdtm_units import theoph_domains
from tests.workspace.conftest import database, make_company

#: PPTESTCD -> PKNCA name, for the parameters compared with PKNCA below
PKNCA = {"CMAX": "cmax", "AUCLST": "auclast", "LAMZ": "lambda.z", "AUCIFO": "aucinf.obs", "CLFO": "cl.obs"}
#: how each parameter scales when every concentration is multiplied by SCALE (lambda_z does not)
SCALE = 1.25
POWER = {"CMAX": 1, "AUCLST": 1, "LAMZ": 0, "AUCIFO": 1, "CLFO": -1}


def _crossover(theoph: pd.DataFrame, header: dict[str, str]) -> pd.DataFrame:
    """Theoph as a two-period study of two arms: period 2 repeats period 1 with concentrations x SCALE."""
    one = theoph.rename(columns={"Subject": "subject", "Time": "time"})[
        ["subject", "time", "conc", "dose_mg"]
    ]
    one = one.rename(columns={"dose_mg": "dose"})
    one.insert(1, "arm", np.where(one["subject"] <= 6, "A", "B"))
    periods = [one.assign(period=1), one.assign(period=2, conc=one["conc"] * SCALE)]
    return pd.concat(periods, ignore_index=True).rename(columns=header)


def _long(table: pd.DataFrame, keys: list[str]) -> pd.Series:
    """PPSTRESN by profile keys (as text) and PPTESTCD."""
    index = [table[k].astype(str) for k in keys] + [table["PPTESTCD"].astype(str)]
    return pd.Series(table["PPSTRESN"].to_numpy(dtype=float), index=pd.MultiIndex.from_arrays(index))


@pytest.mark.parametrize(
    "header",
    [{}, {"arm": "ARM", "period": "Period", "dose": "Dose"}],
    ids=["lower-case", "mixed-case"],
)
def test_cli_workspace_and_batch_give_the_same_profiles_and_pknca_numbers(
    theoph: pd.DataFrame, theoph_expected: pd.DataFrame, header: dict[str, str], tmp_path: Path
) -> None:
    data = _crossover(theoph, header)
    keys = [header.get("arm", "arm"), header.get("period", "period"), "subject"]
    data.to_csv(tmp_path / "pk.csv", index=False)
    run = CliRunner().invoke(app, ["nca", str(tmp_path / "pk.csv"), "--out", str(tmp_path / "pp.csv")])
    assert run.exit_code == 0, run.output
    cli = pd.read_csv(tmp_path / "pp.csv")
    web = nca_kind(read_concentrations(tmp_path / "pk.csv"), {"dose": "auto", "review": ""})
    workspace = pd.DataFrame(web["rows"], columns=web["columns"])
    (tmp_path / "parts").mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(data)), 5)):  # profiles cut across files
        data.iloc[rows].to_parquet(tmp_path / "parts" / f"part{i}.parquet", index=False)
    with dask.config.set(scheduler="synchronous"):
        lazy, shuffled = nca_dask(tmp_path / "parts")
        batch: pd.DataFrame = lazy.compute()  # type: ignore[no-untyped-call]
        whole: pd.DataFrame = nca_dask(tmp_path / "pk.csv")[0].compute()  # type: ignore[no-untyped-call]
    assert shuffled
    for table in (cli, workspace, batch, whole):
        assert list(table.columns[:4]) == [*keys, "start"]  # the same profile keys, in the same order
    assert web["n_profiles"] == 24  # 12 subjects x 2 periods
    values = _long(cli, keys)
    pd.testing.assert_series_equal(_long(workspace, keys).sort_index(), values.sort_index())
    pd.testing.assert_series_equal(_long(batch, keys).sort_index(), values.sort_index())
    pd.testing.assert_series_equal(_long(whole, keys), _long(cli, keys))  # the same file: same row order
    # ... and PKNCA's numbers: period 1 as published, period 2 scaled (the dose column gave CL)
    expected = theoph_expected.set_index(["Subject", "PPTESTCD"])["PPORRES"]
    for (arm, period, subject, code), got in zip(values.index.to_list(), values.to_list(), strict=True):
        if code in PKNCA:
            want = expected[(int(subject), PKNCA[code])] * (SCALE ** POWER[code] if period == "2" else 1.0)
            assert got == pytest.approx(want, rel=1e-6), (arm, period, subject, code)


def test_a_dose_column_gives_cl_and_vz_without_the_dose_option(
    theoph: pd.DataFrame, theoph_expected: pd.DataFrame, tmp_path: Path
) -> None:
    data = theoph.rename(columns={"Subject": "subject", "Time": "time", "dose_mg": "dose"})
    data[["subject", "time", "conc", "dose"]].to_csv(tmp_path / "pk.csv", index=False)
    outputs = {}
    for name, extra in {"auto": [], "none": ["--dose", "none"]}.items():
        out = tmp_path / f"pp-{name}.csv"
        run = CliRunner().invoke(app, ["nca", str(tmp_path / "pk.csv"), "--out", str(out), *extra])
        assert run.exit_code == 0, run.output
        outputs[name] = pd.read_csv(out).set_index(["subject", "PPTESTCD"])
    expected = theoph_expected.set_index(["Subject", "PPTESTCD"])["PPORRES"]
    for code, pknca in {"CLFO": "cl.obs", "VZFO": "vz.obs"}.items():
        got = outputs["auto"].xs(code, level="PPTESTCD")["PPSTRESN"]
        want = expected.xs(pknca, level="PPTESTCD").reindex(got.index)
        np.testing.assert_allclose(got, want, rtol=1e-6)
    codes = set(outputs["none"].index.get_level_values("PPTESTCD"))
    assert "AUCIFO" in codes and not codes & {"CLFO", "VZFO"}  # no dose: no dose-based parameters


def test_the_grouping_rule_finds_group_columns_in_any_case_in_a_fixed_order() -> None:
    columns = ["Subject", "TIME", "conc", "Visit", "PERIOD", "arm", "site", "Dose"]
    spec = NCASpec(groups=("site",)).resolve(columns)
    assert (spec.subject, spec.time, spec.conc) == ("Subject", "TIME", "conc")
    assert spec.groups == ("arm", "PERIOD", "Visit", "site")  # GROUP_COLUMNS order, then the given ones
    assert spec.keys == ["arm", "PERIOD", "Visit", "site", "Subject"]
    assert spec.dose == "Dose"
    assert spec.resolve(columns) == spec  # resolving again changes nothing
    assert NCASpec(groups=("period",)).resolve(columns).groups == ("arm", "Visit", "PERIOD")
    assert GROUP_COLUMNS[:2] == ("arm", "period")


def test_exact_names_win_and_two_case_variants_are_ambiguous() -> None:
    assert NCASpec().resolve(["subject", "time", "Time", "conc"]).time == "time"
    with pytest.raises(InputError, match="'Time', 'TIME' all match 'time'"):
        NCASpec().resolve(["subject", "Time", "TIME", "conc"])
    with pytest.raises(InputError, match="'Period', 'PERIOD'"):
        NCASpec().resolve(["subject", "time", "conc", "Period", "PERIOD"])


@pytest.mark.parametrize(
    ("dose", "columns", "resolved"),
    [
        (AUTO, ["subject", "time", "conc", "dose"], "dose"),
        (AUTO, ["subject", "time", "conc"], None),
        (None, ["subject", "time", "conc", "dose"], None),
        ("320", ["subject", "time", "conc", "dose"], 320.0),
        ("320", ["subject", "time", "conc", "320"], "320"),
        (50.0, ["subject", "time", "conc", "dose"], 50.0),
        ("dose_mg", ["subject", "time", "conc", "DOSE_MG"], "DOSE_MG"),
        ("missing", ["subject", "time", "conc"], "missing"),  # reported by the analysis, naming the file
    ],
)
def test_the_dose_is_a_column_a_number_or_none(
    dose: str | float | None, columns: list[str], resolved: str | float | None
) -> None:
    assert NCASpec(dose=dose).resolve(columns).dose == resolved


def test_options_of_the_command_line_and_the_workspace_make_the_same_spec() -> None:
    cli = spec_from_options(
        {"infile": "pk.csv", "dose": "auto", "group": ["site"], "auc_method": "linear", "conc_unit": None,
         "time_unit": "h", "interval": ["0,24"], "parameters": "CMAX, AUCLST", "blq_rule": "pknca",
         "min_points": 3, "extrapolate_tau": False, "tau": None}
    )  # fmt: skip
    web = spec_from_options({"dose": "auto", "auc_method": "linear", "conc_unit": "", "review": ""})
    assert cli.options == web.options == NCAOptions(auc_method="linear")
    assert (
        cli.groups == ("site",) and cli.intervals == ((0.0, 24.0),) and cli.parameters == ("CMAX", "AUCLST")
    )
    assert web.dose == cli.dose == AUTO and web.conc_unit is None and web.time_unit == "h"
    assert spec_from_options({"dose": ""}).dose is None
    with pytest.raises(InputError, match="option auc_method=5; expected text"):
        spec_from_options({"auc_method": 5})
    with pytest.raises(InputError, match="expected START,END"):
        spec_from_options({"interval": ["0-24"]})


@pytest.mark.parametrize(
    ("text", "dose"),
    [(None, AUTO), ("auto", "auto"), ("", None), (" None ", None), ("dose_mg", "dose_mg"), (5, 5.0)],
)
def test_dose_option(text: str | float | None, dose: str | float | None) -> None:
    assert dose_option(text) == dose


def test_a_bad_spec_is_refused_before_any_data_is_read() -> None:
    with pytest.raises(InputError, match="tau 0: the dosing interval must be a positive"):
        NCASpec(tau=0.0)
    with pytest.raises(InputError, match="expected a dose > 0"):
        NCASpec(dose=0.0)
    with pytest.raises(InputError, match="not true/false"):
        NCASpec(dose=True)


def test_a_unit_column_is_converted_once_and_recorded(theoph: pd.DataFrame) -> None:
    data = theoph.rename(columns={"Subject": "subject", "Time": "time"}).assign(unit="mg/L")
    second = data["subject"] == 2
    data.loc[second, "conc"] = data.loc[second, "conc"] * 1000.0
    data.loc[second, "unit"] = "ng/mL"  # the same concentrations in another unit
    spec = NCASpec(dose="dose_mg", conc_unit_column="unit")
    converted = run_nca(data, spec)
    plain = run_nca(data.assign(conc=theoph["conc"]), NCASpec(dose="dose_mg"))
    assert converted.conc_unit == "mg/L"  # the unit of the first row
    np.testing.assert_allclose(converted.values, plain.values, rtol=1e-12, equal_nan=True)


def test_plain_dose_records_named_subject_serve_samples_with_another_subject_column(
    theoph: pd.DataFrame, tmp_path: Path
) -> None:
    theoph[["Subject", "Time", "conc"]].to_csv(tmp_path / "pk.csv", index=False)
    pd.DataFrame({"subject": range(1, 13), "time": 0.0, "dose": 320.0}).to_csv(
        tmp_path / "doses.csv", index=False
    )
    files = {name: str(tmp_path / name) for name in ("pk.csv", "md.csv", "doses.csv", "adnca.csv")}
    args = ["nca", files["pk.csv"], "--out", files["md.csv"], "--dosing", files["doses.csv"], "--tau", "24",
            "--adnca", files["adnca.csv"]]  # fmt: skip
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    adnca = pd.read_csv(tmp_path / "adnca.csv")
    assert len(adnca) == len(theoph) and (adnca["DOSEA"] == 320.0).all()
    np.testing.assert_allclose(adnca["AFRLT"], theoph["Time"])  # one dose at 0 h: time since the dose
    intervals = pd.read_csv(tmp_path / "md.csv")
    assert sorted(intervals["Subject"].unique()) == list(range(1, 13))


def test_single_doses_from_ex_give_the_workspace_numbers_of_the_same_doses_as_a_column(
    theoph: pd.DataFrame, tmp_path: Path
) -> None:
    """PC + EX with one dose per subject on the command line = the workspace NCA of the same samples with
    each subject's EXDOSE as the dose column and PCSTRESU as the unit column (its upload mapping): the
    same numbers and units for every profile and parameter (one dose rule: a dose per profile)."""
    times = theoph["Time"].map(hours_to_iso8601)
    pc = pd.DataFrame({"STUDYID": "THEO-1", "USUBJID": theoph["Subject"].astype(str), "PCTESTCD": "THEOPH",
                       "PCELTM": times, "PCSTRESN": theoph["conc"], "PCSTRESU": "mg/L"})  # fmt: skip
    first = theoph.drop_duplicates("Subject")
    ex = pd.DataFrame({"STUDYID": "THEO-1", "USUBJID": first["Subject"].astype(str),
                       "EXDOSE": first["dose_mg"], "EXDOSU": "mg", "EXROUTE": "ORAL",
                       "EXSTDTC": "2026-01-05T08:00"})  # fmt: skip
    pyreadstat.write_xport(pc, str(tmp_path / "pc.xpt"), table_name="PC", file_format_version=5)
    pyreadstat.write_xport(ex, str(tmp_path / "ex.xpt"), table_name="EX", file_format_version=5)
    args = [
        "nca",
        str(tmp_path / "pc.xpt"),
        "--out",
        str(tmp_path / "pp.csv"),
        "--dosing",
        str(tmp_path / "ex.xpt"),
    ]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    cli = pd.read_csv(tmp_path / "pp.csv")
    # the workspace upload: one table (PC's columns + EXDOSE), mapped as the upload page maps it
    table = pc.merge(ex[["USUBJID", "EXDOSE"]], on="USUBJID", validate="many_to_one")
    table["time"] = [iso8601_duration_hours(t) for t in table["PCELTM"]]
    content = table.drop(columns="PCELTM").to_csv(index=False).encode()
    rename = {"USUBJID": "subject", "PCSTRESN": "conc", "EXDOSE": "dose"}
    unit_columns = detect_unit_columns(NCA, header_columns(content, "pk.csv"), rename)
    assert unit_columns == {"conc": "PCSTRESU"}
    options = {"dose": "auto", "conc_unit": "mg/L", "time_unit": "h", "dose_unit": "mg", "review": ""}
    frame = read_mapped(content, "pk.csv", column_map_json(rename, {}, unit_columns), NCA, options)
    web = nca_kind(frame, options)
    workspace = pd.DataFrame(web["rows"], columns=web["columns"])
    assert web["n_profiles"] == len(cli.drop_duplicates("subject")) == 12
    got, want = (t.set_index([t["subject"].astype(str), "PPTESTCD"]).sort_index() for t in (workspace, cli))
    pd.testing.assert_series_equal(got["PPSTRESN"], want["PPSTRESN"], rtol=1e-12)
    # a CSV reads an empty unit back as missing
    pd.testing.assert_series_equal(got["PPSTRESU"].fillna(""), want["PPSTRESU"].fillna(""))
    assert want.loc[("9", "CLFO"), "PPSTRESU"] == "L/h"
    cl = cli.set_index([cli["subject"].astype(str), "PPTESTCD"])["PPSTRESN"]
    assert cl[("9", "CLFO")] == pytest.approx(267.84 / cl[("9", "AUCIFO")], rel=1e-12)  # subject 9's own dose


@contextmanager
def _workspace(tmp_path: Path) -> Iterator[tuple[sessionmaker[Session], Actor, str]]:
    """A workspace store (SQLite) with a PK study; yields its sessions, an analyst and the study's id."""
    with database("sqlite", tmp_path) as engine:
        sessions = make_sessionmaker(engine)
        company = make_company(sessions, "sdtm")
        yield sessions, company.actor("analyst"), company.study.id


def _upload(sessions: sessionmaker[Session], actor: Actor, study: str, path: Path) -> str:
    """``path`` uploaded to the study, checked for NCA (as the upload page does in a PK study)."""
    with sessions.begin() as session:
        dataset = upload_dataset(session, actor, study, name=path.stem, filename=path.name,
                                 content=path.read_bytes(), analysis_kind="nca")  # fmt: skip
        return dataset.id


def test_sdtm_pc_and_ex_give_the_same_numbers_on_the_command_line_in_the_workspace_and_in_batch(
    theoph: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pc.xpt and ex.xpt (one dose record per subject) uploaded to a study and run as NCA with the EX
    dataset as the option dosing = ``bioparity nca pc.xpt --dosing ex.xpt`` = ``bioparity run nca pc.xpt
    -o dosing=ex.xpt`` = ``bioparity nca-batch pc.xpt --dosing ex.xpt`` = batch NCA of PC's rows as
    Parquet parts with ex.xpt: the same profile keys and rows, PPSTRESN to 1e-12, units from PCSTRESU and
    EXDOSU, each subject's own dose (subject 9: 267.84 mg); the run records the SHA-256 of both files."""
    monkeypatch.chdir(tmp_path)
    pc, ex = theoph_domains(theoph)
    pyreadstat.write_xport(pc, "pc.xpt", table_name="PC", file_format_version=5)
    pyreadstat.write_xport(ex, "ex.xpt", table_name="EX", file_format_version=5)
    run = CliRunner().invoke(app, ["nca", "pc.xpt", "--out", "pp.csv", "--dosing", "ex.xpt"])
    assert run.exit_code == 0, run.output
    cli = pd.read_csv("pp.csv", dtype={"subject": str})
    record = json.loads(Path("pp.csv.provenance.json").read_text())
    command = CliRunner().invoke(app, ["run", "nca", "pc.xpt", "-o", "dosing=ex.xpt", "--json"])
    assert command.exit_code == 0, command.output
    with _workspace(tmp_path) as (sessions, actor, study):
        pc_id = _upload(sessions, actor, study, tmp_path / "pc.xpt")
        ex_id = _upload(sessions, actor, study, tmp_path / "ex.xpt")
        with sessions.begin() as session:
            stored = run_analysis(session, actor, pc_id, "nca", {"dosing": ex_id})
            assert stored.status == "succeeded", stored.error
            result, inputs = json.loads(stored.result_json or "{}"), json.loads(stored.inputs_json)
            options, result_text = json.loads(stored.options_json), stored.result_json
    assert options["dosing"] == ex_id
    assert inputs == {
        "dataset": record["inputs"]["concentrations"]["sha256"],
        "dosing": record["inputs"]["dosing"]["sha256"],
    }
    assert inputs["dosing"] == hashlib.sha256((tmp_path / "ex.xpt").read_bytes()).hexdigest()
    assert command.stdout.strip() == result_text  # bioparity run prints what the workspace stores
    # and its notes on stderr: this PC has no arm and no DM was given, so the summary pools the subjects
    assert json.loads(result_text)["notes"] == [ARMS_POOLED]
    assert f"note: {ARMS_POOLED}" in " ".join(command.stderr.split())
    workspace = pd.DataFrame(result["rows"], columns=result["columns"])
    assert (
        list(workspace.columns[:5])
        == list(cli.columns[:5])
        == ["STUDYID", "PCTESTCD", "PCSPEC", "PCRFTDTC", "subject"]  # PCRFTDTC = EXSTDTC: PC has none
    )
    assert result["n_profiles"] == 12 and len(workspace) == len(cli)
    got, want = (t.set_index([t["subject"].astype(str), "PPTESTCD"]).sort_index() for t in (workspace, cli))
    pd.testing.assert_series_equal(got["PPSTRESN"], want["PPSTRESN"], rtol=1e-12)
    pd.testing.assert_series_equal(got["PPSTRESU"].fillna(""), want["PPSTRESU"].fillna(""))
    assert got.loc[("9", "CLFO"), "PPSTRESU"] == "L/h" and got.loc[("9", "CMAX"), "PPSTRESU"] == "mg/L"
    auc = 97.5200039392502  # subject 9's AUCinf, PKNCA 0.12.1
    assert got.loc[("9", "AUCIFO"), "PPSTRESN"] == pytest.approx(auc, rel=1e-9)
    assert got.loc[("9", "CLFO"), "PPSTRESN"] == pytest.approx(267.84 / auc, rel=1e-9)  # EXDOSE of subject 9
    # batch NCA of the same files, and of PC's rows as Parquet parts cut across subjects
    args = ["nca-batch", "pc.xpt", "--out", "batch", "--dosing", "ex.xpt", "--workers", "0"]
    batch_run = CliRunner().invoke(app, args)
    assert batch_run.exit_code == 0, batch_run.output
    Path("parts").mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(pc)), 5)):
        pc.iloc[rows].to_parquet(f"parts/part{i}.parquet", index=False)
    with dask.config.set(scheduler="synchronous"):
        lazy, shuffled = nca_dask("parts", dosing="ex.xpt")
        parts: pd.DataFrame = lazy.compute()  # type: ignore[no-untyped-call]
    assert shuffled
    for batch in (pd.read_parquet("batch"), parts):
        assert list(batch.columns[:4]) == list(cli.columns[:4]) and len(batch) == len(cli)
        got = batch.set_index([batch["subject"].astype(str), "PPTESTCD"]).sort_index()
        pd.testing.assert_series_equal(got["PPSTRESN"], want["PPSTRESN"], rtol=1e-12)
        pd.testing.assert_series_equal(got["PPSTRESU"].fillna(""), want["PPSTRESU"].fillna(""))


def test_the_workspace_refuses_sdtm_files_with_the_command_lines_errors(
    theoph: pd.DataFrame, tmp_path: Path
) -> None:
    """Mixed units, a unit option that is not the file's, a subject without a dose record: the messages
    of ``bioparity nca`` (tests/nca/test_nca_sdtm_units.py), naming the file, row and column."""
    pc, ex = theoph_domains(theoph)
    files = {name: tmp_path / name for name in ("pc.xpt", "ex.xpt", "ex8.xpt", "mixed.csv", "exu.csv")}
    pyreadstat.write_xport(pc, str(files["pc.xpt"]), table_name="PC", file_format_version=5)
    pyreadstat.write_xport(ex, str(files["ex.xpt"]), table_name="EX", file_format_version=5)
    pyreadstat.write_xport(ex[ex["USUBJID"] != "9"], str(files["ex8.xpt"]), table_name="EX",
                           file_format_version=5)  # fmt: skip
    pc.assign(PCSTRESU=np.where(pc.index == 30, "ng/mL", "mg/L")).to_csv(files["mixed.csv"], index=False)
    ex.assign(EXDOSU=np.where(np.arange(len(ex)) == 2, "ug", "mg")).to_csv(files["exu.csv"], index=False)
    with _workspace(tmp_path) as (sessions, actor, study):
        for name, message in {
            "mixed.csv": "mixed.csv, row 31 (line 32), column 'PCSTRESU': the unit differs from 'mg/L' of "
            "row 1 (line 2) (got 'ng/mL')",
            "exu.csv": "exu.csv, row 3 (line 4), column 'EXDOSU': the unit differs from 'mg' of row 1 "
            "(line 2) (got 'ug')",
        }.items():
            with pytest.raises(DataFileError) as bad_file:
                _upload(sessions, actor, study, files[name])
            assert message in str(bad_file.value)
        pc_id, ex_id, ex8_id = (
            _upload(sessions, actor, study, files[n]) for n in ("pc.xpt", "ex.xpt", "ex8.xpt")
        )
        for options, error, message in [
            ({"conc_unit": "ng/mL"}, DataFileError,
             "pc.xpt, row 1, column 'PCSTRESU': --conc-unit 'ng/mL' is not the unit of the file"),
            ({"dosing": ex_id, "dose_unit": "ug"}, DataFileError,
             "ex.xpt, row 1, column 'EXDOSU': --dose-unit 'ug' is not the unit of the file (got 'mg')"),
            ({"dosing": ex8_id}, DataFileError,
             "pc.xpt, row 89, column 'USUBJID': no dose record for this subject in ex8.xpt"),
            ({"dosing": ex_id, "dose": "320"}, InputError,
             "two doses given: --dosing ex.xpt (EXDOSE per subject) and --dose"),
            ({"dosing": "no-such-dataset"}, InputError,
             "option dosing: no dataset 'no-such-dataset' in the study of pc.xpt"),
        ]:  # fmt: skip
            with sessions.begin() as session, pytest.raises(error) as refused:
                run_analysis(session, actor, pc_id, "nca", options)
            assert message in str(refused.value), options
        with (
            sessions.begin() as session,
            pytest.raises(InputError, match="this dataset is an SDTM EX domain"),
        ):
            run_analysis(session, actor, ex_id, "nca", {})


def test_repeated_ex_doses_give_the_command_lines_multiple_dose_nca_in_the_workspace_kind(
    theoph: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two EX records per subject (08:00 and 20:00) with PCDTC: ``bioparity run nca pc.csv -o
    dosing=ex.csv`` (the workspace's reader and compute) = ``bioparity nca pc.csv --dosing ex.csv``, one
    set of parameters per dosing interval (2 x 12), the same numbers; the run's summary says so."""
    monkeypatch.chdir(tmp_path)
    pc, ex = theoph_domains(theoph)
    when = pd.Timestamp("2026-01-05T08:00") + pd.to_timedelta(theoph["Time"] * 3600.0, unit="s")
    pc.assign(PCDTC=when.dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy()).to_csv("pc.csv", index=False)
    pd.concat([ex, ex.assign(EXSTDTC="2026-01-05T20:00")]).to_csv("ex.csv", index=False)
    run = CliRunner().invoke(app, ["nca", "pc.csv", "--out", "md.csv", "--dosing", "ex.csv"])
    assert run.exit_code == 0 and "wrote 24 dosing intervals" in run.output, run.output
    command = CliRunner().invoke(app, ["run", "nca", "pc.csv", "-o", "dosing=ex.csv", "--json"])
    assert command.exit_code == 0, command.output
    result = json.loads(command.stdout)  # the notes follow on stderr (this PC has no arm: pooled)
    assert result["notes"] == [ARMS_POOLED]
    assert (result["n_profiles"], result["n_intervals"]) == (12, 24)
    keys = ["subject", "start", "PPTESTCD"]
    got = pd.DataFrame(result["rows"], columns=result["columns"]).set_index(keys)["PPSTRESN"].sort_index()
    want = (
        pd.read_csv("md.csv", dtype={"subject": str, "start": float}).set_index(keys)["PPSTRESN"].sort_index()
    )
    assert sorted(set(got.index.get_level_values("start"))) == [0.0, 12.0]
    pd.testing.assert_series_equal(got, want, rtol=1e-12)
    # the run's summary line says it is multiple-dose NCA and that its parameters are per dosing interval
    # (was: "NCA of 12 profiles: 18 parameters per profile")
    for language, text in {
        "en": "Multiple-dose NCA of 12 profiles in 24 dosing intervals: 18 parameters per interval; 0 "
        "missing and 0 BLQ samples left out",
        "zh-CN": "12 条曲线、24 个给药间隔的多次给药非房室分析：每个给药间隔 18 个参数；",
    }.items():
        with use_language(language):
            assert nca_summary(result, {}).startswith(text), language


@pytest.mark.parametrize(
    ("cli_args", "options"),
    [
        (["--tau", "12"], {"tau": 12.0}),
        (["--tau", "30", "--extrapolate-tau"], {"tau": 30.0, "extrapolate_tau": True}),
    ],
    ids=["tau", "tau-extrapolated"],
)
def test_tau_of_the_workspace_gives_the_command_lines_steady_state_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_args: list[str], options: dict[str, object]
) -> None:
    """pc.xpt and ex.xpt (five doses every 12 h, tests/nca/test_nca_multiple_dose_workspace.py) uploaded and
    run with the options dosing and tau (and extrapolate_tau) = ``bioparity nca pc.xpt --dosing ex.xpt
    --tau 12`` = ``bioparity run nca pc.xpt -o dosing=ex.xpt -o tau=12``: every interval, the last one
    included (before, the workspace had no tau: "no tau for the last dose: give tau"), to 1e-12; with
    extrapolate_tau the last interval (48-78 h, samples to 72 h) is extrapolated as on the command line."""
    monkeypatch.chdir(tmp_path)
    write_domains(tmp_path)
    run = CliRunner().invoke(app, ["nca", "pc.xpt", "--out", "md.csv", "--dosing", "ex.xpt", *cli_args])
    assert run.exit_code == 0 and "wrote 60 dosing intervals" in run.output, run.output
    given = [f"--option={k}={str(v).lower()}" for k, v in options.items()]
    command = CliRunner().invoke(app, ["run", "nca", "pc.xpt", "-o", "dosing=ex.xpt", *given, "--json"])
    assert command.exit_code == 0, command.output
    with _workspace(tmp_path) as (sessions, actor, study):
        pc_id = _upload(sessions, actor, study, tmp_path / "pc.xpt")
        ex_id = _upload(sessions, actor, study, tmp_path / "ex.xpt")
        with sessions.begin() as session:
            stored = run_analysis(session, actor, pc_id, "nca", {"dosing": ex_id, **options})
            assert stored.status == "succeeded", stored.error
            result, result_text = json.loads(stored.result_json or "{}"), stored.result_json
    assert command.stdout.strip() == result_text  # bioparity run prints what the workspace stores
    # and its notes on stderr: this PC has no arm and no DM was given, so the summary pools the subjects
    assert json.loads(result_text)["notes"] == [ARMS_POOLED]
    assert f"note: {ARMS_POOLED}" in " ".join(command.stderr.split())
    keys = ["subject", "dose_number", "PPTESTCD"]
    workspace = pd.DataFrame(result["rows"], columns=result["columns"])
    cli = pd.read_csv("md.csv", dtype={"subject": str}, keep_default_na=False, na_values=[""])
    assert list(workspace.columns) == list(cli.columns) and len(workspace) == len(cli) == 60 * 18
    got, want = (t.set_index(keys).sort_index() for t in (workspace, cli))
    pd.testing.assert_series_equal(got["PPSTRESN"], want["PPSTRESN"], rtol=1e-12)
    pd.testing.assert_series_equal(got["reason"].fillna(""), want["reason"].fillna(""))
    last = got.xs(5, level="dose_number")["PPSTRESN"].unstack("PPTESTCD")
    assert last[["AUCTAU", "CTROUGH", "CAVG", "ARAUC"]].notna().all().all()  # the steady state is computed
    if options.get("extrapolate_tau"):
        assert set(got.xs(5, level="dose_number").xs("AUCTAU", level="PPTESTCD")["reason"]) == {
            "extrapolated to the end of the interval with lambda_z (Phoenix rule)"
        }


def test_tau_with_one_ex_record_per_subject_asks_for_multiple_dose_nca_in_both(
    theoph: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EX with one dose record per subject is single-dose NCA, unless tau asks for the dosing interval
    (``bioparity nca --dosing ex.xpt --tau 24``): then one interval per subject, in the workspace as on the
    command line (the same rows to 1e-12; PCDTC puts the samples on the clock of EXSTDTC)."""
    monkeypatch.chdir(tmp_path)
    pc, ex = theoph_domains(theoph)
    when = pd.Timestamp("2026-01-05T08:00") + pd.to_timedelta(theoph["Time"] * 3600.0, unit="s")
    pc = pc.assign(PCDTC=when.dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy())
    pyreadstat.write_xport(pc, "pc.xpt", table_name="PC", file_format_version=5)
    pyreadstat.write_xport(ex, "ex.xpt", table_name="EX", file_format_version=5)
    run = CliRunner().invoke(app, ["nca", "pc.xpt", "--out", "md.csv", "--dosing", "ex.xpt", "--tau", "24"])
    assert run.exit_code == 0 and "wrote 12 dosing intervals" in run.output, run.output
    result = nca_kind(read_concentrations(Path("pc.xpt")), {"dosing": "ex.xpt", "tau": 24.0})
    assert (result["n_profiles"], result["n_intervals"]) == (12, 12)
    keys = ["subject", "dose_number", "PPTESTCD"]
    got = pd.DataFrame(result["rows"], columns=result["columns"]).set_index(keys)["PPSTRESN"].sort_index()
    want = pd.read_csv("md.csv", dtype={"subject": str}).set_index(keys)["PPSTRESN"].sort_index()
    pd.testing.assert_series_equal(got, want, rtol=1e-12)
