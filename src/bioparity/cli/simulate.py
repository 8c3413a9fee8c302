"""``bioparity simulate pk-similarity``: probability of success of a PK similarity study, on Dask.

Contract:

* ``simulate pk-similarity [design options] --n-studies K --seed S [--workers N | --scheduler ADDR]
  [--chunk-size C] --format json|table`` simulates ``K`` studies (three arms by default) and prints the
  probability that every pairwise comparison of every metric passes, its Monte Carlo SE, the pass rate
  of each metric and comparison, and how the run was executed. JSON keys: ``probability``, ``mc_se``,
  ``n_studies``, ``seed``, ``metrics``, ``comparisons``, ``pass_rate`` (metric x comparison),
  ``estimable_rate``, ``mean_analysed``, ``dropout_rate``, ``ada_rate``, ``studies_per_block``, ``design``,
  ``software_version``, ``execution``.
* The numbers depend only on the design, ``K`` and ``S``: not on ``--workers``, ``--scheduler`` or
  ``--chunk-size``.
* ``--out FILE.csv|.parquet`` also writes one row per study, metric and comparison (at most 1,000,000
  studies).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from bioparity.cli.common import (
    OutputFormat,
    comma_list,
    fractions,
    print_json,
    user_errors,
    warn_cv,
)
from bioparity.cli.options import Format, Scheduler, Theta1, Theta2, Workers, fraction_option, percent_option
from bioparity.cli.progress import progress_bar
from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop, ngettext
from bioparity.io import write_frame_atomic
from bioparity.simulate.design import DECISION_METRICS, DEFAULT_TIMES, PKSimilarityDesign

if TYPE_CHECKING:
    from bioparity.scale import SimulationRun

ChunkSize = Annotated[
    int | None,
    typer.Option(
        help=gettext_noop(
            "Studies per Dask task (default: about 4 tasks per worker); does not change results."
        )
    ),
]
Bioavailability = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "True relative exposure of each arm (one value or one per arm), e.g. 0.95,1,1; "
            "default: 0.95 for the first arm, 1 for the others (planning ratio)."
        )
    ),
]
AnalysisSet = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "completers (no dropout, every metric; as pk-similarity) or available (per metric)."
        )
    ),
]
AdaFraction = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "Fraction of subjects developing ADA, 0.59 for 59% (one value or one per arm; Kaur et al. 2017)."
        )
    ),
]
AucpextRule = Annotated[
    str,
    typer.Option(help=gettext_noop("Subjects above --max-aucpext: keep (EMA; counted, default) or exclude.")),
]
Variance = Annotated[
    str,
    typer.Option(
        help=gettext_noop("welch (per comparison, default; as pk-similarity) or pooled (one variance).")
    ),
]
StudySeed = Annotated[
    int, typer.Option(help=gettext_noop("Seed (SeedSequence entropy); same seed, same result."))
]
Arms = Annotated[str, typer.Option(help=gettext_noop("Arms in order; comparisons are arm i / arm j."))]
NPerArm = Annotated[
    str, typer.Option(help=gettext_noop("Subjects enrolled per arm: one number or one per arm."))
]
Times = Annotated[str, typer.Option(help=gettext_noop("Sampling times (h), comma-separated."))]
CvCl = Annotated[
    float, fraction_option(gettext_noop("Between-subject CV of CL, a ratio (log-normal; Kaur et al. 2017)."))
]
CvV = Annotated[
    float, fraction_option(gettext_noop("Between-subject CV of V, a ratio (Kaur et al. 2017 Cmax CV)."))
]
CvKa = Annotated[float, fraction_option(gettext_noop("Between-subject CV of ka, a ratio."))]
ResidualCv = Annotated[
    float, fraction_option(gettext_noop("Proportional residual error, a CV (ratio; log-normal)."))
]
Lloq = Annotated[
    float, typer.Option(help=gettext_noop("Assay LLOQ (mg/L); lower values are BLQ (PKNCA BLQ rule)."))
]
Dropout = Annotated[
    float, fraction_option(gettext_noop("Probability that a subject drops out, a fraction (time uniform)."))
]
SimAlpha = Annotated[float, fraction_option(gettext_noop("One-sided level, a fraction (0.05 = 90% CI)."))]
SimMaxAucpext = Annotated[
    float, percent_option(gettext_noop("Limit of %extrapolated AUC (AUCIFO), in percent (20 or 20%)."))
]
StudiesOut = Annotated[
    Path | None, typer.Option(help=gettext_noop("Per-study CSV or Parquet (study x metric x comparison)."))
]

app = typer.Typer()
simulate_app = typer.Typer(
    help=gettext_noop("Clinical trial simulation (runs on a local Dask cluster, or an existing one)."),
    no_args_is_help=True,
)
app.add_typer(simulate_app, name="simulate")


def _floats(option: str, text: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise InputError(
            _("%(option)s %(text)r; expected comma-separated numbers, e.g. 0.95,1,1")
            % {"option": option, "text": text}
        ) from None


def _ints(option: str, text: str) -> tuple[int, ...]:
    values = _floats(option, text)
    if any(v != int(v) for v in values):
        raise InputError(
            _("%(option)s %(text)r; expected whole numbers, e.g. 50 or 50,50,50")
            % {"option": option, "text": text}
        )
    return tuple(int(v) for v in values)


#: An example of each per-arm option, as its error shows it.
_PER_ARM_EXAMPLES = {"--bioavailability": "0.95,1,1", "--ada-fraction": "0.59"}


def _per_arm(option: str, text: str) -> float | tuple[float, ...]:
    """One fraction for every arm, or one per arm (:func:`~bioparity.cli.common.fractions`)."""
    values = tuple(fractions(option, text, _PER_ARM_EXAMPLES[option]))
    return values[0] if len(values) == 1 else values


def _write_studies(frame: pd.DataFrame, out: Path) -> None:
    """CSV via the atomic writer; Parquet to a temporary name first, then renamed."""
    if out.suffix.lower() == ".csv":
        write_frame_atomic(frame, out)
        return
    tmp = out.with_name(f".{out.name}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, out)


def _print_table(record: dict[str, Any]) -> None:
    console = Console()
    head = Table(title=_("PK similarity: simulated probability of success"), show_header=False)
    head.add_column(_("quantity"), style="bold")
    head.add_column(_("value"))
    p, se = record["probability"], record["mc_se"]
    head.add_row(_("probability (all comparisons, all metrics pass)"), f"{p:.4f}  (MC SE {se:.4f})")
    head.add_row(_("simulated studies / seed"), f"{record['n_studies']:,} / {record['seed']}")
    head.add_row(_("dropout rate / ADA rate"), f"{record['dropout_rate']:.3f} / {record['ada_rate']:.3f}")
    design = record["design"]
    head.add_row(
        _("analysis"),
        _(
            "variance %(variance)s, population %(population)s, %%AUCext > %(max)s%%: %(rule)s (mean %(mean)s "
            "subjects per study), %(level)s%% CI"
        )
        % {
            "variance": design["variance"],
            "population": design["analysis_set"],
            "max": f"{design['max_aucpext']:g}",
            "rule": design["aucpext_rule"],
            "mean": f"{record['mean_aucpext_over']:.2f}",
            "level": f"{100 * (1 - 2 * design['alpha']):g}",
        },
    )
    ex = record["execution"]
    head.add_row(
        _("execution"),
        _("%(backend)s, %(workers)d worker(s), %(chunks)d chunk(s) of %(size)s studies, %(seconds)s s")
        % {
            "backend": ex["backend"],
            "workers": ex["workers"],
            "chunks": ex["n_chunks"],
            "size": f"{ex['chunk_size']:,}",
            "seconds": f"{ex['seconds']:.1f}",
        },
    )
    console.print(head)
    rates = Table(title=_("Pass rate per metric and comparison"))
    rates.add_column(_("metric"), style="bold")
    for c in record["comparisons"]:
        rates.add_column(c, justify="right")
    for metric, row in zip(record["metrics"], record["pass_rate"], strict=True):
        rates.add_row(metric, *(f"{x:.4f}" for x in row))
    console.print(rates)


AdaClFactor = Annotated[float, typer.Option(help=gettext_noop("Clearance multiplier after ADA onset."))]
PassMetrics = Annotated[str, typer.Option(help=gettext_noop("Metrics that must all pass."))]


@simulate_app.command(
    "pk-similarity",
    help=gettext_noop(
        "Simulate K PK similarity studies (PK model -> NCA -> pairwise CIs) and report P(success)."
    ),
)
def pk_similarity_command(
    n_studies: Annotated[int, typer.Option(help=gettext_noop("Number of simulated studies K."))] = 1000,
    seed: StudySeed = 20261125,
    workers: Workers = None,
    scheduler: Scheduler = None,
    chunk_size: ChunkSize = None,
    arms: Arms = "test,eu-ref,us-ref",
    n_per_arm: NPerArm = "50",
    bioavailability: Bioavailability = "",
    dose: Annotated[float, typer.Option(help=gettext_noop("Dose (mg)."))] = 40.0,
    times: Times = ",".join(f"{t:g}" for t in DEFAULT_TIMES),
    cl: Annotated[float, typer.Option(help=gettext_noop("Typical clearance CL/F (L/h)."))] = 0.012,
    v: Annotated[float, typer.Option(help=gettext_noop("Typical volume V/F (L)."))] = 6.0,
    ka: Annotated[float, typer.Option(help=gettext_noop("Typical absorption rate constant (1/h)."))] = 0.012,
    cv_cl: CvCl = 0.35,
    cv_v: CvV = 0.35,
    cv_ka: CvKa = 0.30,
    residual_cv: ResidualCv = 0.10,
    lloq: Lloq = 0.0,
    dropout: Dropout = 0.0,
    analysis_set: AnalysisSet = "completers",
    ada_fraction: AdaFraction = "0.59",
    ada_onset: Annotated[float, typer.Option(help=gettext_noop("ADA onset (h after dose)."))] = 336.0,
    ada_cl_factor: AdaClFactor = 2.0,
    metrics: PassMetrics = ",".join(DECISION_METRICS),
    alpha: SimAlpha = 0.05,
    theta1: Theta1 = 0.80,
    theta2: Theta2 = None,
    max_aucpext: SimMaxAucpext = 20.0,
    aucpext_rule: AucpextRule = "keep",
    variance: Variance = "welch",
    out: StudiesOut = None,
    fmt: Format = OutputFormat.table,
) -> None:
    with user_errors():
        from bioparity.scale import simulate_pk_similarity

        for option, value in (
            ("--cv-cl", cv_cl), ("--cv-v", cv_v), ("--cv-ka", cv_ka), ("--residual-cv", residual_cv)
        ):  # fmt: skip
            warn_cv(option, value)
        exposure = _per_arm("--bioavailability", bioavailability) if bioavailability.strip() else None
        design = PKSimilarityDesign(
            arms=tuple(comma_list(arms)), n_per_arm=_ints("--n-per-arm", n_per_arm), bioavailability=exposure,
            dose=dose, times=_floats("--times", times), cl=cl, v=v, ka=ka, cv_cl=cv_cl, cv_v=cv_v,
            cv_ka=cv_ka, residual_cv=residual_cv, lloq=lloq, dropout=dropout, analysis_set=analysis_set,
            ada_fraction=_per_arm("--ada-fraction", ada_fraction), ada_onset=ada_onset,
            ada_cl_factor=ada_cl_factor, metrics=tuple(comma_list(metrics)), alpha=alpha, theta1=theta1,
            theta2=theta2, max_aucpext=max_aucpext, aucpext_rule=aucpext_rule, variance=variance,
        )  # fmt: skip
        if out is not None and out.suffix.lower() not in {".csv", ".parquet"}:
            raise InputError(_("--out %(path)s: expected a .csv or .parquet file name") % {"path": out})
        with progress_bar(_("simulating studies (chunks)")) as tick:
            run = simulate_pk_similarity(
                design, n_studies, seed, workers=workers, scheduler=scheduler, chunk_size=chunk_size,
                details=out is not None, progress=tick,
            )  # fmt: skip
        _report(run, design, out, fmt)


def _report(run: SimulationRun, design: PKSimilarityDesign, out: Path | None, fmt: OutputFormat) -> None:
    """Write the per-study rows (with --out) and print the result with how it was executed."""
    record = run.result.to_dict()
    record["execution"] = {
        **dataclasses.asdict(run.execution),
        "chunk_size": run.chunk_size,
        "n_chunks": run.n_chunks,
        "seconds": round(run.seconds, 3),
    }
    if out is not None and run.outcomes is not None:
        _write_studies(run.outcomes.to_frame(design), out)
        typer.echo(
            ngettext(
                "wrote %(n)s study to %(path)s", "wrote %(n)s studies to %(path)s", run.outcomes.n_studies
            )
            % {"n": f"{run.outcomes.n_studies:,}", "path": out},
            err=True,
        )
    if fmt is OutputFormat.json:
        print_json(record)
    else:
        _print_table(record)
