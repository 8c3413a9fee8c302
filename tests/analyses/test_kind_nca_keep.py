"""The NCA kind's option ``keep`` from the web form (``bioparity nca --keep``): typed on the dataset page, it
carries the body weight into the run's table and the run page and report name the option in words. Before,
the form had no such field and the workspace's NCA dropped the weight.

The per-subject parameter tables of the run page and report show the kept column beside the subject
(``arm | subject | weight | CMAX ...``), each subject's weight as in the input file (read with the csv
module). Before, the weight was only in the appendix's "Other columns: settings, review flags and methods"
table, one row per subject among the methods, and in no table beside the parameters."""

from __future__ import annotations

import csv
import html as html_module
import re
from pathlib import Path

from tests.analyses import kinds_support as kinds
from tests.analyses.kinds_support import Workspace

CONC = Path(__file__).resolve().parents[1] / "data" / "pk_similarity" / "mab_weight_conc.csv"


def _tables(page: str) -> list[list[list[str]]]:
    """Each table of ``page`` as rows of cell texts, its header row first."""
    cells = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
    return [
        [
            [html_module.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells.findall(row)]
            for row in rows
        ]
        for rows in (
            re.findall(r"<tr[^>]*>.*?</tr>", t, re.S) for t in re.findall(r"<table.*?</table>", page, re.S)
        )
    ]


def test_the_web_form_keeps_the_weight(workspace: Workspace) -> None:
    page, report = workspace.web_run("nca", "mab.csv", CONC.read_bytes(), keep="weight", conc_unit="ng/mL")
    for html in (page, report):
        text = kinds.text_of(html)
        assert "subject-level columns carried to the result (covariates)" in text and "weight" in text
        per_subject = [t for t in _tables(html) if t and t[0][:3] == ["arm", "subject", "weight"]]
        assert len(per_subject) >= 4 and any(t[0][3] == "CMAX (ng/mL)" for t in per_subject)
        with CONC.open(newline="") as handle:
            given = {row["subject"]: float(row["weight"]) for row in csv.DictReader(handle)}
        for shown in per_subject:
            assert {row[1]: float(row[2]) for row in shown[1:]} == given
        assert not re.search(
            r"\bweight \d", text
        )  # no row "weight | 88.7 | all | 1 | S001" among the methods
    table = kinds.workspace_table("nca", CONC, {"keep": "weight"})
    weights = table.groupby("subject")["weight"].nunique()
    assert len(weights) == 30 and (weights == 1).all()
