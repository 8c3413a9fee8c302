"""``bioparity power``, ``bioparity samplesize`` and ``bioparity cv-from-ci``.

Contract (relied on by later tooling):

* ``samplesize --design 2x2 --cv 0.3 --theta0 0.95 --target-power 0.8 --format json`` prints one JSON
  object with at least ``n`` and ``power``;
* ``samplesize --grid IN.csv --out OUT.csv``: IN has ``design,cv,theta0,theta1,theta2,alpha,target_power``
  (theta1/theta2/alpha may be blank = defaults); OUT is IN plus ``n,power`` in the same row order;
* ``power ... --n 40 [--method ...] --format json`` prints ``{"power": ...}``; ``power --grid IN --out OUT``
  with ``design,cv,theta0,n`` and optional ``theta1,theta2,alpha,method`` adds ``power``.

A malformed grid fails before any computation, naming the row and column, and leaves no OUT file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import typer

from bioparity.cli.common import OutputFormat, need, print_record, user_errors
from bioparity.errors import DataFileError, ScenarioError
from bioparity.io import ColumnSpec, read_table, write_frame_atomic
from bioparity.power import cv_from_ci, power_tost, sample_size_tost
from bioparity.power.designs import canonical_design_name
from bioparity.power.kernels import POWER_KERNELS


def _known_design(value: object) -> str | None:
    try:
        canonical_design_name(str(value))
    except Exception:  # UnknownDesignError: report what is allowed
        from bioparity.power.designs import ALIASES, DESIGN_NAMES

        return "a design name: " + ", ".join(list(DESIGN_NAMES) + list(ALIASES))
    return None


def _positive(what: str) -> Any:
    return lambda v: None if float(v) > 0 else what


def _open_unit(what: str) -> Any:
    return lambda v: None if 0 < float(v) < 1 else what


_DESIGN = ColumnSpec("design", "text", check=_known_design)
_CV = ColumnSpec("cv", check=_positive("a CV > 0 as a ratio (0.30 for 30%)"))
_THETA0 = ColumnSpec("theta0", check=_positive("a true ratio > 0, e.g. 0.95"))
_THETA1 = ColumnSpec(
    "theta1", required=False, allow_blank=True, check=_positive("a lower limit > 0, e.g. 0.80")
)
_THETA2 = ColumnSpec(
    "theta2", required=False, allow_blank=True, check=_positive("an upper limit > 0, e.g. 1.25")
)
_ALPHA = ColumnSpec(
    "alpha",
    required=False,
    allow_blank=True,
    check=lambda v: None if 0 < float(v) < 0.5 else "0 < alpha < 0.5 (0.05 for a 90% CI)",  # type: ignore[arg-type]
)
_TARGET = ColumnSpec("target_power", check=_open_unit("a target power between 0 and 1, e.g. 0.80"))
_N = ColumnSpec("n", "integer", check=lambda v: None if float(v) >= 2 else "a total number of subjects >= 2")  # type: ignore[arg-type]
_METHOD = ColumnSpec(
    "method",
    "text",
    required=False,
    allow_blank=True,
    check=lambda v: None if str(v).lower() in POWER_KERNELS else "one of " + ", ".join(POWER_KERNELS),
)


def _column(frame: pd.DataFrame, name: str) -> Any:
    return frame[name].to_numpy(dtype=float) if name in frame.columns else None


def _run_grid(grid: Path, out: Path, columns: list[ColumnSpec], compute: Any) -> None:
    """Validate the whole grid, compute, then write OUT atomically; scenario errors map back to rows."""
    frame = read_table(grid, columns)
    try:
        added = compute(frame)
    except ScenarioError as exc:
        row = None if exc.index is None else exc.index + 1
        raise DataFileError(
            "invalid value",
            file=str(grid),
            row=row,
            line=None if row is None else row + 1,
            column=exc.parameter,
            value=exc.value,
            expected=exc.expected,
        ) from exc
    original = pd.read_csv(grid, dtype=str, keep_default_na=False)
    for name, values in added.items():
        original[name] = values
    write_frame_atomic(original, out)
    typer.echo(f"wrote {len(original)} rows to {out}", err=True)


def register(app: typer.Typer) -> None:
    """Add the power commands to the ``bioparity`` app."""

    @app.command("power")
    def power_command(
        design: str = typer.Option(
            "2x2", help="Design: parallel, 2x2, 2x2x3, 2x2x4, 2x3x3, 2x4x4, 3x3, 4x4, ..."
        ),
        cv: float | None = typer.Option(
            None, help="Within-subject CV (crossover) or total CV (parallel), ratio."
        ),
        theta0: float = typer.Option(0.95, help="True ratio T/R."),
        n: int | None = typer.Option(None, help="Total number of subjects."),
        theta1: float | None = typer.Option(None, help="Lower limit (default 0.80)."),
        theta2: float | None = typer.Option(None, help="Upper limit (default 1/theta1)."),
        alpha: float = typer.Option(0.05, help="One-sided level of each test (0.05 = 90% CI)."),
        method: str = typer.Option("exact", help="exact (Owen's Q), nct or shifted."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="json or table."),
        grid: Path | None = typer.Option(
            None, help="CSV of scenarios: design,cv,theta0,n[,theta1,theta2,alpha,method]."
        ),
        out: Path | None = typer.Option(None, help="Output CSV for --grid (IN plus a power column)."),
    ) -> None:
        """Power of the two one-sided tests (PowerTOST power.TOST)."""
        with user_errors():
            if grid is not None:
                columns = [_DESIGN, _CV, _THETA0, _N, _THETA1, _THETA2, _ALPHA, _METHOD]

                def compute(frame: pd.DataFrame) -> dict[str, Any]:
                    methods = frame["method"].fillna("exact") if "method" in frame.columns else "exact"
                    res = power_tost(
                        design=frame["design"].to_numpy(dtype=object),
                        cv=_column(frame, "cv"),
                        theta0=_column(frame, "theta0"),
                        theta1=_column(frame, "theta1"),
                        theta2=_column(frame, "theta2"),
                        alpha=_column(frame, "alpha"),
                        n=frame["n"].to_numpy(dtype=np.int64),
                        method=np.asarray(methods, dtype=object),
                    )
                    return {"power": res.power}

                _run_grid(grid, need(out, "--out"), columns, compute)
                return
            res = power_tost(
                design=design,
                cv=need(cv, "--cv"),
                theta0=theta0,
                n=need(n, "--n"),
                theta1=theta1,
                theta2=theta2,
                alpha=alpha,
                method=method,
            )
            record = {k: v for k, v in res.to_dict().items()}
            record = {"power": record.pop("power"), **record}
            print_record(record, fmt, "TOST power")

    @app.command("samplesize")
    def samplesize_command(
        design: str = typer.Option(
            "2x2", help="Design: parallel, 2x2, 2x2x3, 2x2x4, 2x3x3, 2x4x4, 3x3, 4x4, ..."
        ),
        cv: float | None = typer.Option(
            None, help="Within-subject CV (crossover) or total CV (parallel), ratio."
        ),
        theta0: float = typer.Option(0.95, help="True ratio T/R."),
        target_power: float = typer.Option(0.80, help="Power to reach."),
        theta1: float | None = typer.Option(None, help="Lower limit (default 0.80)."),
        theta2: float | None = typer.Option(None, help="Upper limit (default 1/theta1)."),
        alpha: float = typer.Option(0.05, help="One-sided level of each test (0.05 = 90% CI)."),
        method: str = typer.Option("exact", help="exact (Owen's Q), nct or shifted."),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="json or table."),
        grid: Path | None = typer.Option(
            None, help="CSV of scenarios: design,cv,theta0,theta1,theta2,alpha,target_power."
        ),
        out: Path | None = typer.Option(None, help="Output CSV for --grid (IN plus n and power columns)."),
    ) -> None:
        """Smallest total sample size reaching the target power (PowerTOST sampleN.TOST)."""
        with user_errors():
            if grid is not None:
                columns = [_DESIGN, _CV, _THETA0, _THETA1, _THETA2, _ALPHA, _TARGET]

                def compute(frame: pd.DataFrame) -> dict[str, Any]:
                    res = sample_size_tost(
                        design=frame["design"].to_numpy(dtype=object),
                        cv=_column(frame, "cv"),
                        theta0=_column(frame, "theta0"),
                        theta1=_column(frame, "theta1"),
                        theta2=_column(frame, "theta2"),
                        alpha=_column(frame, "alpha"),
                        target_power=_column(frame, "target_power"),
                        method=method,
                    )
                    return {"n": res.n, "power": res.power}

                _run_grid(grid, need(out, "--out"), columns, compute)
                return
            res = sample_size_tost(
                design=design,
                cv=need(cv, "--cv"),
                theta0=theta0,
                theta1=theta1,
                theta2=theta2,
                alpha=alpha,
                target_power=target_power,
                method=method,
            )
            record = res.to_dict()
            record = {"n": record.pop("n"), "power": record.pop("power"), **record}
            print_record(record, fmt, "TOST sample size")

    @app.command("cv-from-ci")
    def cv_from_ci_command(
        lower: float = typer.Option(..., help="Lower confidence limit of the ratio (e.g. 0.85)."),
        upper: float = typer.Option(..., help="Upper confidence limit of the ratio (e.g. 1.05)."),
        n: int = typer.Option(..., help="Total number of subjects."),
        design: str = typer.Option("2x2", help="Design of the study that reported the interval."),
        alpha: float = typer.Option(0.05, help="One-sided level: 0.05 for a 90% CI."),
        point: float | None = typer.Option(
            None, help="Point estimate (default: geometric mean of the limits)."
        ),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="json or table."),
    ) -> None:
        """CV implied by a reported confidence interval (PowerTOST CVfromCI)."""
        with user_errors():
            cv = cv_from_ci(lower=lower, upper=upper, n=n, design=design, alpha=alpha, point=point)
            print_record(
                {"cv": cv, "design": canonical_design_name(design), "n": n, "alpha": alpha},
                fmt,
                "CV from confidence interval",
            )
