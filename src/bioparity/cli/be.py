"""``bioparity be`` and ``bioparity pk-similarity``.

Contract (issue 4):

* ``be IN.csv --method abe|ema-abel-a|ema-abel-b|fda-rsabe --format json`` with IN columns
  ``subject,period,sequence,treatment,PK`` (treatment T or R, sequences like ``TRTR``; PK may be NA or
  empty for a missing value) prints one JSON object whose first keys are ``method, n, design, pe,
  ci_lower, ci_upper, cvwr, cvwt, lower_limit, upper_limit, df, pass, reasons`` (percent; null where not
  estimable), followed by the bookkeeping (subjects and missing values per sequence and period, outlier
  flags). ``--format table`` prints the same for humans.
* ``pk-similarity PP.csv --arms test,eu-ref,us-ref [--metrics CMAX,AUCIFO,AUCLST] --out OUT.csv``: PP is the
  NCA long format (subject, an arm column, ``PPTESTCD``, ``PPSTRESN``) or a wide table (subject, arm, one
  column per metric). OUT has one row per metric and pair of arms.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from bioparity.be.data import DEFAULT_NA, crossover_data, read_crossover_file
from bioparity.be.methods import BE_METHODS, evaluate_be
from bioparity.be.mixed import DF_METHODS
from bioparity.be.similarity import DEFAULT_METRICS, VARIANCE_MODELS, pk_similarity_table
from bioparity.cli.common import OutputFormat, user_errors
from bioparity.errors import DataFileError, InputError
from bioparity.io import write_frame_atomic
from bioparity.io.pp import read_metric_table
from bioparity.io.provenance import write_provenance


def _print_be_table(record: dict[str, Any]) -> None:
    table = Table(title=f"Bioequivalence: {record['method']}", show_header=False)
    table.add_column("quantity", style="bold")
    table.add_column("value")
    for key, value in record.items():
        if key in {"reasons", "outliers"}:
            continue
        if isinstance(value, float):
            shown = (
                f"{value:.4f}"
                if key in {"pe", "ci_lower", "ci_upper", "lower_limit", "upper_limit", "cvwr", "cvwt", "cvw"}
                else f"{value:.6g}"
            )
        elif isinstance(value, list):
            shown = "|".join(str(v) for v in value) if value else "-"
        else:
            shown = "-" if value is None else str(value)
        table.add_row(key, shown)
    for o in record["outliers"]:
        table.add_row(
            "outlier (flag only)",
            f"subject {o['subject']} ({o['sequence']}), stud. residual {o['studentized_residual']:+.3f}",
        )
    for i, reason in enumerate(record["reasons"]):
        table.add_row("reasons" if i == 0 else "", reason)
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add ``be`` and ``pk-similarity`` to the ``bioparity`` app."""

    @app.command("be")
    def be_command(
        path: Path = typer.Argument(
            ..., help="CSV with subject,period,sequence,treatment,PK (one row per period)."
        ),
        method: str = typer.Option("abe", help="One of: " + ", ".join(BE_METHODS) + "."),
        alpha: float = typer.Option(0.05, help="One-sided level: 0.05 for a 90% CI."),
        theta1: float = typer.Option(0.80, help="Lower limit for method abe (ratio)."),
        theta2: float | None = typer.Option(None, help="Upper limit for method abe (default 1/theta1)."),
        df_method: str = typer.Option(
            "contain", help="Method B df: contain (replicateBE default) or satterthwaite."
        ),
        fence: float = typer.Option(2.0, help="Outlier box-plot fence in IQRs (flags only)."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="json or table."),
        na: str = typer.Option(
            ",".join(DEFAULT_NA),
            "--na",
            help="Comma-separated missing-value markers of PK (replicateBE's na; blank is always missing).",
        ),
    ) -> None:
        """Bioequivalence of a crossover or replicate study (ABE, EMA ABEL A/B, FDA RSABE).

        Reads replicateBE's data files as they are: '#' description lines, any-case column names,
        ',', ';' or tab separated, missing PK as '.', 'NA' or blank (--na).
        """
        with user_errors():
            if method not in BE_METHODS:
                raise InputError(f"unknown --method {method!r}; expected one of {', '.join(BE_METHODS)}")
            if df_method not in DF_METHODS:
                raise InputError(
                    f"unknown --df-method {df_method!r}; expected one of {', '.join(DF_METHODS)}"
                )
            frame = read_crossover_file(path, na=[m for m in na.split(",") if m.strip()])
            data = crossover_data(frame, file=str(path))
            res = evaluate_be(
                data, method, alpha=alpha, theta1=theta1, theta2=theta2, df_method=df_method, fence=fence
            )
            record = res.to_record()
            if fmt is OutputFormat.json:
                sys.stdout.write(json.dumps(record) + "\n")
            else:
                _print_be_table(record)

    @app.command("pk-similarity")
    def pk_similarity_command(
        path: Path = typer.Argument(..., help="PP CSV: NCA long format (PPTESTCD, PPSTRESN) or wide table."),
        arms: str = typer.Option(..., help="Arms in order, first = test, e.g. test,eu-ref,us-ref."),
        out: Path = typer.Option(..., help="Output CSV: one row per metric and pair of arms."),
        metrics: str = typer.Option(",".join(DEFAULT_METRICS), help="PK metrics (PPTESTCD codes)."),
        arm_column: str | None = typer.Option(
            None, help="Column with the arm (default: arm, treatment, ...)."
        ),
        subject_column: str | None = typer.Option(
            None, help="Column with the subject (default: subject, USUBJID, ...)."
        ),
        variance: str = typer.Option(
            "welch",
            help="welch (default: unequal variances, per-comparison Welch-Satterthwaite; with covariates "
            "GLS with one variance per arm) or pooled (one variance over all arms).",
        ),
        covariates: str = typer.Option("", help="Comma-separated covariate columns for ANCOVA (e.g. WT)."),
        alpha: float = typer.Option(0.05, help="One-sided level: 0.05 for a 90% CI."),
        theta1: float = typer.Option(0.80, help="Lower limit (ratio)."),
        theta2: float | None = typer.Option(None, help="Upper limit (default 1/theta1)."),
        population: str = typer.Option(
            "completers",
            help="completers (subjects with every metric; default) or available (per metric, as before).",
        ),
        aucpext_rule: str = typer.Option(
            "keep", help="Subjects with %AUCext above --max-aucpext: keep (EMA; counted) or exclude."
        ),
        max_aucpext: float = typer.Option(20.0, help="Limit of extrapolated AUC (percent, AUCPEO)."),
        ada_column: str | None = typer.Option(
            None, help="Column with ADA status (1 positive, 0 negative): adds the ADA-subgroup analyses."
        ),
    ) -> None:
        """Pairwise PK similarity of parallel arms (e.g. test vs EU-ref, test vs US-ref, EU-ref vs US-ref)."""
        with user_errors():
            if variance not in VARIANCE_MODELS:
                raise InputError(
                    f"unknown --variance {variance!r}; expected one of {', '.join(VARIANCE_MODELS)}"
                )
            arm_list = [a.strip() for a in arms.split(",") if a.strip()]
            metric_list = [m.strip() for m in metrics.split(",") if m.strip()]
            cov_list = [c.strip() for c in covariates.split(",") if c.strip()]
            extra = [ada_column] if ada_column else []
            wanted = [*metric_list, *(["AUCPEO"] if "AUCIFO" in metric_list else [])]
            try:
                frame, _subject, arm = read_metric_table(
                    path, subject_column, arm_column, wanted, cov_list + extra
                )
            except DataFileError:
                if wanted == metric_list:
                    raise
                frame, _subject, arm = read_metric_table(
                    path, subject_column, arm_column, metric_list, cov_list + extra
                )
            table, notes = pk_similarity_table(
                frame, arm, arm_list, metric_list, covariates=cov_list, variance=variance, alpha=alpha,
                theta1=theta1, theta2=theta2, population=population, aucpext_rule=aucpext_rule,
                max_aucpext=max_aucpext, ada_column=ada_column, file=str(path),
            )  # fmt: skip
            for note in notes:
                typer.echo(note, err=True)
            write_frame_atomic(table, out)
            options = {
                "command": "pk-similarity", "arms": arm_list, "metrics": metric_list, "variance": variance,
                "covariates": cov_list, "alpha": alpha, "theta1": theta1, "theta2": theta2,
                "population": population, "aucpext_rule": aucpext_rule, "max_aucpext": max_aucpext,
                "ada_column": ada_column,
            }  # fmt: skip
            write_provenance(out, {"parameters": path}, options)
            typer.echo(f"wrote {len(table)} comparisons to {out}", err=True)
