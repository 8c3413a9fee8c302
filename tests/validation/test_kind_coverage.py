"""Every registered analysis kind names reference sets of ``bioparity validate`` (``Analysis.validation``),
and a kind registered without any is reported by the command and its report
(``bioparity.validation.coverage``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
import yaml
from typer.testing import CliRunner

from bioparity.analyses.contract import Analysis
from bioparity.analyses.registry import all_analyses, get_analysis, register, unregister
from bioparity.cli.main import app
from bioparity.validation import packaged_reference_dir, render_html, run_validation
from bioparity.validation.coverage import EXEMPT, NO_CASE, NOT_RUN, PASS, kind_coverage, uncovered_kinds

runner = CliRunner()


def _manifest_sets() -> dict[str, str]:
    manifest = yaml.safe_load((packaged_reference_dir() / "MANIFEST.yaml").read_text(encoding="utf-8"))
    return {s["id"]: s["area"] for s in manifest["sets"]}


def test_every_registered_kind_has_reference_sets_of_the_manifest() -> None:
    assert uncovered_kinds(_manifest_sets()) == {}
    for name, analysis in all_analyses().items():
        assert analysis.validation or name in EXEMPT, name


def test_exemptions_are_registered_kinds_with_a_reason() -> None:
    # only pure data summaries may be exempted, each with its reason (none is, today)
    for name, reason in EXEMPT.items():
        assert name in all_analyses() and len(reason) > 20, name


@pytest.fixture
def uncovered() -> Iterator[Analysis]:
    """A kind registered like a plug-in, with no reference set."""
    kind = dataclasses.replace(get_analysis("isr"), name="isr-plugin", validation=())
    register(kind)
    try:
        yield kind
    finally:
        unregister(kind.name)


def test_a_kind_without_reference_cases_is_reported(uncovered: Analysis) -> None:
    assert uncovered_kinds(_manifest_sets()) == {
        "isr-plugin": "no reference set named (Analysis.validation is empty)"
    }
    # an exemption with its reason silences it
    assert uncovered_kinds(_manifest_sets(), {"isr-plugin": "a pure data listing"}) == {}
    run = run_validation(["clinical"])
    by_kind = {k.kind: k for k in run.kinds}
    assert by_kind["isr-plugin"].status == NO_CASE and by_kind["isr-plugin"].cases == 0
    assert by_kind["ada-summary"].status == PASS and by_kind["ada-summary"].cases > 0
    assert by_kind["isr"].status == NOT_RUN  # its area (bioassay) was not chosen
    html = render_html(run, "en")
    coverage = html.split('<table id="kind-coverage">')[1].split("</table>")[0]
    assert '<td class="status fail">no reference case</td>' in coverage
    result = runner.invoke(app, ["validate", "--area", "clinical"])
    assert "analysis kind isr-plugin has no reference case" in result.stdout.replace("\n", " ")


def test_a_kind_naming_an_unknown_reference_set_is_reported() -> None:
    kind = dataclasses.replace(get_analysis("isr"), name="isr-typo", validation=("isr-rr",))
    register(kind)
    try:
        assert uncovered_kinds(_manifest_sets()) == {
            "isr-typo": "unknown reference set(s) isr-rr (not in MANIFEST.yaml)"
        }
        # the report says so too: no case can exist, whichever areas run ("not run" would suggest that
        # running its area would qualify it)
        run = run_validation(["clinical"])
        by_kind = {k.kind: k for k in run.kinds}
        assert by_kind["isr-typo"].status == NO_CASE and by_kind["isr-typo"].cases == 0
        assert by_kind["isr"].status == NOT_RUN  # a known set whose area was not chosen
    finally:
        unregister(kind.name)


def test_coverage_counts_the_cases_of_the_named_sets() -> None:
    run = run_validation(["bioassay"])
    by_kind = {k.kind: k for k in kind_coverage(run.cases)}
    per_set = {s: sum(c.reference == s for c in run.cases) for s in _manifest_sets()}
    for name in ("isr", "ada-sensitivity", "ada-drug-tolerance", "linearity", "ada-cutpoint"):
        k = by_kind[name]
        assert k.cases == sum(per_set[s] for s in k.reference_sets) > 0 and k.passed == k.cases, k
