"""Cut-point data without residual scatter are refused with a message, never a traceback.

When donor and run fit every value (each donor shifted by the same amount between runs, or all values
equal) the residual variance is 0 and the restricted likelihood of ``y = mu + run + donor + e`` grows without
bound as ``s2_e -> 0`` (Patterson & Thompson 1971; Harville 1977): no REML estimate exists. The fit used to
walk the variance ratio to ~1e19 and its root polish to a negative ratio (``numpy.linalg.LinAlgError``,
exit 1), or to divide by a zero residual sum of squares (``ZeroDivisionError``). Now
:class:`~bioparity.bioassay.reml.NoResidualScatterError`, turned by the cut point into a
:class:`~bioparity.errors.DataFileError` that names the file (command line, workspace run).
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses import get_analysis
from bioparity.analyses.registry import effective_options
from bioparity.bioassay import compute_cut_point, reml_fit
from bioparity.bioassay.cutpoint import NO_RESIDUAL_SCATTER
from bioparity.bioassay.reml import MAX_VARIANCE_RATIO, NoResidualScatterError
from bioparity.cli.main import app
from bioparity.errors import DataFileError
from bioparity.workspace.analyses import PendingRun, compute_run
from bioparity.workspace.executors import outcome_of

BASE = (10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 17.0, 18.0)
RUNS = ("R1", "R2", "R3")


def _frame(value: Callable[[float, int], float]) -> pd.DataFrame:
    """Eight donors x three runs, ``value(donor mean, run index)``."""
    rows = [(f"D{i}", run, value(m, j)) for i, m in enumerate(BASE) for j, run in enumerate(RUNS)]
    return pd.DataFrame(rows, columns=["donor", "run", "value"])


DEGENERATE: dict[str, tuple[Callable[[float, int], float], str]] = {
    "every donor shifted by the same amount": (lambda m, j: m + (-0.5, 0.5, 1.0)[j], "none"),
    "every donor scaled by the same factor, log scale": (lambda m, j: m * (0.9, 1.1, 1.0)[j], "log"),
    "no run effect, no residual": (lambda m, j: m, "none"),
    "all values equal": (lambda m, j: 7.0, "none"),
}


def _design(frame: pd.DataFrame, transform: str = "none") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``y`` on the analysis scale, the fixed-effect design (intercept, runs) and the donor codes."""
    run = pd.Categorical(frame["run"]).codes
    donor = pd.Categorical(frame["donor"]).codes.astype(np.int64)
    x = np.column_stack([np.ones(len(frame))] + [(run == k).astype(float) for k in range(1, len(RUNS))])
    y = frame["value"].to_numpy(float)
    return (np.log(y) if transform == "log" else y), x, donor


@pytest.mark.parametrize("case", DEGENERATE)
def test_reml_refuses_data_without_residual_scatter(case: str) -> None:
    value, transform = DEGENERATE[case]
    y, x, donor = _design(_frame(value), transform)
    with pytest.raises(NoResidualScatterError, match="no residual scatter") as info:
        reml_fit(y, x, {"donor": donor})
    # all equal: the fixed effects alone fit it; otherwise the residual vanishes against the donor variance
    assert info.value.factor == (None if case == "all values equal" else "donor")
    again = pickle.loads(pickle.dumps(info.value))  # sent back by a worker process intact
    assert isinstance(again, NoResidualScatterError) and again.factor == info.value.factor


