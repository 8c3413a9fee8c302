"""One column lookup (:class:`bioparity.columns.Columns`) for the NCA grouping rule and the arm of the
figures and summary statistics.

Before, ``bioparity.analyses.figures.named_arm_column`` had a lookup of its own beside the NCA spec's: of a
table with ``Trt`` and ``trt`` (no column written ``TRT``) it took the first silently as the arm of the
figures, and the NCA spec refused ``ARM`` and ``Arm`` (no ``arm``) without naming the file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses.figures import arm_column, named_arm_column
from bioparity.analyses.nca import sample_profiles
from bioparity.cli.main import app
from bioparity.columns import AmbiguousColumnError, Columns
from bioparity.errors import InputError
from bioparity.nca import NCASpec

PROFILES = {"subject": [1, 1, 1, 2, 2, 2], "time": [0, 1, 4, 0, 1, 4], "conc": [0, 5, 1, 0, 6, 2]}


def test_the_exact_name_wins_else_the_one_name_in_another_letter_case() -> None:
    find = Columns(["Subject", "TIME", "conc", "arm", "ARM"])
    assert find.optional("subject") == "Subject"
    assert find.optional("time") == "TIME"
    assert find.optional("arm") == "arm"  # written as asked: ARM is another column
    assert find.optional("dose") is None and find.named("dose") == "dose"
    assert find.first(["treatment", "ARM", "arm"]) == "ARM"  # exact names first, in the candidates' order
    assert find.first(["treatment", "Subject"]) == "Subject"
    assert find.first(["treatment", "group"]) is None


def test_two_letter_cases_of_one_name_are_refused_naming_the_file_and_both_columns() -> None:
    with pytest.raises(AmbiguousColumnError) as info:
        Columns(["subject", "ARM", "Arm"], file="pk.csv").optional("arm")
    assert str(info.value) == (
        "pk.csv: columns 'ARM', 'Arm' all match 'arm' (letter case ignored); expected one column of that "
        "name: rename one, or give the name exactly as the column has it"
    )
    assert isinstance(info.value, InputError)  # callers catching InputError still do


@pytest.mark.parametrize(
    ("columns", "arm"),
    [
        (["ARM"], "ARM"),
        (["Treatment"], "Treatment"),
        (["ARM", "treatment"], "treatment"),  # a name as written before one in another case
        (["arm", "ARM"], "arm"),
        (["GROUP", "Trt"], "Trt"),  # TRT before group (ARM_COLUMNS order)
        (["TRTP"], None),
        (["period"], None),
    ],
)
def test_the_arm_column_is_found_as_before(columns: list[str], arm: str | None) -> None:
    frame = pd.DataFrame(columns=["subject", "time", "conc", *columns])
    assert named_arm_column(frame) == arm


def test_the_arm_column_refuses_two_letter_cases_of_its_name() -> None:
    frame = pd.DataFrame(PROFILES).assign(Trt=list("AAABBB"), trt=list("AAABBB"))
    with pytest.raises(AmbiguousColumnError, match=r"^pk\.csv: columns 'Trt', 'trt' all match 'TRT'"):
        named_arm_column(frame, file="pk.csv")
    with pytest.raises(AmbiguousColumnError, match=r"^columns 'Trt', 'trt' all match 'TRT'"):
        arm_column(frame)
    # the figure of such a table is not drawn (its lines could not say which column is the arm)
    assert sample_profiles(frame, {}) is None
    assert sample_profiles(frame.drop(columns="trt"), {}) is not None


def test_the_nca_spec_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(AmbiguousColumnError, match=r"^pk\.csv: columns 'Time', 'TIME' all match 'time'"):
        NCASpec().resolve(["subject", "Time", "TIME", "conc"], file="pk.csv")
    with pytest.raises(AmbiguousColumnError, match=r"^pk\.csv: columns 'Visit', 'VISIT' all match 'visit'"):
        NCASpec(groups=("visit",)).given_groups(["subject", "Visit", "VISIT"], file="pk.csv")


def test_bioparity_nca_names_the_file_and_both_columns(tmp_path: Path) -> None:
    path = tmp_path / "pk.csv"
    pd.DataFrame(PROFILES).assign(ARM=list("AAABBB"), Arm=list("AAABBB")).to_csv(path, index=False)
    run = CliRunner().invoke(app, ["nca", str(path), "--out", str(tmp_path / "pp.csv")])
    assert run.exit_code == 2
    assert f"{path}: columns 'ARM', 'Arm' all match 'arm' (letter case ignored)" in run.output
