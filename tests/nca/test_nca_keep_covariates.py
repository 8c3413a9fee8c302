"""Subject-level columns carried through NCA (``bioparity nca --keep weight``, the NCA option ``keep``) so
that PK similarity can adjust for them (``--covariates weight``): before, the PP output of ``bioparity nca``
had no body weight, and the chain concentrations -> NCA -> ANCOVA on weight failed ("no column 'weight'").

Reference: ``tests/data/pk_similarity/mab_weight_cmax_ancova.csv``, R 4.2.2 (script beside it) from the
concentrations alone (Cmax = each subject's largest concentration, body weight from the file): pooled ANCOVA
``lm(log(cmax) ~ arm + weight)`` with its 90% ``confint`` (relative 1e-9: the same closed form) and
``nlme::gls(..., weights = varIdent(~ 1 | arm), method = "REML")`` estimate and SE (relative 1e-6, nlme's
optimiser tolerance, as ``tests/data/pk_similarity/README.md``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import DataFileError
from bioparity.nca import NCASpec, run_nca
from bioparity.nca.covariates import subject_covariates
from bioparity.nca.samples import Where

DATA = Path(__file__).resolve().parents[1] / "data" / "pk_similarity"
CONC = DATA / "mab_weight_conc.csv"
R_REF = pd.read_csv(DATA / "mab_weight_cmax_ancova.csv")
RUNNER = CliRunner()


def _cli(*args: str) -> str:
    done = RUNNER.invoke(app, list(args))
    assert done.exit_code == 0, done.output
    return done.output


def _r(model: str) -> pd.DataFrame:
    return R_REF[R_REF["model"] == model].set_index(["test", "reference"])


def check_against_r(sim: pd.DataFrame, variance: str) -> None:
    """``sim``: the comparisons of CMAX adjusted for weight; lm (pooled) or gls (welch) of R."""
    assert len(sim) == 3
    for r in sim.to_dict("records"):
        if variance == "pooled":
            ref = _r("lm").loc[(r["test_arm"], r["reference_arm"])]
            assert r["df"] == ref["df"] == 26  # 30 subjects - 3 arms - 1 covariate
            assert r["gmr"] == pytest.approx(100 * np.exp(ref["estimate"]), rel=1e-9)
            assert (r["ci_lower"], r["ci_upper"]) == pytest.approx((ref["lower"], ref["upper"]), rel=1e-9)
        else:
            ref = _r("gls").loc[(r["test_arm"], r["reference_arm"])]
            se = np.log(r["ci_upper"] / r["ci_lower"]) / 2 / stats.t.ppf(0.95, r["df"])
            assert np.log(r["gmr"] / 100) == pytest.approx(ref["estimate"], rel=1e-6)
            assert se == pytest.approx(ref["se"], rel=1e-6)


def test_keep_carries_the_weight_and_changes_nothing_else(tmp_path: Path) -> None:
    plain, kept = tmp_path / "pp.csv", tmp_path / "ppk.csv"
    _cli("nca", str(CONC), "--out", str(plain), "--conc-unit", "ng/mL", "--dose-unit", "mg")
    _cli(
        "nca", str(CONC), "--out", str(kept), "--conc-unit", "ng/mL", "--dose-unit", "mg", "--keep", "weight"
    )
    a, b = pd.read_csv(plain), pd.read_csv(kept)
    assert list(b.columns[:3]) == ["arm", "subject", "weight"]  # beside the profile columns
    pd.testing.assert_frame_equal(a, b.drop(columns="weight"))
    weights = pd.read_csv(CONC).groupby("subject")["weight"].first()
    assert (b["weight"].to_numpy() == weights.loc[b["subject"]].to_numpy()).all()
    # no summary statistic split by weight
    summary = (tmp_path / "pp.summary.csv").read_text()
    assert (tmp_path / "ppk.summary.csv").read_text() == summary


@pytest.mark.parametrize("variance", ["pooled", "welch"])
def test_ancova_on_the_carried_weight_is_that_of_r(tmp_path: Path, variance: str) -> None:
    pp, out = tmp_path / "pp.csv", tmp_path / "sim.csv"
    _cli("nca", str(CONC), "--out", str(pp), "--keep", "weight")
    _cli(
        "pk-similarity", str(pp), "--arms", "test,eu-ref,us-ref", "--metrics", "CMAX",
        "--covariates", "weight", "--variance", variance, "--out", str(out),
    )  # fmt: skip
    check_against_r(pd.read_csv(out), variance)


def test_the_wide_result_carries_the_weight() -> None:
    frame = pd.read_csv(CONC)
    wide = run_nca(frame, NCASpec(keep=("weight",), parameters=("CMAX",))).to_wide()
    assert len(wide) == 30 and list(wide.columns) == ["arm", "subject", "weight", "CMAX"]
    assert (
        wide.set_index("subject")["weight"].to_dict() == frame.groupby("subject")["weight"].first().to_dict()
    )


def test_a_weight_that_changes_within_a_subject_is_refused_naming_row_column_and_subject(
    tmp_path: Path,
) -> None:
    frame = pd.read_csv(CONC)
    frame.loc[19, "weight"] = 90.0  # data row 20 (line 21): S002's 7th sample; its first row is row 14
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    with pytest.raises(DataFileError) as info:
        subject_covariates(frame, "subject", ["weight"], Where(file="bad.csv"))
    error = info.value
    assert (error.file, error.row, error.line, error.column) == ("bad.csv", 20, 21, "weight")
    assert "subject S002 has '48.4' on row 14" in str(error) and "--keep" in str(error)
    done = RUNNER.invoke(app, ["nca", str(bad), "--out", str(tmp_path / "pp.csv"), "--keep", "weight"])
    assert done.exit_code != 0 and "row 20" in done.output and "S002" in done.output
    assert not (tmp_path / "pp.csv").exists()


def test_a_kept_column_that_is_not_there_is_named() -> None:
    frame = pd.read_csv(CONC)
    with pytest.raises(DataFileError, match=r"no column 'WT'.*weight"):
        run_nca(frame, NCASpec(keep=("WT",), parameters=("CMAX",)), where=Where(file="conc.csv"))
