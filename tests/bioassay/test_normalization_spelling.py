"""One spelling for the normalisation rule of a floating cut point: ``normalization``, as the stored field.

The command line's ``--normalization`` (``--normalisation``, the earlier spelling, an alias), the kind's
option ``normalization`` (a run queued or stored with the earlier option ``normalisation`` still computes
by it; a run asked for as ``normalisation`` through the API, the form or ``bioparity run --option`` gets
the option under its name) and ``compute_cut_point(normalization=...)`` (``normalisation=`` an alias) all
give the factor that R computes by hand: ``make_normalisation_reference.R`` in the validation folder
(R 4.2.2 base ``mean``, ``sd``, ``qnorm``; never run at test time), tolerance 1e-8 relative.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses.ada_cutpoint import ADA_CUTPOINT
from bioparity.analyses.frames import result_records
from bioparity.analyses.registry import effective_options, parse_options
from bioparity.analyses.terms import LABELS, VALUE_LABELS
from bioparity.bioassay import compute_cut_point
from bioparity.cli.main import app
from bioparity.errors import InputError
from tests.conftest import REFERENCE

REF = REFERENCE / "bioassay"
DESIGN = pd.read_csv(REF / "designs_floating_nc.csv", dtype={"donor": str, "run": str})
NORMS = pd.read_csv(REF / "normalisation_reference.csv")
RUNNER = CliRunner()


def _r(rule: str) -> float:
    """R's factor of the rule on the raw scale, parametric estimate."""
    rows = NORMS.loc[(NORMS["normalisation"] == rule) & (NORMS["method"] == "parametric")]
    return float(rows["normalization_factor"].iloc[0])


def _screening(result: Mapping[str, Any]) -> Mapping[str, Any]:
    return next(r for r in result_records(result) if r["tier"] == "screening" and r["selected"])


@pytest.mark.parametrize("rule", ["additive", "multiplicative"])
def test_core_keyword_and_its_alias_give_r_factor(rule: str) -> None:
    frame = DESIGN.rename(columns={"signal": "value"})
    new = compute_cut_point(frame, transform="none", method="parametric", normalization=rule)
    old = compute_cut_point(frame, transform="none", method="parametric", normalisation=rule)
    assert new.normalization == old.normalization == rule
    assert new.normalization_factor == pytest.approx(_r(rule), rel=1e-8)
    assert old.normalization_factor == new.normalization_factor


def test_both_spellings_with_different_rules_are_refused() -> None:
    frame = DESIGN.rename(columns={"signal": "value"})
    with pytest.raises(
        InputError, match="normalization 'additive' and normalisation 'multiplicative' disagree"
    ):
        compute_cut_point(frame, transform="none", normalization="additive", normalisation="multiplicative")


@pytest.mark.parametrize("flag", ["--normalization", "--normalisation"])
def test_cli_option_and_its_alias(tmp_path: Path, flag: str) -> None:
    data = tmp_path / "val.csv"
    DESIGN.to_csv(data, index=False)
    made = RUNNER.invoke(
        app,
        ["ada-cutpoint", str(data), "--out", str(tmp_path / "cp.csv"), "--transform", "none",
         "--method", "parametric", flag, "additive", "--format", "json"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    table = pd.read_csv(tmp_path / "cp.csv")
    reported = table[(table["tier"] == "screening") & table["selected"]].iloc[0]
    assert reported["normalization"] == "additive"
    assert float(reported["normalization_factor"]) == pytest.approx(_r("additive"), rel=1e-8)
    provenance = json.loads((tmp_path / "cp.csv.provenance.json").read_text())
    assert "additive" in json.dumps(provenance) and '"normalisation"' not in json.dumps(provenance)


def test_kind_option_and_a_run_stored_with_the_earlier_name(tmp_path: Path) -> None:
    data = tmp_path / "val.csv"
    DESIGN.to_csv(data, index=False)
    frame = ADA_CUTPOINT.read(data)
    options = effective_options(ADA_CUTPOINT, {"transform": "none", "method": "parametric",
                                               "normalization": "additive"})  # fmt: skip
    assert options["normalization"] == "additive" and "normalisation" not in options
    now = _screening(ADA_CUTPOINT.compute(frame, options))
    # the options of a run queued or stored before the rename: every option, the rule as normalisation
    earlier = {k: v for k, v in options.items() if k != "normalization"} | {"normalisation": "additive"}
    then = _screening(ADA_CUTPOINT.compute(frame, earlier))
    assert now["normalization"] == then["normalization"] == "additive"
    assert now["normalization_factor"] == pytest.approx(_r("additive"), rel=1e-8)
    assert then["normalization_factor"] == now["normalization_factor"]
    # a stored run's options are still printed in words, under either name
    assert ("normalization", "auto") in VALUE_LABELS and ("normalisation", "auto") in VALUE_LABELS
    assert "normalisation" in LABELS and ADA_CUTPOINT.labels["normalization"] == LABELS["normalisation"].text


def test_a_run_asked_for_under_the_earlier_name_gets_the_option(tmp_path: Path) -> None:
    # the API, the web form and bioparity run go through effective_options: the alias becomes the name
    typed = parse_options(ADA_CUTPOINT, {"normalisation": "additive", "transform": "none"})
    options = effective_options(ADA_CUTPOINT, typed | {"method": "parametric"})
    assert options["normalization"] == "additive" and "normalisation" not in options
    with pytest.raises(InputError, match="option normalization is also given as normalisation"):
        effective_options(ADA_CUTPOINT, {"normalization": "multiplicative", "normalisation": "additive"})
    data = tmp_path / "val.csv"
    DESIGN.to_csv(data, index=False)
    ran = RUNNER.invoke(
        app,
        ["run", "ada-cutpoint", str(data), "--option", "normalisation=additive", "--option", "transform=none",
         "--option", "method=parametric", "--json"],
    )  # fmt: skip
    assert ran.exit_code == 0, ran.output
    result = json.loads(ran.stdout[ran.stdout.index("{") :])
    assert _screening(result)["normalization_factor"] == pytest.approx(_r("additive"), rel=1e-8)
