"""The PK parameter of a ``be`` run (option ``metric``) and what a biosimilar program does not accept.

EMA CPMP/EWP/QWP/1401/98 Rev. 1 (2010), 4.1.10: the limits are widened for Cmax only, so EMA ABEL on an
AUC is refused; FDA Draft Guidance on Progesterone (2011): RSABE for AUC and Cmax alike. FDA, Clinical
Pharmacology Data to Support a Demonstration of Biosimilarity (2016), section IV, and EMA/CHMP/BMWP/
403543/2010, 4.2: a biosimilar PK similarity study is judged on 80.00-125.00%, without reference scaling.
Data: replicateBE's reference data set 01 (the kind's packaged example)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bioparity.analyses.be import BE, be_statement
from bioparity.analyses.registry import effective_options
from bioparity.errors import InputError
from bioparity.i18n import use_language


@pytest.fixture(scope="module")
def frame(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    assert BE.example is not None
    return BE.read(BE.example.write(Path(tmp_path_factory.mktemp("be"))))


@pytest.mark.parametrize("method", ["ema-abel-a", "ema-abel-b"])
@pytest.mark.parametrize("metric", ["auc0-t", "auc0-inf"])
def test_ema_abel_on_an_auc_is_refused_with_the_section(
    frame: pd.DataFrame, method: str, metric: str
) -> None:
    options = effective_options(BE, {"method": method, "metric": metric})
    with pytest.raises(InputError, match=r"4\.1\.10.*Cmax only.*use method abe"):
        BE.compute(frame, options)


def test_the_metric_is_recorded_and_stated(frame: pd.DataFrame) -> None:
    """FDA RSABE on an AUC is accepted; EMA ABEL on Cmax too; the parameter is in the result and
    opens the statement."""
    rsabe = BE.compute(frame, effective_options(BE, {"method": "fda-rsabe", "metric": "auc0-inf"}))
    assert rsabe["metric"] == "auc0-inf"
    assert be_statement(rsabe, {}).startswith("PK parameter analysed: AUC0-inf. Acceptance (FDA")
    abel = BE.compute(frame, effective_options(BE, {"method": "ema-abel-a", "metric": "cmax"}))
    assert abel["metric"] == "cmax" and abel["lower_limit"] == pytest.approx(71.23, abs=0.005)
    with use_language("zh-CN"):
        assert be_statement(abel, {}).startswith("分析的药代动力学参数：Cmax。接受标准")


def test_a_run_without_the_metric_gives_the_result_it_gave_before(frame: pd.DataFrame) -> None:
    """Options stored before ``metric`` existed (no key) and the default ('') give the same result as
    each other, without a ``metric`` key (a stored run's result bytes are reproduced)."""
    old = BE.compute(frame, {"method": "ema-abel-a", "alpha": 0.05})
    new = BE.compute(frame, effective_options(BE, {"method": "ema-abel-a"}))
    assert "metric" not in old and json.dumps(old, sort_keys=True) == json.dumps(new, sort_keys=True)
    assert not be_statement(old, {}).startswith("PK parameter")


@pytest.mark.parametrize(("method", "noted"), [("abe", False), ("ema-abel-b", True), ("fda-rsabe", True)])
def test_reference_scaling_is_noted_as_not_for_a_biosimilar_study(
    frame: pd.DataFrame, method: str, noted: bool
) -> None:
    """A note, not a refusal (the method is right for a generic highly variable drug); the same wherever
    the run is computed (``bioparity run`` prints the result the workspace stores)."""
    notes = BE.compute(frame, {"method": method}).get("notes", [])
    assert any("not accepted for a biosimilar PK similarity study" in n for n in notes) is noted
    if noted:
        assert any("section IV" in n and "403543/2010, 4.2" in n and "method abe" in n for n in notes)


def test_the_capped_sentence_follows_without_a_space_in_chinese() -> None:
    """CVwR above 50%: EMA 4.1.10's cap (69.84-143.19%); Chinese sentences are not separated by spaces."""
    capped = {
        "method": "ema-abel-b",
        "scaled": True,
        "cvwr": 55.0,
        "lower_limit": 69.84,
        "upper_limit": 143.19,
    }
    assert "justified clinically. Here CVwR is above 50%" in be_statement(capped, {})
    with use_language("zh-CN"):
        assert "临床理由。本研究 CVwR 高于 50%" in be_statement(capped, {})
