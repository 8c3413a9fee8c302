"""What an assessor reads once in a report, not twice (session 19, helper ``reportdup``).

* CAA run report: the "Spread check by chance" notes were printed under "Flags and notes" (page 2) and
  again under the plans and operating characteristics table (page 4), word for word; they are now printed
  under the table only. Their numbers are checked against R 4.2.2: the per-check probability of a false
  spread failure is ``P(F(n_T - 1, n_R - 1) > margin^2)`` (``pf(margin^2, n_T - 1, n_R - 1, lower.tail =
  FALSE)``), the familywise one ``1 - (1 - p)^20`` over the comparison's 20 spread checks (attributes
  taken as independent, as the note says), the expected failures ``20 p``.
* Program report: the guideline column printed each citation and then the same document again ("...
  2014-10-23. Source: CHMP/437/04 Rev 1 (final, 2014-10-23), section 3.3 (reference medicinal
  product)"); a source part is now added only when the citation does not already say it, as the web
  workspace's readiness page does.
"""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from bioparity.report import render_program_report, render_run_report
from bioparity.report.context import run_context
from bioparity.report.evidence import collect
from bioparity.store import make_sessionmaker
from bioparity.store.models import Program
from bioparity.workspace import accounts
from bioparity.workspace.access import Actor
from tests.web.conftest import DemoStore

_TAGS = re.compile(r"<[^>]+>")


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(_TAGS.sub(" ", page.replace("<wbr>", ""))))


def test_the_caa_report_prints_the_spread_notes_once_under_the_plans_table(demo_store: DemoStore) -> None:
    with make_sessionmaker(demo_store.engine)() as session:
        user = accounts.get_user_by_name(session, "sam")
        ctx = run_context(
            session, Actor(user.id, user.username, user.display_name), demo_store.summary.runs["caa"]
        )
        stored = list(ctx.notes)
        report = render_run_report(ctx, lang="en")
    text = _text(report)
    spread = [n for n in stored if n.startswith("Spread check by chance")]
    assert len(spread) == 3  # test vs ref-eu, test vs ref-us, ref-eu vs ref-us: the stored result keeps them
    for note in spread:
        assert text.count(note) == 1, note
        # where the table is: after the plans table's caption, not under "Flags and notes"
        assert text.index(note) > text.index("Plans and operating characteristics (probability of passing")
        assert text.index(note) > text.index("Results ")
    flags = text[text.index("Flags and notes") : text.index("Results ")]
    others = [n for n in stored if n not in spread]
    assert others and all(n in flags for n in others)  # the other notes stay under "Flags and notes"
    # R 4.2.2, the demo's lot numbers (test 15, ref-eu 25, ref-us 20 lots) and margin 1.5:
    # p <- pf(1.5^2, n1 - 1, n2 - 1, lower.tail = FALSE); 1 - (1 - p)^20; 20 * p
    r = {  # comparison: (p, 1 - (1 - p)^20, 20 p)
        "test vs ref-eu": (0.0389994181, 0.5487, 0.7800),  # pf(2.25, 14, 24)
        "test vs ref-us": (0.0505105123, 0.6453, 1.0102),  # pf(2.25, 14, 19)
        "ref-eu vs ref-us": (0.0377169855, 0.5365, 0.7543),  # pf(2.25, 24, 19)
    }
    for comparison, (p, familywise, expected) in r.items():
        (note,) = [n for n in spread if f"chance, {comparison}:" in n]
        assert f"each spread check fails with probability {p:.1%}" in note
        assert f"at least one of its 20 spread checks fails with probability {familywise:.1%}" in note
        assert f"({expected:.2f} failures expected" in note


def test_the_program_report_prints_each_guideline_once(demo_store: DemoStore) -> None:
    with make_sessionmaker(demo_store.engine)() as session:
        program = session.scalar(select(Program).where(Program.id == demo_store.summary.program_id))
        assert program is not None
        report = render_program_report(session, collect(session, program), lang="en")
    text = _text(report)
    assert "Source: CHMP/437/04 Rev 1" not in text
    assert "Source: EMA/CHMP/BMWP/60916/2025" not in text
    cited = (
        "Guideline on similar biological medicinal products (CHMP/437/04 Rev 1, final), section 3.3 "
        "(reference medicinal product), 2014-10-23"
    )
    assert text.count(cited) == 1
    # every citation of the demo names its document, date and section: no "Source:" is left to add
    assert text.count("Source:") == 0
