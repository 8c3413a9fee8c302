"""``require_columns`` and ``require_columns_found`` word a missing column one way: the missing ones quoted,
the columns found, and what was expected.

Before, ``require_columns`` (the crossover table of ``bioparity be``, the CAA lots, the NCA frames) said
``missing column(s) treatment`` alone: the columns found, which show a misspelt or differently cased
header, were left out.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from bioparity.be.data import crossover_data
from bioparity.errors import DataFileError, require_columns, require_columns_found


def test_the_crossover_table_names_the_missing_column_quoted_and_the_columns_found() -> None:
    frame = pd.DataFrame(
        {"subject": [1], "period": [1], "sequence": ["TR"], "formulation": ["T"], "PK": [1.0]}
    )
    with pytest.raises(DataFileError) as info:
        crossover_data(frame, file="be.csv")
    assert str(info.value) == (
        "be.csv: missing column(s) 'treatment'; columns found: subject, period, sequence, formulation, PK; "
        "expected columns subject, period, sequence, treatment, PK"
    )


def test_both_give_the_same_message() -> None:
    columns, need = ["Time", "conc"], ["time", "conc"]
    with pytest.raises(DataFileError) as plain:
        require_columns(columns, need, file="pk.csv")
    with pytest.raises(DataFileError) as found:
        require_columns_found(columns, need, file="pk.csv", expected="columns time, conc")
    assert (
        str(plain.value)
        == str(found.value)
        == ("pk.csv: missing column(s) 'time'; columns found: Time, conc; expected columns time, conc")
    )
    require_columns(columns, ["conc"], file="pk.csv")  # nothing missing: no error


def test_the_cores_say_a_missing_column_of_a_frame_the_same_way() -> None:
    """The ADA tables of :mod:`bioparity.clinical.immunogenicity` and the NCA table of
    :mod:`bioparity.nca.summary` (frames, no file) each had a ``_require`` of their own, worded two other
    ways (``the ADA table lacks column(s) 'ARM'``, ``the NCA table has no column(s) PPSTRESN; columns
    present``); both now say which table by ``context``."""
    from bioparity.clinical.immunogenicity import ada_incidence
    from bioparity.nca.summary import flag_counts, summary_statistics

    with pytest.raises(DataFileError) as ada:
        ada_incidence(pd.DataFrame({"USUBJID": [1], "VISIT": ["D1"], "ADA": ["POS"]}))
    assert str(ada.value) == (
        "missing column(s) 'ARM' in the ADA table; columns found: USUBJID, VISIT, ADA; "
        "expected columns USUBJID, ARM, VISIT, ADA"
    )
    with pytest.raises(DataFileError) as stats:
        summary_statistics(pd.DataFrame({"PPTESTCD": ["CMAX"], "arm": ["A"]}))
    assert str(stats.value) == (
        "missing column(s) 'PPSTRESN' in the NCA table (summary statistics); columns found: PPTESTCD, arm; "
        "expected columns PPTESTCD, PPSTRESN"
    )
    flags = r"^missing column\(s\) 'subject' in the NCA table \(flag counts\)"
    with pytest.raises(DataFileError, match=flags):
        flag_counts(pd.DataFrame({"PPTESTCD": ["CMAX"]}), group=None)


@pytest.mark.parametrize(
    ("name", "frame", "message"),
    [
        (
            "isr",
            pd.DataFrame({"sample": ["S1"], "original": [100.0]}),
            "missing column(s) 'repeat' in the ISR data; columns found: sample, original; "
            "expected columns sample, original, repeat",
        ),
        (
            "drug_tolerance",
            pd.DataFrame({"ada_level": [1.0], "signal": [2.0]}),
            "missing column(s) 'drug_level' in the drug tolerance data; columns found: ada_level, signal; "
            "expected columns ada_level, drug_level, signal",
        ),
        (
            "sensitivity",
            pd.DataFrame({"run": ["R1"], "signal": [2.0]}),
            "missing column(s) 'concentration' in the sensitivity data; columns found: run, signal; "
            "expected columns run, concentration, signal",
        ),
    ],
)
def test_the_bioassay_cores_say_a_missing_column_the_same_way(
    name: str, frame: pd.DataFrame, message: str
) -> None:
    """ISR, drug tolerance and sensitivity each checked their columns their own way (``ISR data
    need columns ['original', 'repeat', 'sample']; got [...]``); they call ``require_columns`` now."""
    from bioparity.bioassay.drug_tolerance import drug_tolerance
    from bioparity.bioassay.isr import isr
    from bioparity.bioassay.sensitivity import sensitivity

    calls: dict[str, Callable[[], object]] = {
        "isr": lambda: isr(frame, "ligand-binding"),
        "drug_tolerance": lambda: drug_tolerance(frame, cut_point=50.0),
        "sensitivity": lambda: sensitivity(frame, cut_point=50.0),
    }
    with pytest.raises(DataFileError) as info:
        calls[name]()
    assert str(info.value) == message
