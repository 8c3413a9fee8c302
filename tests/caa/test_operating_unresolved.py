"""An unresolved plan is refused by ``operating_characteristics`` instead of falling back silently.

Before, a ``min-max`` plan without ``min_fraction`` was simulated with 0.9 although the method's
resolved value is 1.0 (all test lots inside), so its pass probabilities were those of another plan.
"""

from __future__ import annotations

import pytest

from bioparity.caa.catalogue import AttributeSpec, Catalogue
from bioparity.caa.operating import operating_characteristics
from bioparity.errors import InputError


def test_unresolved_min_max_plan_is_refused_with_the_missing_setting_named() -> None:
    with pytest.raises(InputError, match=r"'purity'.*min-max plan is not resolved \(min_fraction not set\)"):
        operating_characteristics(AttributeSpec(name="purity", method="min-max"), 10, 10, n_sim=200)


def test_resolved_plan_gives_the_same_probabilities_as_the_explicit_settings() -> None:
    catalogue = Catalogue(attributes={"purity": AttributeSpec(name="purity", method="min-max")})
    resolved = catalogue.resolve("purity")
    assert resolved.min_fraction == 1.0
    explicit = AttributeSpec(name="purity", method="min-max", min_fraction=1.0, direction="two-sided")
    a = operating_characteristics(resolved, 10, 10, n_sim=400, seed=7)
    b = operating_characteristics(explicit, 10, 10, n_sim=400, seed=7)
    assert a.probability == b.probability
    # min_fraction 1.0: all 10 test lots must fall inside [min, max] of 10 reference lots from the same
    # distribution; each does with probability 9/11, all ten together well under half the time.
    assert a.probability["equal"] < 0.5
