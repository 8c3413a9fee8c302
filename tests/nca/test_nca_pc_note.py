"""The note of an SDTM PC read for multiple-dose NCA (``reference_on_dose_clock``): PCRFTDTC is each
sample's reference dose, no profile column, and no period is derived from its order (CDISC SDTMIG v3.4, PC:
PCRFTDTC, the date/time of the reference point). The note "profiles by ..." is made again from its parts
(:func:`bioparity.io.nca_input.pc_note`); before, it was patched by replacing the text " PCRFTDTC, ", which
hit the first place it occurs: a folder named "by PCRFTDTC, 2" lost it from its path while the note kept
PCRFTDTC among the profile columns. Where the patch was right, the text is the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bioparity.io.nca_input import PC_DETECTED, PERIOD_DERIVED, pc_note, read_doses, read_samples
from bioparity.nca import NCASpec
from tests.nca.test_nca_pcrftdtc_multiple_dose import _write

PROFILES = "STUDYID, PCTESTCD, PCSPEC, USUBJID"


@pytest.mark.parametrize("folder", ["in", "by PCRFTDTC, 2"])
def test_the_note_names_the_profile_columns_without_pcrftdtc(tmp_path: Path, folder: str) -> None:
    pc, _dosing, ex, *_dm = _write(tmp_path / folder)
    samples = read_samples(pc, NCASpec())
    read = PC_DETECTED.format(file=pc, groups="STUDYID, PCTESTCD, PCSPEC, PCRFTDTC, USUBJID")
    assert samples.note == f"{read}; {PERIOD_DERIVED}"  # as read: PCRFTDTC a profile column, a period
    dosed, _doses = read_doses(ex, samples, tau=24.0)
    assert dosed.note == PC_DETECTED.format(file=pc, groups=PROFILES)
    assert dosed.derived == () and "PCRFTDTC" not in dosed.spec.groups


def test_pc_note_joins_the_rules_of_derived_columns() -> None:
    assert pc_note("pc.xpt", ["PCTESTCD"], [PERIOD_DERIVED]) == (
        f"pc.xpt: SDTM PC domain detected (profiles by PCTESTCD, USUBJID); {PERIOD_DERIVED}"
    )
