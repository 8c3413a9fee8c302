"""``bioparity pathways PROGRAM.yaml``: regulatory readiness per region.

Contract: ``--format json`` prints one JSON object (``PathwayAssessment.to_dict()``) with at least
``program``, ``statuses`` (region -> status) and ``regions`` (each with ``status``, ``requirements``,
``work_left`` and ``explanation``); ``--format table`` prints one table per region followed by the
work left and the explanation; each requirement row names the cited text with its version, status
and date. ``bioparity pathways --explain RULE_ID`` prints one rule: its source (document, section,
date) and its logic. A malformed PROGRAM.yaml or rule file, or an unknown rule id, exits with code 2
and a message naming the file and the entry or rule.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bioparity.cli.common import OutputFormat, print_json, user_errors
from bioparity.cli.options import Format
from bioparity.errors import InputError
from bioparity.i18n import DEFAULT_LANGUAGE, current_language, gettext_noop
from bioparity.i18n import gettext as _
from bioparity.pathways import PathwayAssessment, assess_program, explain_rule, load_program, load_rules
from bioparity.pathways.checks import code_words

_STATUS_STYLE = {"met": "green", "missing": "red", "at_risk": "yellow"}

Program = Annotated[
    Path | None,
    typer.Argument(
        metavar="PROGRAM.yaml", help=gettext_noop("PROGRAM.yaml: the program profile and its evidence.")
    ),
]
#: The region codes of the shipped rule files (``bioparity.pathways.engine.REGION_ORDER``; written out here
#: so that ``bioparity --help`` reads no rule file; a test keeps the two the same, and --region's help,
#: written out to be marked for translation, saying them).
REGION_HELP = "EMA, FDA, MHRA, NMPA, WHO or HC"
Regions = Annotated[
    list[str] | None,
    typer.Option(
        "--region",
        metavar="CODE",
        help=gettext_noop(
            "Region to assess (repeatable): EMA, FDA, MHRA, NMPA, WHO or HC, or a jurisdiction (EU, US, UK, "
            "CN, CA); any case. Default: the program's target_regions, else every region with rules."
        ),
    ),
]
Explain = Annotated[
    str | None,
    typer.Option(
        "--explain",
        metavar="RULE_ID",
        help=gettext_noop("Print one rule: its source (document, section, date) and logic."),
    ),
]

app = typer.Typer()


def _cited(rule_id: str, citation: str, source: str) -> tuple[str, str]:
    """A requirement's citation and source in the reader's words: as stored (English) for English, else as
    the reports print them (translated status and section, a Chinese guideline's own title)."""
    if current_language() == DEFAULT_LANGUAGE:
        return citation, source
    from bioparity.report.evidence import requirement_citation  # the store's models load only for this

    return requirement_citation(rule_id, citation, source)


def _print_tables(result: PathwayAssessment) -> None:
    console = Console()
    console.print(f"[bold]{escape(result.program)}[/bold] ({escape(result.modality)})")
    for region in result.regions:
        table = Table(
            title=_("%(region)s: %(status)s (rules %(version)s)")
            % {
                "region": region.region_name,
                "status": code_words(region.status),
                "version": region.rules_version,
            }
        )
        table.add_column(_("rule"), no_wrap=True)
        table.add_column(_("status"), no_wrap=True)
        # fold, not cut with an ellipsis: a Chinese sentence has no spaces to wrap at
        table.add_column(_("finding and evidence"), ratio=3, overflow="fold")
        table.add_column(_("citation"), ratio=2, overflow="fold")
        cited = {r.rule_id: _cited(r.rule_id, r.citation, r.source) for r in region.requirements}
        for r in region.requirements:
            flags = "".join(
                [
                    _(" [%(flag)s]") % {"flag": _("interpretation")} if r.interpretation else "",
                    _(" [%(flag)s]") % {"flag": _("unconfirmed")} if r.unconfirmed else "",
                ]
            )
            evidence = "\n" + _("evidence: %(ids)s") % {"ids": ", ".join(r.evidence)} if r.evidence else ""
            table.add_row(  # the texts are data, not markup: "[section number unconfirmed]" is printed
                r.rule_id,
                f"[{_STATUS_STYLE[r.status]}]{code_words(r.status)}[/]",
                escape(f"{r.detail}{evidence}"),
                escape(cited[r.rule_id][0] + flags),
            )
        console.print(table)
        sources = list(dict.fromkeys(cited[r.rule_id][1] for r in region.requirements if r.source))
        if sources:
            console.print(
                _("Texts cited (version, status, date of the text); rules %(version)s:")
                % {"version": region.rules_version}
            )
            for source in sources:
                console.print(f"  - {escape(source)}", soft_wrap=True)
        if region.work_left:
            console.print(_("Work left:"))
            for item in region.work_left:
                console.print(f"  - {escape(item)}")
        console.print(escape(region.explanation), soft_wrap=True)
        console.print()


def _region_codes(regions: list[str] | None) -> list[str] | None:
    """The ``--region`` values as rule-set codes (``ema``, ``EU`` -> EMA; as the program's target_regions
    are read); one no rule set knows is kept as typed, for the error naming the regions with rules."""
    if not regions:
        return None
    from bioparity.pathways.engine import region_code

    return [region_code(r) or r for r in regions]


@app.command(
    "pathways",
    help=gettext_noop("Readiness per region under the streamlined rules (EMA, FDA, MHRA, NMPA, WHO, HC)."),
)
def pathways_command(
    program_file: Program = None,
    fmt: Format = OutputFormat.table,
    region: Regions = None,
    rules: Annotated[
        Path | None,
        typer.Option(help=gettext_noop("Folder of rule files to use instead of the shipped ones.")),
    ] = None,
    explain: Explain = None,
) -> None:
    with user_errors():
        rule_sets = load_rules(rules) if rules is not None else None
        if explain is not None:
            sys.stdout.write(explain_rule(explain, rule_sets) + "\n")
            return
        if program_file is None:
            raise InputError(_("give PROGRAM.yaml to assess, or --explain RULE_ID to print a rule"))
        if program_file.is_file():
            from bioparity.io.readers import require_utf8_text

            require_utf8_text(program_file)  # Latin-1 or binary bytes: the line, not a UnicodeDecodeError
        program, inventory = load_program(program_file)
        result = assess_program(program, inventory, rules=rule_sets, regions=_region_codes(region))
        if fmt is OutputFormat.json:
            print_json(result.to_dict())
        else:
            _print_tables(result)
