"""The worked example of CONTRIBUTING.md ("Adding an analysis kind in one module") is complete as printed:
executed as a plug-in under another name, it registers, reads and computes its own ``example``, prints a
summary, and marks every text a page shows for translation. (Before, the example had no ``example`` and its
title, description and option help were plain strings: a newcomer following it literally failed
``test_every_kind_has_a_bad_cell_case_and_an_example`` and ``tests/i18n/test_kind_texts.py``.)"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from bioparity.analyses import Analysis, register, unregister
from bioparity.analyses.registry import effective_options
from bioparity.i18n.catalogues import extract

CONTRIBUTING = Path(__file__).resolve().parents[2] / "CONTRIBUTING.md"


def _example_code() -> str:
    found = re.search(r"```python\n(.*?)```", CONTRIBUTING.read_text(encoding="utf-8"), re.S)
    assert found, "CONTRIBUTING.md has no worked example"
    return found.group(1)


def test_the_worked_example_runs_as_a_kind(tmp_path: Path) -> None:
    namespace: dict[str, object] = {}
    exec(compile(_example_code(), "CONTRIBUTING.md", "exec"), namespace)
    kinds = namespace["ANALYSES"]  # the example defines a tuple of one kind
    assert isinstance(kinds, tuple) and len(kinds) == 1
    analysis: Analysis = kinds[0]
    kind = register(replace(analysis, name="contributing-example"))
    try:
        assert kind.example is not None
        path = kind.example.write(tmp_path)
        options = effective_options(kind, dict(kind.example.options))
        result = kind.compute(kind.read(path), options)
        summary = kind.summary(result, options)
        assert summary == "66.7% of 3 repeats within the limit: pass"
    finally:
        unregister(kind.name)


def test_the_worked_example_marks_its_texts_for_translation() -> None:
    code = _example_code()
    for field in ("title", "description"):
        assert re.search(rf"{field}=gettext_noop\(", code), field
    assert re.search(r'Option\(\s*"assay", gettext_noop\(', code)
    marked = extract("reports")
    assert "Incurred sample reanalysis" in marked  # the real kind's title, as the example spells it


def test_the_worked_example_names_its_validation_reference_set() -> None:
    # a kind without reference cases in `bioparity validate` fails tests/validation/test_kind_coverage.py
    from bioparity.validation import packaged_reference_dir

    namespace: dict[str, object] = {}
    exec(compile(_example_code(), "CONTRIBUTING.md", "exec"), namespace)
    analysis = namespace["ANALYSES"][0]  # type: ignore[index]
    manifest = (packaged_reference_dir() / "MANIFEST.yaml").read_text(encoding="utf-8")
    assert analysis.validation == ("isr-r",) and "  - id: isr-r\n" in manifest
