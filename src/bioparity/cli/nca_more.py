"""``bioparity nca-sparse`` and ``bioparity nca-urine``: sparse-sampling and urine NCA of a table.

* ``nca-sparse IN --out OUT.csv``: one row per sample (``subject,time,conc``; ``--group`` columns define the
  groups); AUC of the mean profile with Bailer / Nedelman-Jia SE, df and CI; ``--bootstrap N --seed S``.
* ``nca-urine IN --out OUT.csv``: one row per collection (``subject,start,end,conc,volume``);
  ``--dose`` (number or column) for fe, ``--plasma-auc`` (column) for renal clearance.
Bad input fails before any computation, naming file, row and column, and leaves no OUT file.
"""

from __future__ import annotations

from pathlib import Path

import typer

from bioparity.cli.common import user_errors
from bioparity.io import write_frame_atomic
from bioparity.io.readers import read_any_table
from bioparity.nca import Where
from bioparity.nca.options import NCAOptions
from bioparity.nca.sparse import sparse_nca
from bioparity.nca.urine import urine_nca


def register_more(app: typer.Typer) -> None:
    """Add the ``nca-sparse`` and ``nca-urine`` commands."""

    @app.command("nca-sparse")
    def nca_sparse_command(
        infile: Path = typer.Argument(
            ..., metavar="IN", help="CSV, XLSX, Parquet or XPT, one row per sample."
        ),
        out: Path = typer.Option(..., help="Output CSV (long: one row per group and parameter)."),
        subject: str = typer.Option("subject", help="Subject (animal) column."),
        time: str = typer.Option("time", help="Nominal time column."),
        conc: str = typer.Option("conc", help="Concentration column (BLQ markers read as 0)."),
        group: list[str] = typer.Option([], "--group", help="Grouping column (repeatable)."),
        blq_mean: str = typer.Option("pknca", help="pknca (mean 0 when > 50% BLQ) or arithmetic."),
        bootstrap: int = typer.Option(0, help="Bootstrap replicates (0: none)."),
        seed: int | None = typer.Option(None, help="Seed of the bootstrap."),
    ) -> None:
        """Sparse NCA: AUC of the mean profile with its standard error (Bailer, Nedelman-Jia)."""
        with user_errors():
            table = read_any_table(infile)
            res = sparse_nca(
                table.frame,
                subject=subject,
                time=time,
                conc=conc,
                groups=group,
                blq_mean=blq_mean,
                n_boot=bootstrap,
                seed=seed,
                where=Where(file=table.file, line_offset=table.line_offset),
            )
            write_frame_atomic(res.to_frame(), out)
            typer.echo(f"wrote {len(res.groups)} groups to {out}", err=True)

    @app.command("nca-urine")
    def nca_urine_command(
        infile: Path = typer.Argument(
            ..., metavar="IN", help="CSV, XLSX, Parquet or XPT, one row per collection."
        ),
        out: Path = typer.Option(..., help="Output CSV (long: one row per profile and parameter)."),
        subject: str = typer.Option("subject", help="Subject column."),
        start: str = typer.Option("start", help="Collection start (hours after the dose)."),
        end: str = typer.Option("end", help="Collection end."),
        conc: str = typer.Option("conc", help="Urine concentration column."),
        volume: str = typer.Option("volume", help="Urine volume column."),
        group: list[str] = typer.Option([], "--group", help="Grouping column (repeatable)."),
        dose: str | None = typer.Option(None, help="Dose (number or column): fe and percent recovered."),
        plasma_auc: str | None = typer.Option(None, help="Column with the plasma AUC: renal clearance."),
        auc_method: str = typer.Option("linear", help="AURC method: linear (Phoenix) or lin-up-log-down."),
    ) -> None:
        """Urine NCA: amounts excreted, fe, renal clearance, excretion-rate parameters."""
        with user_errors():
            table = read_any_table(infile)
            dose_arg: str | float | None = dose
            if dose is not None:
                try:
                    dose_arg = float(dose)
                except ValueError:
                    dose_arg = dose
            res = urine_nca(
                table.frame,
                subject=subject,
                start=start,
                end=end,
                conc=conc,
                volume=volume,
                groups=group,
                dose=dose_arg,
                plasma_auc=plasma_auc,
                options=NCAOptions(auc_method=auc_method),
                where=Where(file=table.file, line_offset=table.line_offset),
            )
            write_frame_atomic(res.to_frame(), out)
            typer.echo(f"wrote {len(res.profiles)} profiles to {out}", err=True)
