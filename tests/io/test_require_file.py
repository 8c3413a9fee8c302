"""The crossover reader (``bioparity be``), the stability specification reader and the Purple Book reader
check their file with :func:`bioparity.delimited.require_file`, as the other readers do: a folder given for
the file is said to be one. Before, each repeated the check without the folder case and said ``file not
found`` for a folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bioparity.be.data import read_crossover_file
from bioparity.errors import DataFileError
from bioparity.io.cmc import read_stability_spec
from bioparity.market.purple_book import read_purple_book


def test_a_folder_is_said_to_be_one(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as crossover:
        read_crossover_file(tmp_path)
    assert str(crossover.value) == f"{tmp_path}: is a folder, not a file; expected an existing CSV file"
    with pytest.raises(DataFileError) as spec:
        read_stability_spec(tmp_path)
    expected = "expected a stability specification YAML file"
    assert str(spec.value) == f"{tmp_path}: is a folder, not a file; {expected}"
    with pytest.raises(DataFileError) as purple:
        read_purple_book(tmp_path)
    assert str(purple.value) == f"{tmp_path}: is a folder, not a file; expected a Purple Book CSV download"


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"be\.csv: file not found; expected an existing CSV file$"):
        read_crossover_file(tmp_path / "be.csv")
    with pytest.raises(DataFileError, match=r"spec\.yaml: file not found; expected a stability spec"):
        read_stability_spec(tmp_path / "spec.yaml")
    with pytest.raises(DataFileError, match=r"pb\.csv: file not found; expected a Purple Book CSV download$"):
        read_purple_book(tmp_path / "pb.csv")
