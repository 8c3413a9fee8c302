"""REML on a cut-point experiment of realistic size against lme4 (R 4.2.2, ``lmer(REML = TRUE)``, bobyqa
with rhoend 1e-13): 150 donors x 4 runs x 3 plates less 150 values, 1,650 wells
(tests/data/reference/bioassay/make_reml_large_reference.R writes the data and the values; the validation
pack checks the same cases as set ``ada-reml-large-r``).

The fit works in the 154 (crossed) or 166 (nested) random levels, never with a 1,650 x 1,650 matrix, so it
takes well under a second (``bench/cmc.py`` times it); the dense form took minutes here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bioparity.validation.areas.bioassay import LOGLIK_ATOL, REML_RTOL, reml_large_components

HERE = Path(__file__).parents[1] / "data" / "reference" / "bioassay"


@pytest.fixture(scope="module")
def fits() -> dict[str, dict[str, float]]:
    return reml_large_components(HERE)


@pytest.mark.parametrize("model", ["crossed", "nested_plate"])
def test_variance_components_and_log_likelihood_equal_lme4(
    fits: dict[str, dict[str, float]], model: str
) -> None:
    reference = pd.read_csv(HERE / "reml_large_reference.csv")
    expected = {
        str(c): float(v)
        for c, v in reference.loc[reference["model"] == model, ["component", "value"]].to_numpy()
    }
    assert set(fits[model]) == set(expected)  # every component, none left over
    for component, value in fits[model].items():
        if component == "loglik":
            assert value == pytest.approx(expected[component], abs=LOGLIK_ATOL)
        else:
            assert value == pytest.approx(expected[component], rel=REML_RTOL), component
    assert len(pd.read_csv(HERE / "designs_large.csv")) == 1650
