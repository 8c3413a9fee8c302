"""``bioparity nca-batch`` (NCA of a partitioned Parquet data set on Dask) and ``bioparity bench``.

Contract:

* ``nca-batch IN --out OUT_DIR [--subject ...] [--dosing EX] [--workers N | --scheduler ADDR]``: IN is a
  Parquet file or a directory of Parquet files, or a CSV, XLSX or XPT file (read whole, then cut into
  partitions); one row per sample, a plain table (columns as for ``bioparity nca``) or an SDTM PC domain,
  read by the rules of ``bioparity nca`` (:mod:`bioparity.io.nca_input`: PCSTRESU as the concentration
  unit, checked over every partition). ``--dosing`` is an SDTM EX domain with one dose record per
  subject: single-dose NCA with each subject's EXDOSE (and EXDOSU, infusion durations), as ``bioparity
  nca --dosing``; with ``--tau`` any dose records: multiple-dose NCA read as ``bioparity nca --dosing
  --tau`` reads it (:func:`bioparity.io.nca_input.doses_of`; a crossover's periods from ``--adsl`` or the
  EPOCH of EX), else repeated doses are refused. OUT_DIR
  gets one Parquet file per partition with the long NCA table of ``bioparity nca`` (the same values).
  Profiles split across partitions are gathered by a shuffle first. OUT_DIR must be new or empty. The
  options are turned into the input spec by :func:`bioparity.nca.spec_from_options`, as for
  ``bioparity nca`` and the workspace NCA. ``--dm DM`` gives each subject its arm (ARM, ACTARM from an SDTM
  DM domain) as ``bioparity nca --dm`` does (:func:`bioparity.analyses.nca.with_arms`, on every
  partition); ``--adsl ADSL`` places each sample in its ADaM ADSL period as ``bioparity nca --adsl`` does.
  ``--keep WT[,COL]`` carries subject-level columns into OUT_DIR as ``bioparity nca --keep`` does (one value
  per subject, checked over every partition before any NCA: :mod:`bioparity.nca.covariates`), and an ARM or
  ACTARM column that changes within a subject is said in the note of ``bioparity nca``
  (:func:`bioparity.analyses.nca.arm_changes`, over every partition).
  ``OUT_DIR.provenance.json`` (beside OUT_DIR) records the inputs with the SHA-256 of each
  file (``inputs.dm``: the DM), the options and the resolved input spec.
* ``bench [--dir bench] [--quick]`` runs every benchmark script of a source checkout and prints all
  performance figures in one table with the machine and versions (same as ``make bench``).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bioparity.cli.common import user_errors, warn_note
from bioparity.cli.nca import TauOpt, refuse_dose_settings
from bioparity.cli.options import (
    UNIT_OPTIONS,
    AdslOpt,
    DmOpt,
    KeepOpt,
    Scheduler,
    Subject,
    Time,
    Workers,
    input_argument,
)
from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop

if TYPE_CHECKING:
    from bioparity.nca import NCASpec
    from bioparity.scale import BatchNCARun

BatchIn = Annotated[
    Path,
    input_argument(
        gettext_noop("Parquet file or directory of Parquet files, or a CSV, XLSX or XPT file (or SDTM PC).")
    ),
]
BatchOut = Annotated[
    Path, typer.Option(help=gettext_noop("Output directory (new or empty): one Parquet file per partition."))
]
Groups = Annotated[
    list[str] | None, typer.Option("--group", help=gettext_noop("Grouping column (repeatable)."))
]
BlqRuleOption = Annotated[str, typer.Option(help=gettext_noop("pknca, drop, zero or 'first,middle,last'."))]
Parameters = Annotated[
    str | None, typer.Option(help=gettext_noop("Comma-separated PPTESTCD codes (default: all)."))
]
_DOSE = gettext_noop(
    "auto (default: the column 'dose' when present), a column, a number or none; gives CL and Vz."
)
_DOSING = gettext_noop(
    "SDTM EX domain with one dose record per subject: each subject's own dose (EXDOSE); with --tau, "
    "multiple-dose NCA of its doses, as bioparity nca --dosing --tau."
)

app = typer.Typer()


AucMethodOption = Annotated[str, typer.Option(help=gettext_noop("lin-up-log-down or linear."))]
RouteOption = Annotated[str, typer.Option(help=gettext_noop("extravascular, iv-bolus or iv-infusion."))]


@app.command(
    "nca-batch",
    help=gettext_noop("NCA of a large data set (Parquet; plain or SDTM PC), partition by partition on Dask."),
)
def nca_batch_command(
    ctx: typer.Context,
    infile: BatchIn,
    out: BatchOut,
    subject: Subject = "subject",
    time: Time = "time",
    conc: Annotated[str, typer.Option(help=gettext_noop("Concentration column."))] = "conc",
    dose: Annotated[str | None, typer.Option(help=_DOSE)] = None,
    group: Groups = None,
    blq: Annotated[str | None, typer.Option(help=gettext_noop("Column flagging BLQ samples."))] = None,
    lloq: Annotated[str | None, typer.Option(help=gettext_noop("Column with the LLOQ."))] = None,
    auc_method: AucMethodOption = "lin-up-log-down",
    route: RouteOption = "extravascular",
    blq_rule: BlqRuleOption = "pknca",
    parameters: Parameters = None,
    dosing: Annotated[Path | None, typer.Option(help=_DOSING)] = None,
    conc_unit: Annotated[
        str | None, typer.Option(help=gettext_noop("Concentration unit, e.g. ng/mL."))
    ] = None,
    dose_unit: Annotated[str | None, typer.Option(help=gettext_noop("Dose unit, e.g. mg."))] = None,
    workers: Workers = None,
    scheduler: Scheduler = None,
    dm: DmOpt = None,
    adsl: AdslOpt = None,
    keep: KeepOpt = None,
    tau: TauOpt = None,
) -> None:
    with user_errors():
        from bioparity.scale import nca_parquet

        settings = _checked_spec(ctx.params)
        run = nca_parquet(
            infile,
            out,
            settings,
            dosing=dosing,
            dm=dm,
            adsl=adsl,
            workers=workers,
            scheduler=scheduler,
            unit_sources=UNIT_OPTIONS,
        )
        for note in run.unit_notes:
            warn_note(note)
        _say_read(run, ctx.params["dm"])
        _provenance(run.out, settings, ctx.params, run.said.derived)
        typer.echo(
            _("wrote %(n)d partition(s) to %(path)s in %(seconds)s s (%(backend)s, %(workers)d worker(s))")
            % {
                "n": run.n_partitions,
                "path": run.out,
                "seconds": f"{run.seconds:.1f}",
                "backend": run.execution.backend,
                "workers": run.execution.workers,
            }
            + (_("; profiles split across partitions were shuffled by subject") if run.shuffled else ""),
            err=True,
        )


def _checked_spec(params: Mapping[str, Any]) -> NCASpec:
    """The spec of the options (the option names of ``bioparity nca`` and the workspace), refused before the
    data are read for a unit of another dimension or ``--tau`` without the dose records of ``--dosing``."""
    from bioparity.nca import spec_from_options

    settings = spec_from_options(params)
    settings.unit_notes(UNIT_OPTIONS)
    refuse_dose_settings(settings, params["dosing"])
    return settings


def _say_read(run: BatchNCARun, dm: Path | None) -> None:
    """What ``bioparity nca`` says of its input, said by ``nca-batch`` too: the rule of a derived period
    (from PCRFTDTC or the ADSL), the arms from ``--dm`` and the note of an SDTM PC without arms."""
    from bioparity.cli.nca import arms_lines
    from bioparity.i18n.notes import note_text

    # a multiple-dose read says its rules in the note of EX, as bioparity nca says them
    for rule in (run.said.dosing,) if run.said.dosing else run.said.derived:
        typer.echo(note_text(rule), err=True)
    for line in arms_lines(dm, run.said.arms, run.said.notes):
        typer.echo(line, err=True)


def _provenance(out: str, spec: NCASpec, params: Mapping[str, Any], derived: tuple[str, ...]) -> None:
    """``OUT_DIR.provenance.json`` beside the Parquet directory written: the input files with their SHA-256
    (the concentrations, EX, DM and ADSL given), the options, the resolved input spec and the rule of each
    derived profile column (``derived_columns``, as ``bioparity nca`` records it)."""
    from bioparity.cli.nca import provenance_options
    from bioparity.io.provenance import write_provenance

    inputs = {"concentrations": params["infile"]} | {k: params[k] for k in ("dosing", "dm", "adsl")}
    extra = {"derived_columns": list(derived)} if derived else None
    write_provenance(Path(out), inputs, provenance_options(spec, "nca-batch"), extra=extra)


@app.command(
    "bench",
    help=gettext_noop("Run every benchmark and print all performance figures in one table."),
)
def bench_command(
    directory: Annotated[
        Path, typer.Option("--dir", help=gettext_noop("The bench/ directory of a checkout."))
    ] = Path("bench"),
    quick: Annotated[
        bool, typer.Option(help=gettext_noop("Smaller problem sizes (a smoke test, not for quoting)."))
    ] = False,
) -> None:
    with user_errors():
        script = directory / "run_all.py"
        if not script.is_file():
            raise InputError(
                _("%(script)s not found; run from a source checkout or give --dir path/to/bench")
                % {"script": script}
            )
        sys.path.insert(0, str(directory.resolve()))  # run_all imports its helper _figures
        spec = importlib.util.spec_from_file_location("bioparity_bench_run_all", script)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        code = int(module.main(["--quick"] if quick else []))
    raise typer.Exit(code)
