"""``bioparity nca --keep weight --adnca ADNCA.xpt``: the kept subject-level column in ADaM ADNCA, as in ADPP.

Before: ADPP carried a kept column (``WEIGHT``) but ADNCA, the BDS concentration data set of the same run,
did not, so a programmer deriving from ADNCA (a Cmax, a covariate-adjusted plot of the concentrations) had
to merge ADSL back in, and a name that is no ADaM variable name was only refused with ``--adpp``. Now ADNCA
carries each kept column by the same code as ADPP (:func:`bioparity.io.adam.kept_variables`): the same
name, type and label, after its other variables, one value per subject, equal to ADPP's; the name is checked
before anything is computed with ``--adpp`` or ``--adnca``, and a name ADNCA uses itself (AVAL) is refused
naming ADNCA, with no file of the run written.

Numbers: the weight of each record is the input file's, read with the csv module; read back with pyreadstat
(ReadStat, another implementation of SAS transport v5 than the writer's); and the ANCOVA
``log(Cmax) ~ TRTP + WEIGHT`` with Cmax each subject's largest AVAL, fitted on ADNCA's columns alone, gives
R 4.2.2's ``lm(log(cmax) ~ arm + weight)`` estimates and 90% CIs
(``tests/data/pk_similarity/mab_weight_cmax_ancova.csv``, from the concentrations, script beside it; 1e-9
relative: the same closed form).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
from typer.testing import CliRunner

from bioparity.cli.main import app
from tests.conftest import REFERENCE
from tests.nca.test_nca_adpp_keep import _nca, _weights, assert_ancova_of_r
from tests.nca.test_nca_keep_covariates import CONC

RUNNER = CliRunner()


def test_adnca_carries_the_kept_weight_as_adpp_does(tmp_path: Path) -> None:
    adnca, adpp = tmp_path / "adnca.xpt", tmp_path / "adpp.xpt"
    _nca("--out", str(tmp_path / "pp.csv"), "--keep", "weight", "--adnca", str(adnca), "--adpp", str(adpp),
         "--studyid", "S1")  # fmt: skip
    records, meta = pyreadstat.read_xport(str(adnca))
    assert len(records) == 390  # one per sample of the file: 30 subjects x 13 samples
    assert meta.column_names[-1] == "WEIGHT"
    assert meta.column_names_to_labels["WEIGHT"] == "Subject-Level weight (NCA Input)"
    assert meta.readstat_variable_types["WEIGHT"] == "double"
    weights = _weights()
    assert records["WEIGHT"].tolist() == [weights[s] for s in records["USUBJID"]]

    # ADNCA and ADPP agree: one value per subject, the same, with the same name, type and label
    parameters, pmeta = pyreadstat.read_xport(str(adpp))
    per_subject = {
        name: frame.groupby("USUBJID")["WEIGHT"].agg(["min", "max"]) for name, frame in
        (("ADNCA", records), ("ADPP", parameters))
    }  # fmt: skip
    for table in per_subject.values():
        assert (table["min"] == table["max"]).all() and len(table) == 30
    pd.testing.assert_frame_equal(per_subject["ADNCA"], per_subject["ADPP"])
    assert pmeta.column_names_to_labels["WEIGHT"] == meta.column_names_to_labels["WEIGHT"]
    assert pmeta.readstat_variable_types["WEIGHT"] == "double"

    # the ANCOVA of Cmax a programmer derives from ADNCA alone is R's
    assert_ancova_of_r(records.groupby(["USUBJID", "TRTP", "WEIGHT"]).agg({"AVAL": "max"}).reset_index())


def test_adnca_is_unchanged_but_for_the_kept_column(tmp_path: Path) -> None:
    for name, keep in (("plain", []), ("kept", ["--keep", "weight"])):
        _nca("--out", str(tmp_path / f"{name}.csv"), "--adnca", str(tmp_path / f"{name}-adnca.csv"), *keep)
    a, b = pd.read_csv(tmp_path / "plain-adnca.csv"), pd.read_csv(tmp_path / "kept-adnca.csv")
    assert list(b.columns) == [*a.columns, "WEIGHT"]
    pd.testing.assert_frame_equal(a, b.drop(columns="WEIGHT"))


def test_kept_columns_of_multiple_dose_adnca_text_and_numbers(tmp_path: Path) -> None:
    """Multiple-dose NCA (EX with two doses per subject): ADNCA carries a number (WEIGHTBL) and a text (SEX,
    labelled as SDTMIG v3.4 DM's SEX, "Sex") for every sample, as ADPP does for every interval."""
    pk = pd.read_csv(REFERENCE / "nca" / "metidanca_pkdata2.csv")
    pk["WEIGHTBL"] = 60.5 + pk["Subject"]
    pk["SEX"] = np.where(pk["Subject"] % 2 == 0, "F", "M")
    pk.to_csv(tmp_path / "pk.csv", index=False)
    ex = pd.DataFrame({"USUBJID": [*range(1, 11)] * 2, "EXDOSE": 100.0, "EXROUTE": "ORAL",
                       "EXSTDTC": ["2022-05-01T08:00"] * 10 + ["2022-05-03T08:00"] * 10})  # fmt: skip
    ex.to_csv(tmp_path / "ex.csv", index=False)
    adnca, adpp = tmp_path / "adnca.xpt", tmp_path / "adpp.xpt"
    done = RUNNER.invoke(app, ["nca", str(tmp_path / "pk.csv"), "--out", str(tmp_path / "md.csv"),
                               "--subject", "Subject", "--time", "Time", "--conc", "Concentration",
                               "--dosing", str(tmp_path / "ex.csv"), "--tau", "48", "--keep", "WEIGHTBL,SEX",
                               "--adnca", str(adnca), "--adpp", str(adpp)])  # fmt: skip
    assert done.exit_code == 0, done.output
    for path, n in ((adnca, len(pk)), (adpp, None)):
        records, meta = pyreadstat.read_xport(str(path))
        assert meta.column_names[-2:] == ["WEIGHTBL", "SEX"]
        assert n is None or len(records) == n
        assert meta.readstat_variable_types["WEIGHTBL"] == "double"
        assert meta.readstat_variable_types["SEX"] == "string"
        assert meta.column_names_to_labels["SEX"] == "Sex"
        assert meta.column_names_to_labels["WEIGHTBL"] == "Subject-Level WEIGHTBL (NCA Input)"
        subject = records["USUBJID"].astype(float)
        assert records["WEIGHTBL"].tolist() == (60.5 + subject).tolist()
        assert records["SEX"].tolist() == np.where(subject % 2 == 0, "F", "M").tolist()


def _renamed(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "conc.csv"
    pd.read_csv(CONC).rename(columns={"weight": name}).to_csv(path, index=False)
    return path


def test_a_kept_name_is_checked_for_adnca_alone(tmp_path: Path) -> None:
    """Without ``--adpp``: a name that is no ADaM variable name is refused before anything is computed, one
    that ADNCA uses (AVAL) when ADNCA is written; no file of the run is left in either case."""
    out, adnca = tmp_path / "pp.csv", tmp_path / "adnca.xpt"
    for name, said in (
        ("body_weight", "BODY_WEIGHT, which is no ADaM variable name"),
        ("aval", "ADNCA has a variable AVAL of its own"),
    ):
        path = _renamed(tmp_path, name)
        done = RUNNER.invoke(
            app, ["nca", str(path), "--out", str(out), "--keep", name, "--adnca", str(adnca)]
        )
        text = " ".join(done.output.split())
        assert done.exit_code == 2 and f"--keep {name}" in text and said in text, text
        assert sorted(p.name for p in tmp_path.iterdir()) == ["conc.csv"]
