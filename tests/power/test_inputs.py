"""Invalid inputs fail with errors that name the parameter, the scenario and what was expected."""

from __future__ import annotations

import numpy as np
import pytest

from bioparity.errors import InputError, ScenarioError, UnknownDesignError
from bioparity.power import get_design, group_sizes, power_tost, sample_size_tost


def test_unknown_design_lists_known_designs() -> None:
    with pytest.raises(UnknownDesignError, match=r"unknown design '2x5'.*parallel.*2x2x4"):
        power_tost(design="2x5", cv=0.3, n=24)


def test_aliases_resolve() -> None:
    assert get_design("2x2x2").name == "2x2"
    assert get_design(" PARALLEL ").name == "parallel"


def test_nonpositive_cv_names_scenario() -> None:
    with pytest.raises(ScenarioError, match=r"cv = -0.1 at scenario 1; expected a finite coefficient") as err:
        power_tost(cv=np.array([0.2, -0.1]), n=24)
    assert err.value.parameter == "cv" and err.value.index == 1


@pytest.mark.parametrize("theta0", [0.80, 0.79, 1.25, 1.3])
def test_sample_size_theta0_outside_limits_is_a_clear_error(theta0: float) -> None:
    with pytest.raises(InputError, match="strictly inside the limits"):
        sample_size_tost(cv=0.3, theta0=theta0)


def test_sample_size_narrow_limits_default_theta2() -> None:
    res = sample_size_tost(cv=0.1, theta0=0.975, theta1=0.90)
    assert float(res.theta2) == pytest.approx(1 / 0.9)
    assert int(res.n) % 2 == 0 and float(res.power) >= 0.8


def test_theta1_from_theta2_when_only_upper_given() -> None:
    res = power_tost(cv=0.2, n=24, theta2=1.25)
    assert float(res.theta1) == pytest.approx(0.8)


@pytest.mark.parametrize("alpha", [0.0, 0.5, -0.05])
def test_alpha_domain(alpha: float) -> None:
    with pytest.raises(InputError, match="alpha"):
        power_tost(cv=0.3, n=24, alpha=alpha)


def test_too_few_subjects() -> None:
    with pytest.raises(InputError, match="at least one subject per sequence group"):
        power_tost(design="2x3x3", cv=0.3, n=2)
    with pytest.raises(InputError, match="degree of freedom"):
        power_tost(design="parallel", cv=0.3, n=2)


def test_unknown_method() -> None:
    with pytest.raises(InputError, match="method"):
        power_tost(cv=0.3, n=24, method="mvt")


def test_target_power_domain() -> None:
    with pytest.raises(InputError, match="target_power"):
        sample_size_tost(cv=0.3, target_power=1.0)


def test_minimum_n_returned_when_already_powerful() -> None:
    res = sample_size_tost(design="2x2", cv=0.01, theta0=1.0)
    assert int(res.n) == 4 and float(res.power) > 0.8


def test_group_sizes_like_powertost_nvec() -> None:
    assert group_sizes(101, 2) == (51, 50)
    assert group_sizes(10, 3) == (4, 3, 3)


def test_result_export_and_repr() -> None:
    res = power_tost(cv=0.3, n=40)
    d = res.to_dict()
    assert d["power"] == pytest.approx(0.8158453, abs=1e-7) and d["design"] == "2x2"
    assert "PowerResult(power=0.81584" in repr(res)
    assert list(res.to_frame().columns)[:3] == ["power", "design", "cv"]


def test_theta1_in_percent_names_theta1_not_the_derived_theta2() -> None:
    """``theta1=80`` used to fail as "theta2 = 0.0125", a value the user never gave (theta2 = 1/theta1)."""
    with pytest.raises(
        ScenarioError, match=r"theta1 = 80.0; expected a lower limit < 1 .*0\.80, not 80"
    ) as err:
        power_tost(design="parallel", cv=0.3, n=76, theta1=80)
    assert err.value.parameter == "theta1"
    # with both limits given, theta1 > 1 is still checked against theta2 (PowerTOST: theta1 < theta2)
    with pytest.raises(ScenarioError, match="theta2"):
        power_tost(design="parallel", cv=0.3, n=76, theta1=1.25, theta2=1.2)
