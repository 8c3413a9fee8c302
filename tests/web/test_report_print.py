"""What a reader of the printed reports sees (found by rendering every report to PDF and reading it):

* a result without a table (bioequivalence) is printed once, in words: no JSON with escapes such as
  ``\\u003e`` for ``>``, not repeated under "Flags and notes";
* the result tables of a report with a wide one share landscape pages (a narrow table between two wide
  ones took a page of its own, the pages before and after it mostly empty);
* a Chinese profiles report words what each lot's distance is measured to (留一法, not leave-one-out);
* a note that several figures share (the four ADA cut-point plots) is printed once;
* the program report names each run's input as ``dataset: <SHA-256>``, not as raw JSON;
* signature times are printed to the second (no microseconds);
* the audit trail PDF keeps its short codes whole (``share_accept``, not ``share_acc`` / ``ept``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bioparity.analyses.registry import all_analyses
from bioparity.report import html_to_pdf, render_program_report, render_run_report
from bioparity.report.context import run_context
from bioparity.report.evidence import collect
from bioparity.store import make_sessionmaker
from bioparity.store.models import Program, Study
from bioparity.workspace import accounts, analyses, datasets
from bioparity.workspace.access import Actor
from tests.web.conftest import DemoStore, FormClient

#: A time printed with its fraction of a second (``07:55:23.193756``).
MICROSECONDS = re.compile(r"\d\d:\d\d:\d\d\.\d")


def _pdf_text(pdf: bytes, folder: Path) -> str:
    """The PDF text in drawing order (``-raw``: a cell's lines together), pages split by form feeds."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is missing: run scripts/system-deps.sh")
    path = folder / "report.pdf"
    path.write_bytes(pdf)
    command = ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"]
    out = subprocess.run(command, check=True, capture_output=True)
    return out.stdout.decode("utf-8")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def example_reports(demo_store: DemoStore) -> Iterator[dict[str, str]]:
    """The run reports (HTML) of the BE, ADA cut-point and stability examples in English and of the
    profiles example in Chinese, run in the demo's PK study; the session is rolled back, so the shared
    demo store is left as it was."""
    out = {}
    with make_sessionmaker(demo_store.engine)() as session:
        sam = Actor.of(accounts.get_user_by_name(session, "sam"))
        study = session.scalar(
            select(Study).where(Study.program_id == demo_store.summary.program_id, Study.name == "PK-101")
        )
        assert study is not None
        for kind, lang in (("be", "en"), ("ada-cutpoint", "en"), ("stability", "en"), ("profiles", "zh-CN")):
            example = all_analyses()[kind].example
            assert example is not None
            path = example.write(Path(demo_store.url.removeprefix("sqlite:///")).parent)
            dataset = datasets.upload_dataset(
                session,
                sam,
                study.id,
                name=f"example-{kind}",
                filename=path.name,
                content=path.read_bytes(),
                analysis_kind=kind,
            )
            run = analyses.run_analysis(session, sam, dataset.id, kind, dict(example.options))
            out[kind] = render_run_report(run_context(session, sam, run.id), lang=lang)
        session.rollback()
    yield out


def test_a_result_without_a_table_is_printed_once_in_words(
    example_reports: dict[str, str], tmp_path: Path
) -> None:
    text = _pdf_text(html_to_pdf(example_reports["be"]), tmp_path)
    assert "\\u00" not in text and '"sequence"' not in text  # no JSON, no JSON escapes
    assert "CVwR 46.96% > 30%" in text  # a reason in words
    assert _squash("sequence: RTRT, studentized_residual: -6.65694, subject: 45") in _squash(text)
    # each value of the result once (it was printed under "Flags and notes" and again under "Result")
    assert text.count("pass_without_outliers") == 1 and text.count("upper_limit_without_outliers") == 1


def test_a_note_shared_by_figures_is_printed_once(example_reports: dict[str, str]) -> None:
    html = example_reports["ada-cutpoint"]
    assert html.count("Values: per donor and run the mean of the replicate wells") == 1


def test_result_tables_share_landscape_pages(example_reports: dict[str, str], tmp_path: Path) -> None:
    pages = _pdf_text(html_to_pdf(example_reports["stability"]), tmp_path).split("\f")
    captions = ("Shelf life per attribute", "Equivalence of degradation rates", "Regression per lot")
    on = {c: [i for i, page in enumerate(pages) if c in page] for c in captions}
    assert all(len(found) == 1 for found in on.values()), on
    assert len({found[0] for found in on.values()}) == 1, on  # all three on one page


def test_the_chinese_profiles_report_words_the_distance_kinds(
    example_reports: dict[str, str], tmp_path: Path
) -> None:
    text = _pdf_text(html_to_pdf(example_reports["profiles"]), tmp_path)
    main = text.split("附录")[0]  # the appendix prints the stored result table as stored
    assert "留一法" in main and "至参照中心" in main
    assert "leave-one-out" not in main and "to reference centre" not in main


def test_program_report_names_inputs_and_prints_signature_times_to_the_second(
    demo_store: DemoStore, tmp_path: Path
) -> None:
    with make_sessionmaker(demo_store.engine)() as session:
        program = session.scalar(select(Program).where(Program.id == demo_store.summary.program_id))
        assert program is not None
        html = render_program_report(session, collect(session, program), lang="en")
        sam = Actor.of(accounts.get_user_by_name(session, "sam"))
        run_html = render_run_report(run_context(session, sam, demo_store.summary.runs["pk-similarity"]))
    text = _pdf_text(html_to_pdf(html), tmp_path)
    assert '{"dataset"' not in _squash(text) and "dataset:" in text
    assert not MICROSECONDS.search(text), MICROSECONDS.search(text)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", text)
    run_text = _pdf_text(html_to_pdf(run_html), tmp_path)
    assert "approved" in run_text and not MICROSECONDS.search(run_text)


def test_the_audit_pdf_keeps_short_codes_whole(demo_store: DemoStore) -> None:
    from bioparity.demo import DEMO_USERS
    from bioparity.server import create_app

    olivia = next(u for u in DEMO_USERS if u.username == "olivia")
    with FormClient(create_app(engine=demo_store.engine)) as client:
        signed_in = client.post("/ui/login", data={"username": olivia.username, "password": olivia.password})
        assert signed_in.status_code == 200
        exported = client.get(f"/ui/programs/{demo_store.summary.program_id}/audit.pdf")
    assert exported.status_code == 200
    folder = Path(demo_store.url.removeprefix("sqlite:///")).parent
    lines = _pdf_text(exported.content, folder).splitlines()
    assert any("share_accept" in line for line in lines)  # not "share_acc" on one line, "ept" on the next
    assert any(re.match(r"\d{2,} ", line) for line in lines)  # an event number of two digits in one piece


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_failure_counts_are_bad_and_descriptive_ones_neutral_in_every_language(language: str) -> None:
    from bioparity.analyses.terms import term
    from bioparity.i18n import use_language
    from bioparity.report.html import flag_class

    with use_language(language):
        # as the comparability kind names its counts (zh-CN: 比较：不通过 holds 通过, "pass")
        failed, passed, described = (f"comparisons {term(w)}" for w in ("fail", "pass", "descriptive"))
        assert flag_class(failed, 1) == "bad"
        assert flag_class(passed, 4) == "ok" and flag_class(failed, 0) == "ok"
        assert flag_class(described, 15) == ""  # CAA tier 3: described, neither passed nor failed (not red)


def test_the_nca_review_flags_are_named_in_words(demo_store: DemoStore) -> None:
    with make_sessionmaker(demo_store.engine)() as session:
        sam = Actor.of(accounts.get_user_by_name(session, "sam"))
        html = render_run_report(run_context(session, sam, demo_store.summary.runs["nca"]), lang="en")
    review = html.split("Review flags: subjects with the flag per arm")[1].split("</table>")[0]
    assert "lambda z few points" in review and "blq imputed" in review
    assert "lambda_z_few_points" not in review and "_" not in review
