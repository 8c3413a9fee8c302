"""``bioparity nca --keep weight --adpp ADPP.xpt``: the kept subject-level column in ADaM ADPP.

Before: ``--keep`` carried the weight into OUT only; ADPP (and so an ANCOVA programmed on ADPP) had none.
Now ADPP carries each kept column under its name in capitals (the user's choice: ``WEIGHTBL``, ``WEIGHT``),
numeric when its values are numbers, labelled, after the other variables: a subject-level covariate copied
into a BDS data set (:func:`bioparity.io.adam.kept_variables`). SDTM PP is left as it is: a variable outside
the SDTMIG's PP variables is a non-standard variable (SUPPPP), and body weight is a finding of its own (VS),
not a qualifier of a PP record (the decision and its source: docs/methods/nca.md, `--keep`).

Numbers: the ANCOVA ``log(AVAL) ~ TRTP + WEIGHT`` of the CMAX records of ADPP, fitted by least squares on
ADPP's columns alone, gives R 4.2.2's ``lm(log(cmax) ~ arm + weight)`` estimates and 90% CIs
(``tests/data/pk_similarity/mab_weight_cmax_ancova.csv``, from the concentrations, script beside it; 1e-9
relative: the same closed form).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from scipy import stats
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import InputError
from bioparity.io.adam import adpp_domain, kept_variables
from bioparity.nca import LABELS
from tests.nca.test_nca_keep_covariates import CONC, R_REF

RUNNER = CliRunner()


def _nca(*args: str) -> None:
    done = RUNNER.invoke(app, ["nca", str(CONC), *args])
    assert done.exit_code == 0, done.output


def _weights() -> dict[str, float]:
    """Each subject's weight, read from the file with the csv module."""
    with CONC.open(newline="") as handle:
        return {row["subject"]: float(row["weight"]) for row in csv.DictReader(handle)}


def test_adpp_carries_the_kept_weight_numeric_and_labelled(tmp_path: Path) -> None:
    adpp = tmp_path / "adpp.xpt"
    _nca("--out", str(tmp_path / "pp.csv"), "--keep", "weight", "--adpp", str(adpp), "--studyid", "S1")
    records, meta = pyreadstat.read_xport(str(adpp))
    assert meta.column_names[-1] == "WEIGHT"
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["WEIGHT"] == "Subject-Level weight (NCA Input)"
    assert meta.readstat_variable_types["WEIGHT"] == "double"
    weights = _weights()
    assert records["WEIGHT"].tolist() == [weights[s] for s in records["USUBJID"]]

    # the ANCOVA a programmer fits on ADPP is R's
    assert_ancova_of_r(records[records["PARAMCD"] == "CMAX"])


def assert_ancova_of_r(cmax: pd.DataFrame) -> None:
    """``log(AVAL) ~ TRTP + WEIGHT`` of the 30 Cmax records ``cmax``, by least squares, is R's ``lm``: the
    estimate, SE and 90% CI of each comparison of :data:`R_REF`."""
    assert len(cmax) == 30
    for ref in R_REF[R_REF["model"] == "lm"].to_dict("records"):
        arms = [ref["test"], *(a for a in ("test", "eu-ref", "us-ref") if a != ref["test"])]
        arms.remove(ref["reference"])  # columns: intercept (the reference arm), the other two arms, weight
        x = np.column_stack(
            [np.ones(len(cmax)), *((cmax["TRTP"] == a).to_numpy(float) for a in arms), cmax["WEIGHT"]]
        )
        y = np.log(cmax["AVAL"].to_numpy())
        beta, *_ = np.linalg.lstsq(x, y, rcond=None)
        residual = y - x @ beta
        df = len(y) - x.shape[1]
        se = np.sqrt(residual @ residual / df * np.linalg.inv(x.T @ x)[1, 1])
        half = stats.t.ppf(0.95, df) * se
        assert df == ref["df"] == 26
        assert beta[1] == pytest.approx(ref["estimate"], rel=1e-9)
        assert se == pytest.approx(ref["se"], rel=1e-9)
        bounds = (100 * np.exp(beta[1] - half), 100 * np.exp(beta[1] + half))
        assert bounds == pytest.approx((ref["lower"], ref["upper"]), rel=1e-9)


def test_sdtm_pp_is_unchanged_by_keep(tmp_path: Path) -> None:
    """A kept column is no PP variable (SDTMIG: a non-standard variable goes to SUPPPP; body weight is a
    VS finding): PP is the same with and without ``--keep``; ADPP differs by the kept column only."""
    for name, keep in (("plain", []), ("kept", ["--keep", "weight"])):
        _nca(
            "--out", str(tmp_path / f"{name}.csv"), "--sdtm-pp", str(tmp_path / f"{name}-pp.xpt"),
            "--adpp", str(tmp_path / f"{name}-adpp.csv"), "--studyid", "S1", *keep,
        )  # fmt: skip
    plain, _meta = pyreadstat.read_xport(str(tmp_path / "plain-pp.xpt"))
    kept, _meta = pyreadstat.read_xport(str(tmp_path / "kept-pp.xpt"))
    pd.testing.assert_frame_equal(plain, kept)
    a, b = pd.read_csv(tmp_path / "plain-adpp.csv"), pd.read_csv(tmp_path / "kept-adpp.csv")
    assert list(b.columns) == [*a.columns, "WEIGHT"]
    pd.testing.assert_frame_equal(a, b.drop(columns="WEIGHT"))


def test_a_kept_column_that_is_no_adam_name_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    data = pd.read_csv(CONC).rename(columns={"weight": "body_weight"})
    path = tmp_path / "conc.csv"
    data.to_csv(path, index=False)
    out, adpp = tmp_path / "pp.csv", tmp_path / "adpp.xpt"
    done = RUNNER.invoke(
        app, ["nca", str(path), "--out", str(out), "--keep", "body_weight", "--adpp", str(adpp)]
    )
    said = " ".join(done.output.split())
    assert done.exit_code == 2 and "--keep body_weight" in said and "BODY_WEIGHT" in said, said
    assert "WEIGHTBL" in said
    assert not out.exists() and not adpp.exists()
    # without ADPP the column is carried into OUT under its own name, as before
    done = RUNNER.invoke(app, ["nca", str(path), "--out", str(out), "--keep", "body_weight"])
    assert done.exit_code == 0 and "body_weight" in pd.read_csv(out).columns


def test_kept_variable_names_and_labels() -> None:
    assert kept_variables(["WEIGHTBL", "age", "x_1"]) == {"WEIGHTBL": "WEIGHTBL", "age": "AGE", "x_1": "X_1"}
    for bad in ("weight_kg", "1WT", "wt-kg", "poids\u00e9"):
        with pytest.raises(InputError, match="no ADaM variable name"):
            kept_variables([bad])
    long = pd.DataFrame(
        {
            "subject": ["A", "B"], "PPTESTCD": "CMAX", "PPSTRESN": [1.0, 2.0], "start": 0.0,
            "end": np.inf, "reason": "", "AGE": ["34", "51"], "SEX": ["F", "M"], "aval": [1, 2],
        }
    )  # fmt: skip
    records = adpp_domain(long, subject="subject", labels=LABELS, keep=["AGE", "SEX"])
    assert records["AGE"].tolist() == [34, 51] and records["SEX"].tolist() == ["F", "M"]
    assert records.attrs["labels"] == {"AGE": "Age", "SEX": "Sex"}  # SDTMIG v3.4 DM labels
    with pytest.raises(InputError, match="ADPP has a variable AVAL of its own"):
        adpp_domain(long, subject="subject", labels=LABELS, keep=["aval"])
