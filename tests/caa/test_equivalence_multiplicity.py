"""The multiplicity of the equivalence tests is stated, never a silent choice.

With EU and US references and several tier-1 attributes the assessment runs one equivalence test per attribute
and comparison (test vs ref-eu, test vs ref-us and the bridge), each at alpha 0.05 per side, unadjusted
(FDA 2017 draft, tier 1); a note says so, says that similarity needs every test to pass (an
intersection-union test) and, where the equivalence tests decide alone (plan tiered-2017), how often a truly
similar product fails at least one. That number is checked against an R simulation of the test
(tests/data/reference/caa/caa_equivalence_pass_equal_sim.R, 1e6 simulated tests, its own RNG).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bioparity.caa import Catalogue, assess
from bioparity.caa.catalogue import AttributeSpec
from tests.caa.conftest import reference_table

R_SIM = reference_table("caa_equivalence_pass_equal_sim.csv")
#: R: pass probability and 1 - p^5 at 15 test and 25 reference lots.
R_15_25 = R_SIM.query("n_test == 15 and n_reference == 25")
N_SIM = 10_000


def _lots(n_attributes: int, sources: dict[str, int], seed: int = 7) -> pd.DataFrame:
    """``n_attributes`` tier-1 attributes; every source's lots from one normal distribution."""
    rng = np.random.default_rng(seed)
    rows = [
        (f"attr{a}", source, f"{source}-{i}", 100 + rng.standard_normal(), 1)
        for a in range(n_attributes)
        for source, n in sources.items()
        for i in range(n)
    ]
    return pd.DataFrame(rows, columns=["attribute", "source", "lot", "value", "tier"])


THREE_SOURCES = {"test": 15, "ref-eu": 25, "ref-us": 25}


def _note(notes: tuple[str, ...], start: str) -> str:
    return next(n for n in notes if n.startswith(start))


def test_tiered_2017_states_the_unadjusted_alpha_and_the_chance_failure_against_r() -> None:
    result = assess(_lots(5, THREE_SOURCES), plan="tiered-2017", region="ema", oc_simulations=N_SIM)
    note = _note(result.notes, "Multiplicity of the equivalence tests")
    assert (
        "15 tests (5 attribute(s) x 3 comparison(s): test vs ref-eu; test vs ref-us; ref-us vs ref-eu)"
        in note
    )
    assert "each at alpha 0.05 per side (90% confidence interval), not adjusted" in note
    assert "intersection-union test" in note
    assert not any(
        n.startswith("Plan qr-2025: the equivalence tests are a sensitivity") for n in result.notes
    )
    # at least one of the 5 tests of test vs ref-eu (15 v 25 lots) fails: R simulation of the same test
    p = float(R_15_25["pass_equal"].iloc[0])
    expected = float(R_15_25["familywise_5"].iloc[0])
    se = np.sqrt(p * (1 - p) / N_SIM)  # bioparity's Monte Carlo SE dominates R's (1e6)
    failure = _note(result.notes, "Equivalence tests failed by chance, test vs ref-eu")
    shown = float(failure.split("fails with probability ")[1].split("%")[0]) / 100
    tolerance = 3 * 5 * p**4 * se + 0.0005  # delta method, 3 Monte Carlo SE; the note rounds to 0.1%
    assert abs(shown - expected) < tolerance, (shown, expected)
    assert "at least one of its 5 tests" in failure
    assert sum(n.startswith("Equivalence tests failed by chance") for n in result.notes) == 3


def test_default_plan_says_the_equivalence_tests_are_a_sensitivity_analysis() -> None:
    result = assess(_lots(2, {"test": 10, "ref-eu": 10, "ref-us": 10}), region="fda", oc_simulations=200)
    note = _note(result.notes, "Multiplicity of the equivalence tests")
    assert (
        "6 tests (2 attribute(s) x 3 comparison(s): test vs ref-eu; test vs ref-us; ref-eu vs ref-us)" in note
    )
    assert (
        "Plan qr-2025: the equivalence tests are a sensitivity analysis; their results change no verdict."
        in (result.notes)
    )
    # the spread-check notes cover the chance failures of the default plan's criteria
    assert not any(n.startswith("Equivalence tests failed by chance") for n in result.notes)


def test_no_note_for_a_single_equivalence_test() -> None:
    result = assess(_lots(1, {"test": 10, "ref-eu": 10}), plan="tiered-2017", operating_characteristics=False)
    assert not any("equivalence tests" in n.lower() for n in result.notes)


def test_the_alphas_of_the_catalogue_are_shown_as_a_range() -> None:
    catalogue = Catalogue(attributes={"attr0": AttributeSpec(name="attr0", tier=1, alpha=0.1)})
    result = assess(
        _lots(2, {"test": 10, "ref-eu": 10}),
        catalogue,
        plan="tiered-2017",
        operating_characteristics=False,
    )
    note = _note(result.notes, "Multiplicity of the equivalence tests")
    assert "each at alpha 0.05-0.1 per side (80%-90% confidence interval)" in note
    assert not any(n.startswith("Equivalence tests failed by chance") for n in result.notes)


def test_a_comparison_without_a_confidence_interval_is_not_counted() -> None:
    data = _lots(3, {"test": 10, "ref-eu": 10})
    one_us_lot = pd.DataFrame(
        [(f"attr{a}", "ref-us", "U1", 100.0, 1) for a in range(3)], columns=data.columns
    )
    both = pd.concat([data, one_us_lot])
    result = assess(both, plan="tiered-2017", region="ema", operating_characteristics=False)
    status = result.table.set_index(["attribute", "comparison"])["status"]
    assert (status.xs("test vs ref-eu", level="comparison") != "not-evaluable").all()
    assert (status.drop("test vs ref-eu", level="comparison") == "not-evaluable").all()
    note = _note(result.notes, "Multiplicity of the equivalence tests")
    # test vs ref-us has no reference SD and ref-us vs ref-eu no test SD: only test vs ref-eu is tested
    assert "3 tests (3 attribute(s) x 1 comparison(s): test vs ref-eu)" in note
