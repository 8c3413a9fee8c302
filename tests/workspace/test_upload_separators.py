"""A semicolon- or tab-separated file is refused at upload, before any column mapping, for every kind whose
reader reads commas only (the rule of bioparity.delimited), and accepted for ``be`` (replicateBE's files)."""

from __future__ import annotations

import pytest

from bioparity.analyses.registry import get_analysis
from bioparity.errors import DataFileError
from bioparity.workspace.datasets import require_separator

SEMICOLONS = b"subject;period;sequence;treatment;PK\n1;1;TR;T;100\n"


@pytest.mark.parametrize("kind", ["nca", "pk-similarity", None])
def test_a_semicolon_file_is_refused_for_a_comma_only_reader(kind: str | None) -> None:
    analysis = None if kind is None else get_analysis(kind)
    with pytest.raises(DataFileError) as refused:
        require_separator(SEMICOLONS, "be.csv", analysis)
    assert refused.value.file == "be.csv"
    assert refused.value.problem == (
        "the header is one column 'subject;period;sequence;treatment;PK': the file looks semicolon-separated"
    )


def test_be_reads_semicolons_and_tabs_and_other_formats_are_not_looked_at() -> None:
    be = get_analysis("be")
    assert be.separators == (",", ";", "\t")
    require_separator(SEMICOLONS, "be.csv", be)
    require_separator(SEMICOLONS.replace(b";", b"\t"), "be.txt", be)
    require_separator(b"time,conc\n0,0\n", "pk.csv", get_analysis("nca"))
    require_separator(b"PK\x03\x04;binary", "pk.xlsx", get_analysis("nca"))
