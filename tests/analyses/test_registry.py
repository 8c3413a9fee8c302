"""The registry and the options schema: lookup, registration, option parsing and checking, and the web
form and upload fields derived from the schema."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bioparity.analyses import registry
from bioparity.analyses.contract import Analysis, InputColumn, Option
from bioparity.analyses.registry import all_analyses, get_analysis, next_kinds, register
from bioparity.errors import InputError


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


def _count(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    return {"n": len(frame) * int(options["repeat"])}


def _toy(name: str = "toy") -> Analysis:
    return Analysis(
        name=name,
        title="Toy",
        description="rows times repeat",
        read=_read,
        compute=_count,
        columns=(InputColumn("x", True, unit_option="x_unit"),),
        options=(
            Option("repeat", "how many times", 1, type="integer"),
            Option("scale", "a factor", 1.0, type="number"),
            Option("log", "log scale", False, (False, True), type="flag"),
            Option("x_unit", "unit of x", "", label="X unit"),
        ),
        follows=("nca",),
    )


@pytest.fixture
def toy() -> Iterator[Analysis]:
    kind = register(_toy())
    yield kind
    registry.unregister(kind.name)


def test_the_builtin_kinds_are_the_modules_of_the_tuple() -> None:
    names = [a.name for m in registry.BUILTIN_MODULES for a in importlib.import_module(m).ANALYSES]
    assert (
        sorted(names)
        == list(all_analyses())
        == [
            "ada-cutpoint",
            "ada-drug-tolerance",
            "ada-sensitivity",
            "ada-summary",
            "be",
            "caa",
            "comparability",
            "isr",
            "linearity",
            "nca",
            "pk-similarity",
            "potency",
            "power",
            "profiles",
            "samplesize",
            "stability",
        ]
    )


def test_unknown_kind_lists_the_known_ones() -> None:
    with pytest.raises(
        InputError,
        match=r"unknown analysis kind 'astrology'; expected one of ada-cutpoint, ada-drug-tolerance, ada-s",
    ):
        get_analysis("astrology")


def test_a_kind_is_registered_once_and_can_be_removed(toy: Analysis) -> None:
    assert get_analysis("toy") is toy and "toy" in all_analyses()
    with pytest.raises(ValueError, match="already registered"):
        register(_toy())
    assert next_kinds("nca") == ["pk-similarity", "toy"]  # what the web offers after an NCA run


def test_options_are_typed_from_text_and_checked(toy: Analysis) -> None:
    parsed = registry.parse_options(toy, {"repeat": "3", "scale": "2.5", "log": "yes", "x_unit": " mg "})
    assert parsed == {"repeat": 3, "scale": 2.5, "log": True, "x_unit": "mg"}
    assert registry.effective_options(toy, {"repeat": 2}) == {
        "repeat": 2,
        "scale": 1.0,
        "log": False,
        "x_unit": "",
    }
    bad = registry.parse_options(toy, {"repeat": "2.5", "scale": "big", "log": "maybe"})
    assert bad == {"repeat": "2.5", "scale": "big", "log": "maybe"}  # left as text: refused below
    problems = registry.option_errors(toy, bad)
    assert problems == {
        "repeat": "'2.5' is not a whole number (e.g. 1)",
        "scale": "'big' is not a number (e.g. 1.0)",
        "log": "'maybe' is not accepted; choose one of false, true",
    }
    with pytest.raises(InputError, match=r"does not accept option\(s\) \['colour'\]; accepted: repeat"):
        registry.effective_options(toy, {"colour": "red"})
    with pytest.raises(InputError, match="option scale: 'big' is not a number"):
        registry.effective_options(toy, {"scale": "big"})
    assert registry.option_errors(toy, {"repeat": True}) == {"repeat": "True is not a whole number (e.g. 1)"}


def test_the_schema_names_what_the_front_ends_need(toy: Analysis) -> None:
    assert toy.option_help["repeat"] == "how many times"
    assert toy.defaults == {"repeat": 1, "scale": 1.0, "log": False, "x_unit": ""}
    assert toy.choices == {"log": (False, True)}
    assert toy.expected_columns == {"x": True}
    assert [o.name for o in toy.unit_options] == ["x_unit"]
    assert toy.column_units({"x_unit": "mg"}) == {"x": "mg"} and toy.column_units({"x_unit": ""}) == {}
    assert toy.schema()["options"][2] == {
        "name": "log",
        "help": "log scale",
        "type": "flag",
        "default": False,
        "choices": [False, True],
        "label": "log",
    }


def test_a_malformed_schema_is_refused_when_defined() -> None:
    with pytest.raises(ValueError, match="default 'x' is not one of its choices"):
        Option("a", "", "x", ("y", "z"))
    with pytest.raises(ValueError, match="default 'x' is not a number"):
        Option("a", "", "x", type="number")
    with pytest.raises(ValueError, match="takes its unit from option 'unit'"):
        Analysis(name="n", title="t", description="d", read=_read, compute=_count,
                 columns=(InputColumn("x", True, unit_option="unit"),))  # fmt: skip
    with pytest.raises(ValueError, match="option names repeat"):
        Analysis(name="n", title="t", description="d", read=_read, compute=_count,
                 options=(Option("a", ""), Option("a", "")))  # fmt: skip


def test_nca_schema_matches_its_reader() -> None:
    nca = get_analysis("nca")
    assert [c.name for c in nca.columns if c.required] == ["subject", "time", "conc"]
    assert nca.column_units({"conc_unit": "ng/mL", "time_unit": "h", "dose_unit": ""}) == {
        "time": "h",
        "conc": "ng/mL",
    }
    assert [a.path for a in nca.actions] == ["review"]
    assert get_analysis("pk-similarity").follows == ("nca",)
    defaults: dict[str, str] = {}
    for k in all_analyses().values():  # the first kind in name order that lists the study's kind
        for study in k.study_kinds:
            defaults.setdefault(study, k.name)
    # what an upload to a PK, CAA or clinical study is checked for (other kinds are offered too)
    assert defaults == {"pk": "nca", "caa": "caa", "clinical": "ada-cutpoint"}


def test_the_web_form_is_the_options_schema(toy: Analysis) -> None:
    from bioparity.web.pages_data import option_fields, unit_fields

    fields = {f["name"]: f for f in option_fields(toy, {"scale": "3"})}
    assert list(fields) == ["repeat", "scale", "log", "x_unit"]
    assert (
        fields["repeat"]["number"] and fields["repeat"]["value"] == "1" and fields["repeat"]["choices"] == []
    )
    assert fields["scale"]["value"] == "3"  # what the user typed is shown again
    assert fields["log"]["choices"] == ["false", "true"] and fields["log"]["value"] == "false"
    assert not fields["x_unit"]["number"] and fields["x_unit"]["help"] == "unit of x"
    for kind in all_analyses().values():  # every kind's form: one field per option, in schema order
        assert [f["name"] for f in option_fields(kind)] == [o.name for o in kind.options]
    units = {o.name: used_by for o, used_by in unit_fields()}
    assert units == {"conc_unit": ["nca"], "time_unit": ["nca"], "dose_unit": ["nca"], "x_unit": ["toy"]}
