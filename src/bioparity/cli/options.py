"""Typer options shared by several commands, as ``Annotated`` aliases (the one option style of the CLI).

A command writes ``fmt: Format = OutputFormat.table``; the flag, its help and its type are defined once here.
Options used by a single module are aliases at the top of that module. The kinds of option every module
writes are made here too: :func:`input_argument` (the input file, ``IN``), :func:`fraction_option` (a value
read as a fraction) and :func:`percent_option` (a value in percent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from bioparity.cli.common import OutputFormat, fraction, percent
from bioparity.cli.main import language_option
from bioparity.i18n import gettext_noop


def input_argument(help: str) -> Any:
    """The input file of a command: the positional argument shown as ``IN`` in its usage line and help.

    ``help`` says what the file holds (marked with ``gettext_noop``; the help page translates it). Each
    command keeps its own help, e.g.
    ``infile: Annotated[Path, input_argument(gettext_noop("CSV/XLSX: sample,original,repeat."))]``.
    """
    return typer.Argument(metavar="IN", help=help)


def fraction_option(help: str) -> Any:
    """An option whose value is a fraction or a ratio (a CV, a limit, an alpha, a power, a confidence
    level, a margin of proportions), read with :func:`~bioparity.cli.common.fraction`: ``0.3`` is taken,
    ``30%`` is refused with the fraction to give.

    ``help`` is the option's help (marked with ``gettext_noop``), e.g.
    ``alpha: Annotated[float, fraction_option(gettext_noop("One-sided level, a fraction."))] = 0.05``.
    """
    return typer.Option(parser=fraction, help=help)


def percent_option(help: str) -> Any:
    """An option whose unit is percent (``--max-aucpext 20``), read with
    :func:`~bioparity.cli.common.percent`: ``20`` and ``20%`` are both 20.

    ``help`` is the option's help (marked with ``gettext_noop``), as for :func:`fraction_option`.
    """
    return typer.Option(parser=percent, help=help)


Format = Annotated[OutputFormat, typer.Option("--format", help=gettext_noop("json or table."))]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        help=gettext_noop(
            "Database URL (default: $BIOPARITY_DATABASE_URL, else a SQLite file in your data folder)."
        )
    ),
]
#: The unit options of ``bioparity nca`` and ``nca-batch`` by the name of the NCA input spec's field
#: (:data:`bioparity.nca.units.UNIT_FIELDS`), as messages name them.
UNIT_OPTIONS = {"conc_unit": "--conc-unit", "time_unit": "--time-unit", "dose_unit": "--dose-unit"}
#: One-sided level of the two one-sided tests (BE, PK similarity, CV from a CI).
#: Every option whose value is a fraction or a ratio is a :func:`fraction_option`
#: (``30%`` is refused with the fraction to give, 0.3).
Alpha = Annotated[float, fraction_option(gettext_noop("One-sided level, a fraction: 0.05 for a 90% CI."))]
Theta1 = Annotated[float, fraction_option(gettext_noop("Lower limit, a ratio (0.80, not 80)."))]
Theta2 = Annotated[float | None, fraction_option(gettext_noop("Upper limit, a ratio (default 1/theta1)."))]
TargetPower = Annotated[float, fraction_option(gettext_noop("Power to reach, a fraction (0.8 for 80%)."))]
PlotFormat = Annotated[str, typer.Option(help=gettext_noop("png or svg."))]
Seed = Annotated[int, typer.Option(help=gettext_noop("Seed of the operating-characteristics simulation."))]
Workers = Annotated[
    int | None,
    typer.Option(
        help=gettext_noop("Local Dask worker processes (default: one per CPU; 0 = run in this process).")
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        help=gettext_noop(
            "Address of an existing Dask scheduler, e.g. tcp://host:8786 (instead of --workers)."
        )
    ),
]
#: The language of a command that writes a report, its messages and the report (over ``bioparity --lang``).
Language = Annotated[
    str | None,
    typer.Option(
        "--lang",
        callback=language_option,
        help=gettext_noop(
            "Language of the report and messages: en or zh-CN (default: bioparity --lang, else en)."
        ),
    ),
]
#: Columns and output of the NCA commands (``nca``, ``nca-urine``, ``nca-batch``).
_DM = gettext_noop(
    "SDTM DM domain (USUBJID, ARM, optional ACTARM): each subject's arm, carried to the outputs (OUT; "
    "nca: ADPP, ADNCA), summary statistics per ARM (an SDTM PC has no arm)."
)
#: ``--dm`` of ``bioparity nca`` and ``nca-batch`` (:func:`bioparity.analyses.nca.with_arms`).
DmOpt = Annotated[Path | None, typer.Option(help=_DM)]
_ADSL = gettext_noop(
    "ADaM ADSL (USUBJID, APxxSDT with APxxSTM or APxxSDTM, optional APxxEDT/APxxETM, TRTxxP, "
    "TRTxxA): the period of each sample of an SDTM PC crossover from its PCRFTDTC and the subject's period "
    "dates (not the order of the sampled doses), TRTP from TRTxxP, TRTA from TRTxxA."
)
#: ``--adsl`` of ``bioparity nca`` and ``nca-batch`` (:func:`bioparity.io.nca_input.with_derived_period`).
AdslOpt = Annotated[Path | None, typer.Option(help=_ADSL)]
_KEEP = gettext_noop(
    "Subject-level columns to carry into OUT, comma-separated (e.g. WT for an ANCOVA in pk-similarity "
    "--covariates WT): one value per subject, copied to each of its profiles; they split nothing."
)
#: ``--keep`` of ``bioparity nca`` and ``nca-batch`` (the NCA input spec's ``keep``:
#: :mod:`bioparity.nca.covariates`).
KeepOpt = Annotated[str | None, typer.Option(metavar="COL[,COL]", help=_KEEP)]
Subject = Annotated[str, typer.Option(help=gettext_noop("Subject column."))]
Time = Annotated[
    str, typer.Option(help=gettext_noop("Time column (time after dose, in --time-unit: hours by default)."))
]
ProfilesOut = Annotated[
    Path, typer.Option(help=gettext_noop("Output CSV (long: one row per profile and parameter)."))
]
