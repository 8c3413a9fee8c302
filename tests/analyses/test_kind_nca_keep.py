"""The NCA kind's option ``keep`` from the web form (``bioparity nca --keep``): typed on the dataset page, it
carries the body weight into the run's table and the run page and report name the option in words. Before,
the form had no such field and the workspace's NCA dropped the weight."""

from __future__ import annotations

from pathlib import Path

from tests.analyses import kinds_support as kinds
from tests.analyses.kinds_support import Workspace

CONC = Path(__file__).resolve().parents[1] / "data" / "pk_similarity" / "mab_weight_conc.csv"


def test_the_web_form_keeps_the_weight(workspace: Workspace) -> None:
    page, report = workspace.web_run("nca", "mab.csv", CONC.read_bytes(), keep="weight", conc_unit="ng/mL")
    for html in (page, report):
        text = kinds.text_of(html)
        assert "subject-level columns carried to the result (covariates)" in text and "weight" in text
    table = kinds.workspace_table("nca", CONC, {"keep": "weight"})
    weights = table.groupby("subject")["weight"].nunique()
    assert len(weights) == 30 and (weights == 1).all()
