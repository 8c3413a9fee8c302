"""``bioparity nca IN --out OUT.csv``: noncompartmental analysis of a concentration-time table.

Contract:

* IN is CSV, XLSX (first sheet), Parquet or SAS XPT. Plain layout: one row per sample with columns
  ``subject,time,conc[,dose]`` (names mapped with ``--subject/--time/--conc/--dose``); grouping columns
  named period, treatment, analyte, formulation, sequence or visit (any case), and any given with
  ``--group``, define the profiles together with the subject and are kept in OUT. An SDTM PC domain
  (USUBJID, PCTESTCD, PCSTRESN, ...) is detected and read (see :mod:`bioparity.io.sdtm`).
* OUT is long: the profile columns, ``start``, ``end``, ``PPTESTCD``, ``PPSTRESN``, one ``flag_*`` column
  per review flag and ``reason`` (why a value is missing, or the user's reason for manual lambda_z points).
* ``--sdtm-pp PP.xpt`` also writes an SDTM PP domain, ``--adpp ADPP.xpt|.csv`` an ADaM ADPP data set.
* ``--dosing DOSES`` (``subject,time,dose[,duration]`` on the sample clock, or an SDTM EX domain) switches
  to multiple-dose NCA: one set of parameters per dosing interval (``--tau`` for the last dose), plus the
  terminal phase after the last dose. With EX, dose times are hours since each subject's first dose; an
  SDTM PC input is then put on the same clock from PCDTC. ``--extrapolate-tau`` extrapolates AUCTAU past
  the last sample with lambda_z (Phoenix); ``--tss-out`` writes the time to steady state per profile.
* ``--adnca ADNCA.xpt|.csv`` writes the ADaM ADNCA concentration records (times since first and last dose).
* ``--conc-unit/--time-unit/--dose-unit`` state the input units: OUT gains PPORRES/PPORRESU and
  PPSTRESU (clearances in L/h and volumes in L where the units allow). ``--conc-unit-column COL`` gives a
  unit per row: concentrations are converted into ``--conc-unit`` (default: the first row's unit).
* ``--lambda-z-max-points``, ``--lambda-z-start-after`` and ``--lambda-z-exclude`` (CSV: profile columns,
  lambda_z_time, lambda_z_reason) give Phoenix-style lambda_z rules; the rule is in ``lambda_z_method``.
* ``--review CHOICES.csv|json`` applies a reviewer's lambda_z choices (columns ``subject`` + profile
  columns, ``time`` (empty = the whole profile), ``action`` include|exclude, ``reason``), the same file the
  web NCA review saves: see :mod:`bioparity.nca.review`.
* Bad input fails before any computation, naming file, row and column, and leaves no OUT file.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import typer

from bioparity.cli.common import user_errors
from bioparity.cli.nca_more import register_more
from bioparity.errors import InputError
from bioparity.io import write_frame_atomic
from bioparity.io.adam import adnca_domain, adpp_domain, write_adam
from bioparity.io.provenance import write_provenance
from bioparity.io.readers import read_any_table
from bioparity.io.review import read_review
from bioparity.io.sdtm import (
    first_dose_datetimes,
    is_sdtm_ex,
    is_sdtm_pc,
    pc_hours_since,
    pp_domain,
    read_sdtm_ex,
    read_sdtm_pc,
    write_sdtm_pp,
)
from bioparity.io.tables_out import check_output_path, write_table_blocks
from bioparity.nca import LABELS, add_units
from bioparity.nca.blq import BLQRule
from bioparity.nca.frame import Where, nca
from bioparity.nca.multiple_dose import nca_multiple_dose
from bioparity.nca.options import NCAOptions
from bioparity.nca.review import review_tables
from bioparity.nca.tss import time_to_steady_state
from bioparity.nca.unit_column import convert_conc_column

AUTO_GROUPS = ("period", "treatment", "analyte", "formulation", "sequence", "visit")


def _interval(text: str) -> tuple[float, float]:
    try:
        a, b = (float(x) for x in text.split(","))
    except ValueError:
        raise InputError(f"--interval {text!r}; expected START,END in hours, e.g. 0,24") from None
    return a, b


def register(app: typer.Typer) -> None:
    """Add the ``nca`` command."""

    @app.command("nca")
    def nca_command(
        infile: Path = typer.Argument(
            ..., metavar="IN", help="CSV, XLSX, Parquet or SAS XPT (plain or SDTM PC)."
        ),
        out: Path = typer.Option(..., help="Output CSV (long: one row per profile and parameter)."),
        auc_method: str = typer.Option("lin-up-log-down", help="lin-up-log-down (PKNCA default) or linear."),
        route: str = typer.Option(
            "extravascular", help="extravascular, iv-bolus (C0 back-extrapolated) or iv-infusion."
        ),
        duration: str | None = typer.Option(
            None, help="Infusion duration (hours) or the name of a column holding it."
        ),
        subject: str = typer.Option("subject", help="Subject column."),
        time: str = typer.Option("time", help="Time column (hours after dose)."),
        conc: str = typer.Option("conc", help="Concentration column (BLQ markers such as 'BLQ' allowed)."),
        dose: str | None = typer.Option(
            None,
            help="Dose column, or one dose for every profile (enables CL and Vz); blank cells = missing.",
        ),
        group: list[str] = typer.Option([], "--group", help="Extra grouping column (repeatable)."),
        blq: str | None = typer.Option(None, help="Column flagging BLQ samples (1/Y/TRUE/BLQ)."),
        lloq: str | None = typer.Option(None, help="Column with the lower limit of quantification."),
        blq_rule: str = typer.Option(
            "pknca", help="pknca (first keep, middle drop, last keep), drop, zero or 'first,middle,last'."
        ),
        interval: list[str] = typer.Option(
            [], "--interval", help="Partial AUC START,END (repeatable), code AUCINT."
        ),
        parameters: str | None = typer.Option(
            None, help="Comma-separated PPTESTCD codes or PKNCA names (default: all)."
        ),
        lambda_z_points: Path | None = typer.Option(
            None,
            help="CSV: profile columns + lambda_z_start, lambda_z_end, lambda_z_reason (manual lambda_z).",
        ),
        min_points: int = typer.Option(3, help="Minimum points for lambda_z (PKNCA min.hl.points)."),
        adj_r2_factor: float = typer.Option(1e-4, help="PKNCA adj.r.squared.factor."),
        r2adj_min: float = typer.Option(0.8, help="Flag lambda_z fits with adjusted R2 below this."),
        max_aucpext: float = typer.Option(20.0, help="Flag AUC %extrapolated above this (percent)."),
        min_span_ratio: float = typer.Option(2.0, help="Flag span ratios below this."),
        sdtm_pp: Path | None = typer.Option(None, help="Also write an SDTM PP domain (SAS XPT v5)."),
        adpp: Path | None = typer.Option(None, help="Also write an ADaM ADPP data set (.xpt or .csv)."),
        dosing: Path | None = typer.Option(
            None, help="Dose records subject,time,dose (same clock as the samples): multiple-dose NCA."
        ),
        tau: float | None = typer.Option(None, help="Dosing interval after the last dose (with --dosing)."),
        conc_unit: str | None = typer.Option(None, help="Concentration unit, e.g. ng/mL."),
        time_unit: str = typer.Option("h", help="Time unit of the input."),
        dose_unit: str | None = typer.Option(None, help="Dose unit, e.g. mg."),
        lambda_z_max_points: int | None = typer.Option(None, help="At most this many lambda_z points."),
        lambda_z_start_after: float | None = typer.Option(None, help="No lambda_z point before this time."),
        lambda_z_exclude: Path | None = typer.Option(
            None, help="CSV: profile columns + lambda_z_time, lambda_z_reason (points left out of lambda_z)."
        ),
        studyid: str = typer.Option("", help="STUDYID for the PP domain when the input has none."),
        conc_unit_column: str | None = typer.Option(
            None, help="Column with each row's concentration unit (converted into --conc-unit)."
        ),
        adnca: Path | None = typer.Option(
            None, help="Also write ADaM ADNCA concentration records (.xpt or .csv)."
        ),
        extrapolate_tau: bool = typer.Option(
            False, help="With --dosing: extrapolate AUCTAU past the last sample with lambda_z (Phoenix)."
        ),
        tss_out: Path | None = typer.Option(
            None, help="With --dosing: write the time to steady state per profile (CSV)."
        ),
        tss_fraction: float = typer.Option(0.9, help="Fraction of steady state for --tss-out."),
        review: Path | None = typer.Option(
            None,
            help="Reviewer's lambda_z choices (CSV or JSON: profile columns, time (empty = whole profile), "
            "action include|exclude, reason), as saved by the web NCA review.",
        ),
    ) -> None:
        """Noncompartmental analysis (PKNCA-compatible): Cmax, AUCs, lambda_z, half-life, CL, Vz, MRT."""
        with user_errors():
            for option, path in (("--out", out), ("--adpp", adpp), ("--sdtm-pp", sdtm_pp)):
                if path is not None:
                    check_output_path(path, option)  # before any computation: one-line error, no traceback
            for option, path in (("--adnca", adnca), ("--tss-out", tss_out)):
                if path is not None:
                    check_output_path(path, option)
            if tau is not None and not tau > 0:
                raise InputError(f"--tau {tau:g}: the dosing interval must be a positive number of hours")
            table = read_any_table(infile)
            frame = table.frame
            groups = list(group)
            subject_col, time_col, conc_col = subject, time, conc
            where = Where(file=table.file, line_offset=table.line_offset)
            sdtm_pc: pd.DataFrame | None = None
            if is_sdtm_pc(frame):
                sdtm_pc = frame
                extra = {c: frame[c] for c in (dose, duration, conc_unit_column) if c and c in frame.columns}
                frame, sdtm_groups = read_sdtm_pc(frame, file=table.file)
                for name, col in extra.items():
                    frame[name] = col.to_numpy()
                groups = sdtm_groups + groups
                subject_col, time_col, conc_col = "subject", "time", "conc"
                typer.echo(
                    f"{table.file}: SDTM PC domain detected (profiles by {', '.join([*groups, 'USUBJID'])})",
                    err=True,
                )
            else:
                lower = {c.lower(): c for c in frame.columns}
                groups = [lower[g] for g in AUTO_GROUPS if g in lower and lower[g] not in groups] + groups
            dose_col = dose
            if dose is not None and dose not in frame.columns:
                try:
                    frame = frame.assign(_dose=float(dose))
                    dose_col = "_dose"
                except ValueError:
                    pass  # not a number: reported as a missing column by the validation
            dur: float | str | None = None
            if duration is not None:
                try:
                    dur = float(duration)
                except ValueError:
                    dur = duration
            options = NCAOptions(
                auc_method=auc_method,
                route=route,
                blq=BLQRule.parse(blq_rule),
                min_points=min_points,
                adj_r2_factor=adj_r2_factor,
                r2adj_min=r2adj_min,
                max_aucpext=max_aucpext,
                min_span_ratio=min_span_ratio,
                lambda_z_max_points=lambda_z_max_points,
                lambda_z_start_after=lambda_z_start_after,
                auctau_extrapolate=extrapolate_tau,
            )
            if conc_unit_column is not None:
                frame, conc_unit = convert_conc_column(
                    frame,
                    conc=conc_col,
                    unit_column=conc_unit_column,
                    target=conc_unit,
                    lloq=lloq,
                    where=where,
                )
            windows = None
            if lambda_z_points is not None:
                wt = read_any_table(lambda_z_points)
                windows = wt.frame.rename(
                    columns={"subject": subject_col} if subject_col not in wt.frame.columns else {}
                )
            if dosing is not None:
                doses = read_any_table(dosing)
                dose_frame = doses.frame
                if is_sdtm_ex(dose_frame):
                    dose_frame = read_sdtm_ex(dose_frame, file=doses.file).rename(
                        columns={"subject": subject_col}
                    )
                    if sdtm_pc is not None:
                        origin = first_dose_datetimes(doses.frame, file=doses.file)
                        frame[time_col] = pc_hours_since(sdtm_pc, origin, file=table.file)
                    typer.echo(
                        f"{doses.file}: SDTM EX domain read ({len(dose_frame)} dose records)", err=True
                    )
                md = nca_multiple_dose(
                    frame,
                    dose_frame,
                    subject=subject_col,
                    time=time_col,
                    conc=conc_col,
                    groups=groups,
                    tau=tau,
                    blq=blq,
                    lloq=lloq,
                    options=options,
                    where=where,
                    dosing_where=Where(file=doses.file, line_offset=doses.line_offset),
                )
                _write_outputs(
                    md.to_frame(), out, conc_unit, time_unit, dose_unit, sdtm_pp, adpp, subject_col, studyid
                )
                write_provenance(
                    out, {"concentrations": infile, "dosing": dosing}, _provenance_options(options, tau=tau)
                )
                typer.echo(f"wrote {len(md.intervals)} dosing intervals to {out}", err=True)
                if tss_out is not None:
                    tss = time_to_steady_state(
                        frame, dose_frame, subject=subject_col, time=time_col, conc=conc_col, groups=groups,
                        fraction=tss_fraction, terminal=md.terminal, where=where,
                    )  # fmt: skip
                    _write_outputs(tss.to_frame(), tss_out, conc_unit, time_unit, None, None, None, "", "")
                    typer.echo(
                        f"wrote time to steady state ({len(tss.profiles)} profiles) to {tss_out}", err=True
                    )
                if adnca is not None:
                    _write_adnca(
                        frame, dose_frame, adnca, subject_col, time_col, conc_col, conc_unit, studyid
                    )
                return
            excluded = included = None
            if lambda_z_exclude is not None:
                excluded = read_any_table(lambda_z_exclude).frame
            if review is not None:
                if excluded is not None:
                    raise InputError(
                        "--review and --lambda-z-exclude both given; put every choice in --review"
                    )
                choices, review_where = read_review(review)
                if subject_col != "subject" and "subject" in choices.columns:
                    choices = choices.rename(columns={"subject": subject_col})
                excluded, included = review_tables(
                    choices,
                    frame,
                    keys=[*groups, subject_col],
                    time=time_col,
                    conc=conc_col,
                    where=review_where,
                )
            result = nca(
                frame,
                subject=subject_col,
                time=time_col,
                conc=conc_col,
                dose=dose_col,
                groups=groups,
                blq=blq,
                lloq=lloq,
                duration=dur,
                options=options,
                parameters=[p.strip() for p in parameters.split(",")] if parameters else None,
                intervals=[_interval(i) for i in interval],
                lambda_z_points=windows,
                lambda_z_exclude=excluded,
                lambda_z_include=included,
                where=where,
            )
            if conc_unit is None and adpp is None and sdtm_pp is None:
                # nothing else needs the whole long table: stream it block by block (flat memory)
                n_rows = write_table_blocks(result.iter_frames(), out)
                long = None
            else:
                long = _write_outputs(
                    result.to_frame(), out, conc_unit, time_unit, dose_unit, None, adpp, subject_col, studyid
                )
                n_rows = len(long)
            write_provenance(
                out,
                {
                    "concentrations": infile,
                    "lambda_z_points": lambda_z_points,
                    "lambda_z_exclude": lambda_z_exclude,
                    "review": review,
                },
                _provenance_options(options, parameters=parameters, intervals=list(interval)),
            )
            dropped = int(result.n_missing_dropped.sum())
            blq_dropped = int(result.n_blq_dropped.sum())
            typer.echo(
                f"wrote {n_rows} rows ({result.n_profiles} profiles) to {out}"
                + (f"; {dropped} samples with a missing concentration excluded" if dropped else "")
                + (f"; {blq_dropped} BLQ samples dropped by the BLQ rule" if blq_dropped else ""),
                err=True,
            )
            if adnca is not None:
                per_profile = frame[[subject_col]].drop_duplicates().assign(time=0.0)
                if dose_col is not None and dose_col in frame.columns:
                    first_dose = frame.groupby(subject_col, sort=False)[dose_col].first()
                    per_profile["dose"] = per_profile[subject_col].map(first_dose).to_numpy()
                else:
                    per_profile["dose"] = float("nan")
                _write_adnca(frame, per_profile, adnca, subject_col, time_col, conc_col, conc_unit, studyid)
            if sdtm_pp is not None and long is not None:
                pp = pp_domain(long, subject=subject_col, studyid=studyid)
                write_sdtm_pp(pp, sdtm_pp)
                typer.echo(f"wrote SDTM PP ({len(pp)} records) to {sdtm_pp}", err=True)

    register_more(app)


def _provenance_options(options: NCAOptions, **extra: object) -> dict[str, object]:
    """The NCA settings of a run, for ``OUT.provenance.json``."""
    return {"command": "nca", **dataclasses.asdict(options), **extra}


def _write_outputs(
    long: pd.DataFrame,
    out: Path,
    conc_unit: str | None,
    time_unit: str,
    dose_unit: str | None,
    sdtm_pp: Path | None,
    adpp: Path | None,
    subject: str,
    studyid: str,
) -> pd.DataFrame:
    """Units (when the concentration unit is given), then OUT, SDTM PP and ADPP as asked."""
    if conc_unit is not None:
        long = add_units(long, conc=conc_unit, time=time_unit, dose=dose_unit)
    write_frame_atomic(long, out)
    if sdtm_pp is not None:
        write_sdtm_pp(pp_domain(long, subject=subject, studyid=studyid), sdtm_pp)
    if adpp is not None:
        write_adam(adpp_domain(long, subject=subject, labels=LABELS, studyid=studyid), adpp, "ADPP")
        typer.echo(f"wrote ADPP to {adpp}", err=True)
    return long


def _write_adnca(
    samples: pd.DataFrame,
    doses: pd.DataFrame,
    path: Path,
    subject: str,
    time: str,
    conc: str,
    conc_unit: str | None,
    studyid: str,
) -> None:
    """ADaM ADNCA concentration records (BLQ markers give AVAL missing, as they have no number)."""
    dose_time = "time" if "time" in doses.columns else doses.columns[1]
    records = adnca_domain(
        samples, doses, subject=subject, time=time, conc=conc, dose_time=dose_time,
        conc_unit=conc_unit or "", studyid=studyid,
    )  # fmt: skip
    write_adam(records, path, "ADNCA")
    typer.echo(f"wrote ADNCA ({len(records)} records) to {path}", err=True)
