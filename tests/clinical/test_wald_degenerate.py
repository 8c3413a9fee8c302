"""A Wald interval for ``p1 - p2`` with a group of 0 or all responders is flagged, never silent.

The group's variance term ``p(1 - p)/n`` is 0 there, so the interval is too narrow, of zero width when both
groups are at 0 or n (Newcombe 1998, Stat Med 17:873-890, method 1: 0/10 vs 0/20 gives 0 to 0).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.clinical import DIFFERENCE_METHODS, ci_difference
from bioparity.clinical.proportions import WALD_DEGENERATE


def test_wald_zero_width_at_0_of_n_and_n_of_n_is_flagged_in_the_result() -> None:
    res = ci_difference([0, 20, 20, 5], [20, 20, 20, 20], [0, 0, 20, 3], [20, 20, 20, 20], method="wald")
    assert np.all(res.ci_lower[:3] == res.ci_upper[:3])  # the zero-width intervals of the report
    np.testing.assert_array_equal(res.degenerate, [True, True, True, False])
    assert res.notes == (WALD_DEGENERATE.format(count=3, total=4),)
    assert "Warning: Wald interval: 3 of 4 tables" in res.summary()
    assert res.to_dict()["degenerate"] == [True, True, True, False]


def test_wald_with_one_group_at_the_boundary_is_flagged_too() -> None:
    res = ci_difference(10, 10, 12, 20, method="wald")
    assert float(res.ci_upper) > float(res.ci_lower)  # not zero width, but group 1 adds no variance
    assert bool(res.degenerate) and len(res.notes) == 1


@pytest.mark.parametrize("method", [m for m in DIFFERENCE_METHODS if m != "wald"])
def test_score_methods_are_not_degenerate_at_the_boundary(method: str) -> None:
    res = ci_difference(0, 20, 0, 20, method=method)
    assert not bool(res.degenerate) and res.notes == ()
    assert float(res.ci_upper) - float(res.ci_lower) > 0.1


def test_wald_interior_tables_have_no_note() -> None:
    res = ci_difference(56, 70, 48, 80, method="wald")
    assert not bool(res.degenerate) and res.notes == () and "Warning" not in res.summary()


def test_ci_diff_command_flags_a_degenerate_wald_interval() -> None:
    result = CliRunner().invoke(
        app,
        [
            "ci-diff",
            "--x1",
            "0",
            "--n1",
            "20",
            "--x2",
            "0",
            "--n2",
            "20",
            "--method",
            "wald",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert record["lower"] == record["upper"] == 0.0
    assert record["degenerate"] is True
    assert record["notes"] == [WALD_DEGENERATE.format(count=1, total=1)]
    assert "warning: Wald interval: 1 of 1 tables" in result.stderr
    table = CliRunner().invoke(
        app, ["ci-diff", "--x1", "20", "--n1", "20", "--x2", "0", "--n2", "20", "--method", "wald"]
    )
    assert table.exit_code == 0 and "warning: Wald interval" in table.stderr


def test_ci_diff_command_is_quiet_for_newcombe_at_the_boundary() -> None:
    result = CliRunner().invoke(
        app, ["ci-diff", "--x1", "0", "--n1", "20", "--x2", "0", "--n2", "20", "--format", "json"]
    )
    assert result.exit_code == 0 and result.stderr == ""
    record = json.loads(result.stdout)
    assert record["degenerate"] is False and "notes" not in record
