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

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from bioparity.be.data import crossover_data
from bioparity.be.methods import BE_METHODS, evaluate_be
from bioparity.be.mixed import DF_METHODS
from bioparity.be.similarity import VARIANCE_MODELS, pk_similarity
from bioparity.cli.common import OutputFormat, user_errors
from bioparity.errors import DataFileError, InputError
from bioparity.io import ColumnSpec, read_table, write_frame_atomic

SUBJECT_COLUMNS = ("subject", "USUBJID", "SUBJID", "ID", "id")
ARM_COLUMNS = ("arm", "ARM", "treatment", "TRT", "TRTA", "TRT01A", "ACTARM", "group")
DEFAULT_METRICS = ("AUCIFO", "AUCLST", "CMAX")

_BE_COLUMNS = [
    ColumnSpec("subject", "text"),
    ColumnSpec("period", "text"),
    ColumnSpec("sequence", "text"),
    ColumnSpec(
        "treatment",
        "text",
        check=lambda v: None if str(v).strip().upper() in {"T", "R"} else "T (test) or R (reference)",
    ),
    ColumnSpec("PK", "number", allow_blank=True),
]


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


def _pick(columns: list[str], wanted: str | None, candidates: tuple[str, ...], what: str, file: str) -> str:
    if wanted is not None:
        if wanted not in columns:
            raise DataFileError(f"no column {wanted!r}", file=file, expected=f"one of: {', '.join(columns)}")
        return wanted
    for c in candidates:
        if c in columns:
            return c
    raise DataFileError(
        f"no {what} column found",
        file=file,
        expected=f"a column named one of {', '.join(candidates)} (or give its name)",
    )


