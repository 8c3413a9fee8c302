"""``bioparity power``, ``bioparity samplesize`` and ``bioparity cv-from-ci``.

Contract (relied on by later tooling):

* ``samplesize --design 2x2 --cv 0.3 --theta0 0.95 --target-power 0.8 --format json`` prints one JSON
  object with at least ``n`` and ``power``;
* ``samplesize --grid IN.csv --out OUT.csv``: IN has ``design,cv,theta0,target_power`` and optional
  ``theta1,theta2,alpha,method`` (blank = defaults; a blank method is ``--method``); OUT is IN plus
  ``n,power`` in the same row order;
* ``power ... --n 40 [--method ...] --format json`` prints ``{"power": ...}``; ``power --grid IN --out OUT``
  with ``design,cv,theta0,n`` and optional ``theta1,theta2,alpha,method`` adds ``power``.

A malformed grid fails before any computation, naming the row and column, and leaves no OUT file.
Next to OUT, ``OUT.provenance.json`` records the input's SHA-256, the options and the software version.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer

from bioparity.cli.common import (
    OutputFormat,
    check_outputs,
    comma_list,
    fractions,
    need,
    print_record,
    user_errors,
    warn,
    warn_cv,
    wrote_rows,
)
from bioparity.cli.options import Alpha, Format, TargetPower, Theta1, Theta2, fraction_option
from bioparity.cli.progress import progress_bar
from bioparity.errors import ScenarioError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.io import ColumnSpec, read_table, write_frame_atomic
from bioparity.io.power_grid import (
    POWER_GRID_COLUMNS,
    SAMPLESIZE_GRID_COLUMNS,
    grid_cv_warning,
    locate_scenario_error,
)
from bioparity.io.provenance import write_provenance
from bioparity.power import cv_from_ci, power_tost, sample_size_tost
from bioparity.power.designs import canonical_design_name
from bioparity.power.grid import evaluate_power_grid, evaluate_samplesize_grid

if TYPE_CHECKING:
    from bioparity.power.multi_arm import MultiArmSampleSize

Design = Annotated[
    str, typer.Option(help=gettext_noop("Design: parallel, 2x2, 2x2x3, 2x2x4, 2x3x3, 2x4x4, 3x3, 4x4, ..."))
]
CV = Annotated[
    float | None,
    fraction_option(
        gettext_noop("Within-subject CV (crossover) or total CV (parallel), as a ratio: 0.30 for 30%.")
    ),
]
Theta0 = Annotated[float, fraction_option(gettext_noop("True ratio T/R (0.95, not 95)."))]
#: Lower limit and level of the TOST commands (their own help; theta1 optional: default or a --grid row).
TostTheta1 = Annotated[float | None, fraction_option(gettext_noop("Lower limit, a ratio (default 0.80)."))]
TostAlpha = Annotated[
    float, fraction_option(gettext_noop("One-sided level of each test, a fraction (0.05 = 90% CI)."))
]
Method = Annotated[str, typer.Option(help=gettext_noop("exact (Owen's Q), nct or shifted."))]
Out = Annotated[
    Path | None, typer.Option(help=gettext_noop("Output CSV for --grid (IN plus the computed columns)."))
]
PowerGrid = Annotated[
    Path | None,
    typer.Option(help=gettext_noop("CSV of scenarios: design,cv,theta0,n[,theta1,theta2,alpha,method].")),
]
SampleSizeGrid = Annotated[
    Path | None,
    typer.Option(
        help=gettext_noop("CSV of scenarios: design,cv,theta0,target_power[,theta1,theta2,alpha,method].")
    ),
]

app = typer.Typer()


def _run_grid(
    grid: Path,
    out: Path,
    columns: Sequence[ColumnSpec],
    compute: Callable[[pd.DataFrame], dict[str, Any]],
    options: dict[str, Any],
) -> None:
    """Validate the whole grid, compute, then write OUT (and its provenance) atomically."""
    check_outputs(("--out", out))
    with progress_bar(f"reading {grid.name}") as bar:  # steps: the grid is computed in one vectorised call
        frame = read_table(grid, columns)
        cv_note = grid_cv_warning(frame)
        if cv_note is not None:
            warn(str(grid), cv_note)
        bar.stage(f"computing {len(frame):,} scenarios")
        try:
            added = compute(frame)
        except ScenarioError as exc:
            raise locate_scenario_error(exc, str(grid)) from exc
        bar.stage(f"writing {out.name}")
        original = pd.read_csv(grid, dtype=str, keep_default_na=False)
        for name, values in added.items():
            original[name] = values
        write_frame_atomic(original, out)
        write_provenance(out, {"grid": grid}, options)
    typer.echo(wrote_rows(len(original), out), err=True)
    # The same table on stdout (power to 4 decimals, as PowerTOST prints it); the file keeps every digit.
    shown = original.copy()
    if "power" in shown:
        shown["power"] = [f"{v:.4f}" for v in shown["power"]]
    typer.echo(shown.to_string(index=False))


def _lead_with(record: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {**{k: record.pop(k) for k in keys}, **record}


@app.command("power", help=gettext_noop("Power of the two one-sided tests (PowerTOST power.TOST)."))
def power_command(
    design: Design = "2x2",
    cv: CV = None,
    theta0: Theta0 = 0.95,
    n: Annotated[int | None, typer.Option(help=gettext_noop("Total number of subjects."))] = None,
    theta1: TostTheta1 = None,
    theta2: Theta2 = None,
    alpha: TostAlpha = 0.05,
    method: Method = "exact",
    fmt: Format = OutputFormat.table,
    grid: PowerGrid = None,
    out: Out = None,
) -> None:
    with user_errors():
        if grid is not None:
            _run_grid(grid, need(out, "--out"), POWER_GRID_COLUMNS, evaluate_power_grid, {"command": "power"})
            return
        given = need(cv, "--cv")
        warn_cv("--cv", given)
        res = power_tost(
            design=design, cv=given, theta0=theta0, n=need(n, "--n"),
            theta1=theta1, theta2=theta2, alpha=alpha, method=method,
        )  # fmt: skip
        print_record(_lead_with(res.plain_dict(), "power"), fmt, _("TOST power"))


@app.command(
    "samplesize",
    help=gettext_noop("Smallest total sample size reaching the target power (PowerTOST sampleN.TOST)."),
)
def samplesize_command(
    design: Design = "2x2",
    cv: CV = None,
    theta0: Theta0 = 0.95,
    target_power: TargetPower = 0.80,
    theta1: TostTheta1 = None,
    theta2: Theta2 = None,
    alpha: TostAlpha = 0.05,
    method: Method = "exact",
    fmt: Format = OutputFormat.table,
    grid: SampleSizeGrid = None,
    out: Out = None,
) -> None:
    with user_errors():
        if grid is not None:
            compute = partial(evaluate_samplesize_grid, method=method)
            options = {"command": "samplesize", "method": method}
            _run_grid(grid, need(out, "--out"), SAMPLESIZE_GRID_COLUMNS, compute, options)
            return
        given = need(cv, "--cv")
        warn_cv("--cv", given)
        res = sample_size_tost(
            design=design, cv=given, theta0=theta0, theta1=theta1, theta2=theta2,
            alpha=alpha, target_power=target_power, method=method,
        )  # fmt: skip
        print_record(_lead_with(res.plain_dict(), "n", "power"), fmt, _("TOST sample size"))


DEFAULT_PLANNING_METRICS = "AUC"  # one metric standing for the AUC; not a PPTESTCD code


# Options of ``bioparity samplesize-pk-similarity``.
PlanningCV = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "Total CV, comma-separated: one value for all, one per metric (same order as --metrics), or "
            "one per arm (order of --arms) when the count differs from the number of metrics; "
            "e.g. 0.35,0.40."
        )
    ),
]
PlanningArms = Annotated[str, typer.Option(help=gettext_noop("Arms in order, first = test."))]
Ratios = Annotated[
    str,
    typer.Option(help=gettext_noop("True geometric means per arm relative to a reference, e.g. 0.95,1,1.")),
]
PlanningMetrics = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "PK metrics that must all pass (joint power). Default: a single metric, AUC; pk-similarity "
            "analyses AUCIFO,AUCLST,CMAX by default: give those (and a --cv per metric) to plan for "
            "all 3."
        )
    ),
]
Correlation = Annotated[
    float, typer.Option(help=gettext_noop("Correlation of log metrics within a subject (-1 to 1)."))
]
Comparisons = Annotated[
    str,
    typer.Option(
        help=gettext_noop("Comparisons that must pass, e.g. test/eu-ref,test/us-ref (default all).")
    ),
]
RequireMetrics = Annotated[
    str, typer.Option(help=gettext_noop("Metrics that must pass (default all of --metrics)."))
]
PlanningVariance = Annotated[
    str,
    typer.Option(help=gettext_noop("welch (per comparison, default) or pooled (one variance, all arms).")),
]
JointPower = Annotated[
    float, fraction_option(gettext_noop("Joint power to reach, a fraction (0.9 for 90%)."))
]
Dropout = Annotated[
    float, fraction_option(gettext_noop("Expected dropout fraction d (0.1 for 10%; enrolled = n/(1-d))."))
]
NSim = Annotated[int, typer.Option(help=gettext_noop("Simulated studies (when not exact)."))]
SimulationSeed = Annotated[int, typer.Option(help=gettext_noop("Seed of the simulation."))]


@app.command(
    "samplesize-pk-similarity",
    help=gettext_noop(
        "Completers and enrolled per arm of a k-arm parallel PK similarity study for a joint power."
    ),
)
def samplesize_pk_similarity_command(
    cv: PlanningCV = "0.35",
    arms: PlanningArms = "test,eu-ref,us-ref",
    ratios: Ratios = "0.95,1.0,1.0",
    metrics: PlanningMetrics = DEFAULT_PLANNING_METRICS,
    correlation: Correlation = 0.0,
    comparisons: Comparisons = "",
    require_metrics: RequireMetrics = "",
    variance: PlanningVariance = "welch",
    target_power: JointPower = 0.90,
    dropout: Dropout = 0.0,
    alpha: TostAlpha = 0.05,
    theta1: Theta1 = 0.80,
    theta2: Theta2 = None,
    n_sim: NSim = 100_000,
    seed: SimulationSeed = 20260527,
    fmt: Format = OutputFormat.table,
) -> None:
    from bioparity.power.multi_arm import sample_size_pk_similarity

    with user_errors():
        cv_values, ratio_values = fractions("--cv", cv), fractions("--ratios", ratios, "0.95,1,1")
        warn_cv("--cv", *cv_values)
        res = sample_size_pk_similarity(
            arms=comma_list(arms), ratios=ratio_values, cv=cv_values[0] if len(cv_values) == 1 else cv_values,
            metrics=comma_list(metrics), correlation=correlation, comparisons=comma_list(comparisons) or None,
            required_metrics=comma_list(require_metrics) or None, variance=variance,
            target_power=target_power, dropout=dropout, alpha=alpha, theta1=theta1, theta2=theta2,
            n_sim=n_sim, seed=seed,
        )  # fmt: skip
        print_record(_pk_similarity_record(res), fmt, _("k-arm PK similarity sample size (joint power)"))
        _note_default_metrics(res.metrics)


def _note_default_metrics(metrics: Sequence[str]) -> None:
    """On stderr, when the plan is for the default single AUC metric: pk-similarity analyses three metrics by
    default and all must pass, so a plan for one metric is smaller than a plan for the analysis' default."""
    if list(metrics) != [DEFAULT_PLANNING_METRICS]:
        return
    typer.echo(
        _("note: %(note)s")
        % {
            "note": _(
                "planned for a single metric, AUC (the default of --metrics); pk-similarity analyses AUCIFO, "
                "AUCLST and CMAX by default and all must pass: give --metrics AUCIFO,AUCLST,CMAX with a --cv "
                "per metric to plan for them (joint power over more metrics needs more subjects)"
            )
        },
        err=True,
    )


