"""Column mapping at upload (issue 17): the header renamed before the kind's reader, every other byte and
line number kept; the mapping sealed with the dataset; options with fixed choices validated per kind.

The Theoph file is R ``datasets::Theoph`` (tests/data/reference/nca/theoph.csv, header
``Subject,Wt,Dose,Time,conc``); its NCA through the mapping is checked against PKNCA in
tests/web/test_upload_flow.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bioparity.analyses import nca as nca_analysis
from bioparity.analyses.registry import all_analyses, effective_options, get_analysis, option_errors
from bioparity.audit.keys import AuditKey
from bioparity.errors import DataFileError, InputError
from bioparity.store.models import Dataset
from bioparity.workspace.datasets import column_map_json, parse_column_map, read_stored, rename_header
from bioparity.workspace.sealing import dataset_mac, dataset_sealed

THEOPH = Path(__file__).parents[1] / "data" / "reference" / "nca" / "theoph.csv"
THEOPH_MAP = {"Subject": "subject", "Time": "time", "Dose": "dose"}


def test_theoph_header_is_refused_unmapped_and_read_mapped() -> None:
    content = THEOPH.read_bytes()
    with pytest.raises(DataFileError, match=r"missing column\(s\) subject, time"):
        read_stored(content, "theoph.csv", nca_analysis.read_concentrations)
    frame = read_stored(content, "theoph.csv", nca_analysis.read_concentrations, THEOPH_MAP)
    assert list(frame.columns) == ["subject", "Wt", "dose", "time", "conc"]
    assert len(frame) == 132 and frame["subject"].nunique() == 12  # 12 subjects x 11 samples
    assert frame["conc"].iloc[:3].astype(float).tolist() == [0.74, 2.84, 6.57]  # cells as in the file


def test_only_the_header_line_changes_so_error_lines_stay_those_of_the_file() -> None:
    semicolons = b"Subject;Time;conc\r\n1;0;0\r\n"
    renamed = rename_header(semicolons, "pk.csv", {"Subject": "subject", "Time": "time"})
    assert renamed == b"subject;time;conc\r\n1;0;0\r\n"
    content = b"Subject,Time,conc\r\n1,0,0\r\n1,1,-2\r\n"
    with pytest.raises(DataFileError) as info:
        read_stored(
            content, "pk.csv", nca_analysis.read_concentrations, {"Subject": "subject", "Time": "time"}
        )
    assert info.value.line == 3 and info.value.column == "conc" and info.value.file == "pk.csv"


@pytest.mark.parametrize(
    ("rename", "message"),
    [
        ({"Subj": "subject"}, "'Subj' chosen in the mapping are not in the header"),
        ({"Wt": "conc"}, "already has column(s) conc"),
    ],
)
def test_a_mapping_that_does_not_fit_the_header_is_refused_naming_the_column(
    rename: dict[str, str], message: str
) -> None:
    with pytest.raises(DataFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rename_header(THEOPH.read_bytes(), "theoph.csv", rename)


def test_a_mapping_of_a_binary_table_is_refused() -> None:
    with pytest.raises(InputError, match="applies to CSV files"):
        rename_header(b"PK\x03\x04", "theoph.xlsx", THEOPH_MAP)


def test_stored_mapping_round_trips_and_refuses_two_columns_for_one() -> None:
    text = column_map_json({**THEOPH_MAP, "conc": "conc"}, {"conc_unit": "mg/L", "dose_unit": ""})
    assert text is not None
    assert parse_column_map(text) == (THEOPH_MAP, {"conc_unit": "mg/L"})  # identity and empty dropped
    assert column_map_json({}, {"time_unit": " "}) is None
    with pytest.raises(InputError, match="several file columns are mapped to subject"):
        column_map_json({"Subject": "subject", "ID": "subject"}, None)
    with pytest.raises(InputError, match="unknown"):
        column_map_json(None, {"mass_unit": "kg"})


def test_the_seal_covers_the_mapping_and_leaves_unmapped_records_as_before() -> None:
    fields = dict(id="d1", study_id="s1", name="theoph", version=1, sha256="0" * 64, filename="theoph.csv",
                  media_type="text/csv", validated_for="nca", n_rows=132, created_by="u1",
                  derived_from_run=None)  # fmt: skip
    key = AuditKey(b"k" * 32, "test")
    plain = Dataset(**fields)
    mapped = Dataset(**fields, column_map=column_map_json(THEOPH_MAP, None))
    assert dataset_mac(plain, key) != dataset_mac(mapped, key)
    mapped.mac = dataset_mac(mapped, key)
    assert dataset_sealed(mapped, key)
    mapped.column_map = json.dumps({"rename": {"Wt": "conc"}, "units": {}})  # edited behind our back
    assert not dataset_sealed(mapped, key)


def test_options_with_choices_are_refused_per_field_with_the_accepted_values() -> None:
    nca = get_analysis("nca")
    assert option_errors(nca, {"auc_method": "linear", "route": "iv-bolus"}) == {}
    problems = option_errors(nca, {"auc_method": "log", "route": "oral"})
    assert "choose one of lin-up-log-down, linear" in problems["auc_method"]
    assert "extravascular, iv-bolus, iv-infusion" in problems["route"]
    similarity = get_analysis("pk-similarity")
    assert "'0.05x' is not a number" in option_errors(similarity, {"alpha": "0.05x"})["alpha"]
    with pytest.raises(InputError, match="option variance: 'equal' is not accepted"):
        effective_options(similarity, {"variance": "equal"})


def test_every_kind_default_is_one_of_its_choices() -> None:
    for kind in all_analyses().values():
        for name, allowed in kind.choices.items():
            assert name in kind.option_help, (kind.name, name)
            assert kind.defaults[name] in list(allowed), (kind.name, name)