def _metric_table(
    path: Path, subject_col: str | None, arm_col: str | None, metrics: list[str], covariates: list[str]
) -> tuple[pd.DataFrame, str, str]:
    """Wide frame (subject, arm, metrics..., covariates...) from a long PP or a wide file."""
    label = str(path)
    if not path.is_file():
        raise DataFileError("file not found", file=label, expected="an existing CSV file")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    raw.columns = [str(c).strip() for c in raw.columns]
    cols = list(raw.columns)
    subj = _pick(cols, subject_col, SUBJECT_COLUMNS, "subject", label)
    arm = _pick(cols, arm_col, ARM_COLUMNS, "arm (treatment group)", label)
    for c in covariates:
        _pick(cols, c, (), "covariate", label)
    if "PPTESTCD" in cols:
        need = ["PPSTRESN"]
        missing = [c for c in need if c not in cols]
        if missing:
            raise DataFileError(
                "long PP format without a PPSTRESN column",
                file=label,
                expected="columns PPTESTCD and PPSTRESN",
            )
        long = raw[raw["PPTESTCD"].str.strip().isin(metrics)].copy()
        long["PPTESTCD"] = long["PPTESTCD"].str.strip()
        dup = long.duplicated([subj, "PPTESTCD"], keep="first")
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            row = int(long.index[i]) + 1
            raise DataFileError(
                "second value of the same parameter for a subject",
                file=label,
                row=row,
                line=row + 1,
                column="PPTESTCD",
                value=long["PPTESTCD"].iloc[i],
                expected="one value per subject and PPTESTCD (filter intervals first)",
            )
        wide = long.pivot(index=subj, columns="PPTESTCD", values="PPSTRESN")
        per_subject = raw.groupby(subj, sort=False)[[arm, *covariates]].first()
        for c in [arm, *covariates]:
            counts = raw.groupby(subj)[c].nunique()
            if (counts > 1).any():
                first_bad = str(counts[counts > 1].index[0])
                raise DataFileError(
                    f"subject {first_bad} has more than one value",
                    file=label,
                    column=c,
                    expected="one value per subject",
                )
        frame = per_subject.join(wide, how="left").reset_index()
    else:
        frame = raw
        dup = frame.duplicated([subj], keep="first")
        if dup.any():
            row = int(np.flatnonzero(dup.to_numpy())[0]) + 1
            raise DataFileError(
                "second row for the same subject",
                file=label,
                row=row,
                line=row + 1,
                column=subj,
                expected="one row per subject in a wide table",
            )
    absent = [m for m in metrics if m not in frame.columns]
    if absent:
        raise DataFileError(
            f"metric(s) {', '.join(absent)} not found",
            file=label,
            expected="PPTESTCD values or wide columns named like the --metrics",
        )
    for c in [*metrics, *covariates]:
        text = frame[c].fillna("").astype(str).str.strip()
        blank = text.isin(["", "NA", "NaN", "nan", "."])
        numbers = pd.to_numeric(text.where(~blank), errors="coerce")
        bad = numbers.isna() & ~blank
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFileError(
                "not a number",
                file=label,
                column=c,
                value=text.iloc[i],
                expected=f"a number (subject {frame[subj].iloc[i]})",
            )
        frame[c] = numbers
    return frame, subj, arm


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
    ) -> None:
        """Bioequivalence of a crossover or replicate study (ABE, EMA ABEL A/B, FDA RSABE)."""
        with user_errors():
            if method not in BE_METHODS:
                raise InputError(f"unknown --method {method!r}; expected one of {', '.join(BE_METHODS)}")
            if df_method not in DF_METHODS:
                raise InputError(
                    f"unknown --df-method {df_method!r}; expected one of {', '.join(DF_METHODS)}"
                )
            frame = read_table(path, _BE_COLUMNS)
            data = crossover_data(frame, file=str(path))
            res = evaluate_be(
                data, method, alpha=alpha, theta1=theta1, theta2=theta2, df_method=df_method, fence=fence
            )
            record = res.to_dict()
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
        variance: str = typer.Option("pooled", help="pooled (one model over all arms) or welch."),
        covariates: str = typer.Option(
            "", help="Comma-separated covariate columns for ANCOVA (pooled only)."
        ),
        alpha: float = typer.Option(0.05, help="One-sided level: 0.05 for a 90% CI."),
        theta1: float = typer.Option(0.80, help="Lower limit (ratio)."),
        theta2: float | None = typer.Option(None, help="Upper limit (default 1/theta1)."),
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
            frame, _subject, arm = _metric_table(path, subject_column, arm_column, metric_list, cov_list)
            labels = frame[arm].astype(str).str.strip().to_numpy()
            unknown = sorted(set(arm_list) - set(labels.tolist()))
            if unknown:
                raise DataFileError(
                    f"arm(s) {', '.join(unknown)} not in the data",
                    file=str(path),
                    column=arm,
                    expected="one of: " + ", ".join(sorted(set(labels.tolist()))),
                )
            rows: list[dict[str, Any]] = []
            for metric in metric_list:
                values = frame[metric].to_numpy(dtype=float)
                cov = frame[cov_list].to_numpy(dtype=float) if cov_list else None
                ok = np.isfinite(values) & np.isin(labels, arm_list)
                if cov is not None:
                    ok &= np.all(np.isfinite(cov), axis=1)
                missing = {a: int(((labels == a) & ~ok).sum()) for a in arm_list}
                if any(missing.values()):
                    typer.echo(
                        f"{metric}: not analysed (missing value): "
                        + ", ".join(f"{a} {k}" for a, k in missing.items() if k),
                        err=True,
                    )
                results = pk_similarity(
                    values[ok],
                    labels[ok],
                    arm_list,
                    metric=metric,
                    covariates=None if cov is None else cov[ok],
                    covariate_names=cov_list,
                    variance=variance,
                    alpha=alpha,
                    theta1=theta1,
                    theta2=theta2,
                )
                for r in results:
                    row = r.to_dict()
                    row["n_missing_test"] = missing[r.test_arm]
                    row["n_missing_reference"] = missing[r.reference_arm]
                    rows.append(row)
            table = pd.DataFrame(rows)
            write_frame_atomic(table, out)
            typer.echo(f"wrote {len(table)} comparisons to {out}", err=True)