def _pk_similarity_record(res: MultiArmSampleSize) -> dict[str, Any]:
    """The k-arm sample size as one flat record: lists joined, the interval stated, the sizes first."""
    record = {("ci_level" if k == "conf_level" else k): v for k, v in res.plain_dict().items()}
    for key in ("arms", "metrics", "comparisons", "required_metrics"):
        record[key] = ",".join(record[key])
    record["ratios"] = ";".join(",".join(f"{v:g}" for v in row) for row in res.ratios)
    record["cv"] = ";".join(",".join(f"{v:g}" for v in row) for row in res.cv)
    record["ci"] = (
        f"{100 * res.conf_level:g}% two-sided CI within {100 * res.theta1:.2f}-{100 * res.theta2:.2f}%"
    )
    return _lead_with(record, "n_per_arm", "enrolled_per_arm", "power", "power_se", "method", "ci")


@app.command(
    "cv-from-ci",
    help=gettext_noop("CV implied by a reported confidence interval (PowerTOST CVfromCI)."),
)
def cv_from_ci_command(
    lower: Annotated[
        float, fraction_option(gettext_noop("Lower confidence limit of the ratio (0.85, not 85)."))
    ],
    upper: Annotated[
        float, fraction_option(gettext_noop("Upper confidence limit of the ratio (1.05, not 105)."))
    ],
    n: Annotated[int, typer.Option(help=gettext_noop("Total number of subjects."))],
    design: Annotated[
        str, typer.Option(help=gettext_noop("Design of the study that reported the interval."))
    ] = "2x2",
    alpha: Alpha = 0.05,
    point: Annotated[
        float | None,
        fraction_option(gettext_noop("Point estimate, a ratio (default: geometric mean of the limits).")),
    ] = None,
    fmt: Format = OutputFormat.table,
) -> None:
    with user_errors():
        cv = cv_from_ci(lower=lower, upper=upper, n=n, design=design, alpha=alpha, point=point)
        record = {"cv": cv, "design": canonical_design_name(design), "n": n, "alpha": alpha}
        print_record(record, fmt, _("CV from confidence interval"))
