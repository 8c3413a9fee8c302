"""``bioparity nca-sparse`` and ``bioparity nca-urine``: sparse-sampling and urine NCA of a table.

* ``nca-sparse IN --out OUT.csv``: one row per sample (``subject,time,conc``; ``--group`` columns define the
  groups); AUC of the mean profile with Bailer / Nedelman-Jia SE, df and CI; ``--bootstrap N --seed S``.
* ``nca-urine IN --out OUT.csv``: one row per collection (``subject,start,end,conc,volume``);
  ``--dose`` (number or column) for fe, ``--plasma-auc`` (column) for renal clearance.
Bad input fails before any computation, naming file, row and column, and leaves no OUT file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from bioparity.cli.common import check_outputs, missing_count_note, user_errors
from bioparity.cli.options import ProfilesOut, Subject, input_argument
from bioparity.i18n import gettext_noop, ngettext
from bioparity.io import write_frame_atomic
from bioparity.io.readers import LoadedTable, read_any_table
from bioparity.nca import NCAOptions, Where, sparse_nca, urine_nca
from bioparity.nca.samples import parse_numbers

app = typer.Typer()

GroupOpt = Annotated[list[str], typer.Option("--group", help=gettext_noop("Grouping column (repeatable)."))]


@app.command(
    "nca-sparse",
    help=gettext_noop("Sparse NCA: AUC of the mean profile with its standard error (Bailer, Nedelman-Jia)."),
)
def nca_sparse_command(
    infile: Annotated[Path, input_argument(gettext_noop("CSV, XLSX, Parquet or XPT, one row per sample."))],
    out: Annotated[
        Path, typer.Option(help=gettext_noop("Output CSV (long: one row per group and parameter)."))
    ],
    subject: Annotated[str, typer.Option(help=gettext_noop("Subject (animal) column."))] = "subject",
    time: Annotated[str, typer.Option(help=gettext_noop("Nominal time column."))] = "time",
    conc: Annotated[
        str, typer.Option(help=gettext_noop("Concentration column (BLQ markers read as 0)."))
    ] = "conc",
    group: GroupOpt = [],  # noqa: B006
    blq_mean: Annotated[
        str, typer.Option(help=gettext_noop("pknca (mean 0 when > 50% BLQ) or arithmetic."))
    ] = "pknca",
    bootstrap: Annotated[int, typer.Option(help=gettext_noop("Bootstrap replicates (0: none)."))] = 0,
    seed: Annotated[int | None, typer.Option(help=gettext_noop("Seed of the bootstrap."))] = None,
) -> None:
    with user_errors():
        table, where = _read_checked(infile, out)
        res = sparse_nca(
            table.frame, subject=subject, time=time, conc=conc, groups=group, blq_mean=blq_mean,
            n_boot=bootstrap, seed=seed, where=where,
        )  # fmt: skip
        write_frame_atomic(res.to_frame(), out)
        concentrations = parse_numbers(table.frame[conc], conc, where, allow_missing=True, blq_tokens=True)[0]
        missing = int(np.isnan(concentrations).sum())  # left out of the mean profile: said, not silent
        note = missing_count_note(missing) if missing else ""
        typer.echo(
            ngettext("wrote %(n)d group to %(path)s", "wrote %(n)d groups to %(path)s", len(res.groups))
            % {"n": len(res.groups), "path": out}
            + note,
            err=True,
        )


@app.command(
    "nca-urine",
    help=gettext_noop("Urine NCA: amounts excreted, fe, renal clearance, excretion-rate parameters."),
)
def nca_urine_command(
    infile: Annotated[
        Path, input_argument(gettext_noop("CSV, XLSX, Parquet or XPT, one row per collection."))
    ],
    out: ProfilesOut,
    subject: Subject = "subject",
    start: Annotated[
        str, typer.Option(help=gettext_noop("Collection start (hours after the dose)."))
    ] = "start",
    end: Annotated[str, typer.Option(help=gettext_noop("Collection end."))] = "end",
    conc: Annotated[str, typer.Option(help=gettext_noop("Urine concentration column."))] = "conc",
    volume: Annotated[str, typer.Option(help=gettext_noop("Urine volume column."))] = "volume",
    group: GroupOpt = [],  # noqa: B006
    dose: Annotated[
        str | None, typer.Option(help=gettext_noop("Dose (number or column): fe and percent recovered."))
    ] = None,
    plasma_auc: Annotated[
        str | None, typer.Option(help=gettext_noop("Column with the plasma AUC: renal clearance."))
    ] = None,
    auc_method: Annotated[
        str, typer.Option(help=gettext_noop("AURC method: linear (Phoenix) or lin-up-log-down."))
    ] = "linear",
) -> None:
    with user_errors():
        table, where = _read_checked(infile, out)
        res = urine_nca(
            table.frame, subject=subject, start=start, end=end, conc=conc, volume=volume, groups=group,
            dose=_number_or_column(dose), plasma_auc=plasma_auc, options=NCAOptions(auc_method=auc_method),
            where=where,
        )  # fmt: skip
        write_frame_atomic(res.to_frame(), out)
        wrote = ngettext(
            "wrote %(n)d profile to %(path)s", "wrote %(n)d profiles to %(path)s", len(res.profiles)
        )
        typer.echo(wrote % {"n": len(res.profiles), "path": out}, err=True)


def _read_checked(infile: Path, out: Path) -> tuple[LoadedTable, Where]:
    """Check ``--out`` before any work, then read ``infile`` (the analysis checks the cells, blank subject
    or group cells included, naming row and column)."""
    check_outputs(("--out", out))
    table = read_any_table(infile)
    return table, Where(file=table.file, line_offset=table.line_offset)


def _number_or_column(text: str | None) -> str | float | None:
    """A dose given as a number, else the name of the column holding it."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return text
