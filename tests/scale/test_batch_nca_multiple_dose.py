"""``bioparity nca-batch --dosing EX --tau``: multiple-dose NCA of an SDTM PC, read by the reader of
``bioparity nca --dosing --tau`` (:func:`bioparity.io.nca_input.doses_of`, no copy of it), so the same
profiles and numbers. Before, nca-batch had no ``--tau`` and refused an EX with several dose records per
subject ("multiple-dose NCA, which batch NCA does not run").

Two studies, each R-checked (R 4.2.2, base only; the R code is in the docstrings of the modules they come
from): the multiple-dose crossover of tests/nca/test_nca_ex_epoch_periods.py (3 subjects, 2 periods x 3
daily doses, the periods from the EPOCH of EX, no ``--adsl``: 18 dosing intervals) and the parallel
multiple-dose study of tests/nca/test_nca_pcrftdtc_multiple_dose.py (3 subjects x 3 daily doses: 9
intervals). AUCTAU and CMAX of every interval are R's to 1e-10 relative, on one partition and with
partitions of 7 rows (profiles split, gathered by a shuffle on subject and period, not PCRFTDTC); the whole
long table equals that of ``bioparity nca``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import bioparity.scale.batch_nca as batch_nca
from bioparity.cli.main import app
from bioparity.io.nca_input import PERIOD_FROM_EX_EPOCH, REFERENCE_ON_DOSE_CLOCK_EPOCH
from tests.nca import test_nca_ex_epoch_periods as crossover
from tests.nca import test_nca_pcrftdtc_multiple_dose as parallel

runner = CliRunner()


def _batch(args: list[str], out: Path) -> tuple[pd.DataFrame, str]:
    """``bioparity nca-batch PC --dosing EX --tau 24`` in this process: its long table and what it said."""
    run = runner.invoke(app, ["nca-batch", *args[:3], "--tau", "24", "--out", str(out), "--workers", "0"])
    assert run.exit_code == 0, run.output
    return pd.read_parquet(out), " ".join(run.output.split())


def _same_as_nca(out: pd.DataFrame, args: list[str], folder: Path, keys: list[str]) -> None:
    """The long table ``out`` of nca-batch: the columns and values of ``bioparity nca PC --dosing EX --tau
    24`` (written in ``folder``)."""
    run = runner.invoke(app, ["nca", *args[:3], "--tau", "24", "--out", str(folder / "o.csv")])
    assert run.exit_code == 0, run.output
    cli = pd.read_csv(folder / "o.csv")
    assert list(out.columns) == list(cli.columns)
    batch = out.set_index(keys)["PPSTRESN"].sort_index()
    pd.testing.assert_series_equal(
        batch, cli.set_index(keys)["PPSTRESN"].sort_index(), rtol=1e-12, check_index_type=False
    )


@pytest.mark.parametrize("rows", [batch_nca.ROWS_PER_PART, 7])
def test_a_crossover_from_ex_epoch_gives_the_periods_and_rs_numbers_of_nca(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    """18 dosing intervals, R's AUCTAU and CMAX, the rule said; split partitions shuffled."""
    monkeypatch.setattr(batch_nca, "ROWS_PER_PART", rows)
    args = crossover._write(tmp_path / "in")
    out, said = _batch(args, tmp_path / "out")
    assert len(out.drop_duplicates(["subject", "period", "dose_number"])) == 18  # 3 subjects x 2 x 3
    crossover._assert_rs_values(out)  # R's AUCTAU and CMAX, 1e-10
    assert PERIOD_FROM_EX_EPOCH.format(ex=args[2]) in said and REFERENCE_ON_DOSE_CLOCK_EPOCH in said
    assert ("shuffled" in said) == (rows == 7)
    _same_as_nca(out, args, tmp_path, ["subject", "period", "dose_number", "PPTESTCD"])


@pytest.mark.parametrize("rows", [batch_nca.ROWS_PER_PART, 7])
def test_a_parallel_multiple_dose_study_gives_rs_numbers_of_nca(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int
) -> None:
    """9 dosing intervals (one profile per subject, PCRFTDTC no profile column), R's AUCTAU and CMAX."""
    monkeypatch.setattr(batch_nca, "ROWS_PER_PART", rows)
    args = parallel._write(tmp_path / "in")
    out, _said = _batch(args, tmp_path / "out")
    assert "period" not in out.columns and "PCRFTDTC" not in out.columns
    assert len(out.drop_duplicates(["subject", "dose_number"])) == 9
    values = out.set_index(["subject", "dose_number", "PPTESTCD"])["PPSTRESN"]
    for subject, intervals in parallel.R_VALUES.items():
        for n, (auctau, cmax) in enumerate(intervals, start=1):
            got = values[(subject, n, "AUCTAU")], values[(subject, n, "CMAX")]
            assert got == pytest.approx((auctau, cmax), rel=1e-10, abs=0)
    _same_as_nca(out, args, tmp_path, ["subject", "dose_number", "PPTESTCD"])


def test_tau_without_dose_records_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--tau`` without ``--dosing``: refused with what it needs, in the words of ``bioparity nca``, before
    anything is read or written (nca-batch ignored it silently before)."""

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("nca_parquet ran")

    monkeypatch.setattr("bioparity.scale.nca_parquet", no_work)
    pc = parallel._write(tmp_path / "in")[0]
    out = tmp_path / "out"
    run = runner.invoke(app, ["nca-batch", pc, "--tau", "24", "--out", str(out), "--workers", "0"])
    assert run.exit_code != 0 and not out.exists()
    said = " ".join(run.output.split())
    assert "--tau: for multiple-dose NCA; give the dose records with --dosing" in said
