"""The ``pk-similarity`` kind with a covariate (ANCOVA on body weight), as ``bioparity pk-similarity
--covariates``: the methods page lists ``covariates`` among the options of both commands, but ``bioparity run
pk-similarity FILE -o covariates=WT`` and the workspace refused it ("does not accept option(s)
['covariates']"), so a per-subject table with body weight could only be analysed unadjusted there.

References (``tests/data/pk_similarity/unequal_variances.csv``, three arms, body weight ``WT``):

- Welch with a covariate: R 4.2.2 nlme ``gls(log(AUCIFO) ~ arm + WT, weights = varIdent(~ 1 | arm),
  method = "REML")`` + emmeans Satterthwaite (``gls_varident_emmeans.csv``; tolerances of its README:
  estimates and SE 1e-6 relative, df 5%);
- pooled with a covariate: R 4.2.2 ``lm(log(AUCIFO) ~ relevel(factor(arm), ref) + WT)``, ``confint(level =
  0.9)``, df 85 = 89 subjects - 3 arms - 1 covariate (values below, 15 significant digits; 1e-9 relative).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.analyses import kinds_support as kinds
from tests.analyses.kinds_support import Workspace

DATA = Path(__file__).resolve().parents[1] / "data" / "pk_similarity"
WIDE = DATA / "unequal_variances.csv"

#: R 4.2.2 lm, 100 * exp(estimate, 90% confint) of each contrast (test arm / reference arm)
R_LM_POOLED = {
    ("test", "eu-ref"): (94.4265874733581, 78.3208534666413, 113.844270423604),
    ("test", "us-ref"): (85.2287312450550, 71.6446381085135, 101.388419586122),
    ("eu-ref", "us-ref"): (90.2592516849152, 75.1326840746360, 108.431272156176),
}


def test_welch_with_a_covariate_is_the_gls_of_r() -> None:
    table = kinds.workspace_table("pk-similarity", WIDE, {"metrics": "AUCIFO", "covariates": "WT"})
    ref = pd.read_csv(DATA / "gls_varident_emmeans.csv")
    assert len(table) == 3 and set(table["covariates"]) == {"WT"} and set(table["variance"]) == {"welch"}
    for r in table.to_dict("records"):
        test, reference = str(r["test_arm"]), str(r["reference_arm"])
        names = [(a, b) for a in (test, f"({test})") for b in (reference, f"({reference})")]
        forward = {f"{a} - {b}" for a, b in names}
        backward = {f"{b} - {a}" for a, b in names}
        row = ref[ref["contrast"].isin(forward | backward)].iloc[0]
        sign = 1.0 if row["contrast"] in forward else -1.0
        se = np.log(r["ci_upper"] / r["ci_lower"]) / 2 / stats.t.ppf(0.95, r["df"])
        assert np.log(r["gmr"] / 100) == pytest.approx(sign * row["estimate"], rel=1e-6)
        assert se == pytest.approx(row["se"], rel=1e-6)
        assert r["df"] == pytest.approx(row["df"], rel=0.05)


def test_pooled_with_a_covariate_is_the_lm_of_r() -> None:
    options = {"metrics": "AUCIFO", "covariates": "WT", "variance": "pooled"}
    table = kinds.workspace_table("pk-similarity", WIDE, options)
    assert set(table["df"]) == {85}
    for r in table.to_dict("records"):
        expected = R_LM_POOLED[(str(r["test_arm"]), str(r["reference_arm"]))]
        assert (r["gmr"], r["ci_lower"], r["ci_upper"]) == pytest.approx(expected, rel=1e-9)


def test_without_the_option_nothing_changes() -> None:
    plain = kinds.workspace_table("pk-similarity", WIDE, {"metrics": "AUCIFO"})
    assert set(plain["covariates"].fillna("")) == {""}
    wt = kinds.workspace_table("pk-similarity", WIDE, {"metrics": "AUCIFO", "covariates": "WT"})
    assert not np.allclose(plain["gmr"], wt["gmr"])


def test_the_workspace_runs_it_and_the_report_states_the_model(workspace: Workspace) -> None:
    content = WIDE.read_bytes()
    stored = workspace.api_run("pk-similarity", "wt.csv", content, metrics="AUCIFO", covariates="WT")
    assert stored["options"]["covariates"] == "WT"
    page, report = workspace.web_run("pk-similarity", "wt.csv", content, metrics="AUCIFO", covariates="WT")
    for html in (page, report):
        assert "ANCOVA on WT of the 3 arms with one residual variance per arm" in kinds.text_of(html)