def test_a_small_but_representable_residual_still_fits_as_the_anova_estimates() -> None:
    """Residual SD 1e-3 against a donor SD near 2.8 (variance ratio ~ 8e6 < MAX_VARIANCE_RATIO): the fit is
    kept and, the design balanced, equals the two-way ANOVA estimators computed here with numpy (residual
    variance rel 1e-6; donor variance rel 1e-5: the deviance is flat in the ratio this far out)."""
    rng = np.random.default_rng(7)
    frame = _frame(lambda m, j: m + (-0.5, 0.5, 1.0)[j] + 1e-3 * rng.normal())
    y, x, donor = _design(frame)
    fit = reml_fit(y, x, {"donor": donor})
    table = y.reshape(len(BASE), len(RUNS))
    grand = table.mean()
    donor_means, run_means = table.mean(axis=1), table.mean(axis=0)
    resid = table - donor_means[:, None] - run_means[None, :] + grand
    ms_error = float((resid**2).sum()) / ((len(BASE) - 1) * (len(RUNS) - 1))
    ms_donor = len(RUNS) * float(((donor_means - grand) ** 2).sum()) / (len(BASE) - 1)
    assert fit.residual_variance == pytest.approx(ms_error, rel=1e-6)
    assert fit.variances["donor"] == pytest.approx((ms_donor - ms_error) / len(RUNS), rel=1e-5)
    assert fit.variances["donor"] / fit.residual_variance < MAX_VARIANCE_RATIO


@pytest.mark.parametrize("case", DEGENERATE)
def test_the_cut_point_names_what_is_degenerate_and_what_to_check(case: str) -> None:
    value, transform = DEGENERATE[case]
    with pytest.raises(DataFileError) as info:
        compute_cut_point(_frame(value), transform=transform, method="parametric", remove_outliers=False)
    error = info.value
    assert error.file is None  # the caller names its file
    assert error.problem == NO_RESIDUAL_SCATTER.format(tier="screening", donors=8, runs=3)
    assert "copied from another run" in str(error.expected)
    assert isinstance(error.__cause__, NoResidualScatterError)


def _degenerate_file(folder: Path) -> Path:
    """The reproduction of findings-ada-left.md: eight donors, R2 = R1 + 1 for every donor."""
    rows = [(f"D{i}", r, m + o) for i, m in enumerate(BASE) for r, o in (("R1", -0.5), ("R2", 0.5))]
    path = folder / "sing.csv"
    pd.DataFrame(rows, columns=["donor", "run", "signal"]).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "screening values of 8 donors x 2 runs have no residual scatter"),
        ("zh-CN", "筛选数据（8 个供体 x 2 个分析批）无残差变异"),
    ],
)
def test_the_command_refuses_it_naming_the_file(tmp_path: Path, language: str, said: str) -> None:
    data = _degenerate_file(tmp_path)
    out = tmp_path / "out.csv"
    command = ["--lang", language, "ada-cutpoint", str(data), "--out", str(out), "--transform", "none"]
    done = CliRunner().invoke(app, [*command, "--method", "parametric"])
    assert done.exit_code == 2, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)  # no traceback
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{data}" in lines[0] and said in lines[0]
    assert "LinAlgError" not in done.output and not out.exists()


def _pending(folder: Path) -> PendingRun:
    """A workspace run of ada-cutpoint on the degenerate file uploaded as ``sing.csv``."""
    content = _degenerate_file(folder).read_bytes()
    kind = "ada-cutpoint"
    options = effective_options(get_analysis(kind), {"transform": "none", "method": "parametric"})
    return PendingRun("d", "s", kind, options, "sing.csv", hashlib.sha256(content).hexdigest(), content)


def test_the_workspace_run_is_refused_naming_the_uploaded_file(tmp_path: Path) -> None:
    """A workspace run raises the located error (the upload's name), not a stored 'failed' LinAlgError."""
    with pytest.raises(DataFileError) as info:
        compute_run(_pending(tmp_path))
    assert info.value.file == "sing.csv"
    assert str(info.value).startswith("sing.csv: screening values of 8 donors x 2 runs have no residual")


def test_a_worker_reports_the_run_as_refused_with_the_message(tmp_path: Path) -> None:
    """What the job's page shows: ``refused`` with the located message (was ``failed``, "LinAlgError")."""
    outcome = outcome_of(_pending(tmp_path), None)
    assert outcome.status == "refused" and outcome.result_json is None
    assert str(outcome.error).startswith("sing.csv: screening values of 8 donors x 2 runs have no residual")
