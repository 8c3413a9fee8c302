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

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bioparity.be.data import DEFAULT_NA, crossover_data, read_crossover_file
from bioparity.be.methods import BE_METHODS, evaluate_be, left_out_subjects
from bioparity.be.mixed import DF_METHODS
from bioparity.be.similarity import DEFAULT_METRICS, VARIANCE_MODELS, pk_similarity_table
from bioparity.cli.common import (
    OutputFormat,
    check_choice,
    check_outputs,
    comma_list,
    echo_notes,
    print_json,
    user_errors,
    write_result,
)
from bioparity.cli.options import (
    Alpha,
    Format,
    Theta1,
    Theta2,
    fraction_option,
    input_argument,
    percent_option,
)
from bioparity.errors import DataFileError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop, ngettext
from bioparity.io.pp import read_metric_table
from bioparity.left_out import left_out_rows

if TYPE_CHECKING:
    import pandas as pd

#: The options of ``pk-similarity`` that name the subject and arm columns, as its read errors name them.
COLUMN_OPTIONS = ("--subject-column", "--arm-column")

app = typer.Typer()


def _print_be_table(record: dict[str, Any]) -> None:
    table = Table(title=_("Bioequivalence: %(method)s") % {"method": record["method"]}, show_header=False)
    table.add_column(_("quantity"), style="bold")
    table.add_column(_("value"))
    for key, value in record.items():
        if key in {"reasons", "outliers", "missing_cells"}:
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
            _("outlier (flag only)"),
            _("subject %(subject)s (%(sequence)s), stud. residual %(residual)s")
            % {
                "subject": o["subject"],
                "sequence": o["sequence"],
                "residual": f"{o['studentized_residual']:+.3f}",
            },
        )
    for i, reason in enumerate(record["reasons"]):
        table.add_row(_("reasons") if i == 0 else "", reason)
    Console().print(table)


# Options of ``bioparity be`` (their help marked for the help page's language: cli catalogue).
CrossoverIn = Annotated[
    Path, input_argument(gettext_noop("CSV with subject,period,sequence,treatment,PK (one row per period)."))
]
#: every method of BE_METHODS (tests/cli/test_help_language.py)
BeMethod = Annotated[str, typer.Option(help=gettext_noop("One of: abe, ema-abel-a, ema-abel-b, fda-rsabe."))]
AbeTheta1 = Annotated[
    float, fraction_option(gettext_noop("Lower limit for method abe, a ratio (0.80, not 80)."))
]
AbeTheta2 = Annotated[
    float | None, fraction_option(gettext_noop("Upper limit for method abe, a ratio (default 1/theta1)."))
]
DfMethod = Annotated[
    str, typer.Option(help=gettext_noop("Method B df: contain (replicateBE default) or satterthwaite."))
]
Fence = Annotated[float, typer.Option(help=gettext_noop("Outlier box-plot fence in IQRs (flags only)."))]
NaMarkers = Annotated[
    str,
    typer.Option(
        "--na",
        help=gettext_noop(
            "Comma-separated missing-value markers of PK (replicateBE's na; blank is always missing)."
        ),
    ),
]
Metric = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "PK parameter analysed: cmax, auc0-t, auc0-inf or other (recorded; EMA ABEL refused for an AUC)."
        )
    ),
]


@app.command(
    "be",
    help=gettext_noop(
        "Bioequivalence of a crossover or replicate study (ABE, EMA ABEL A/B, FDA RSABE).\n\n"
        "Reads replicateBE's data files as they are: '#' description lines, any-case column names, ',', "
        "';' or tab separated, missing PK as '.', 'NA' or blank (--na)."
    ),
)
def be_command(
    path: CrossoverIn,
    method: BeMethod = "abe",
    alpha: Alpha = 0.05,
    theta1: AbeTheta1 = 0.80,
    theta2: AbeTheta2 = None,
    df_method: DfMethod = "contain",
    fence: Fence = 2.0,
    fmt: Format = OutputFormat.table,
    na: NaMarkers = ",".join(DEFAULT_NA),
    metric: Metric = "",
) -> None:
    from bioparity.analyses.be import METRICS, check_metric

    with user_errors():
        check_choice("--method", method, BE_METHODS)
        check_choice("--df-method", df_method, DF_METHODS)
        if metric:
            check_choice("--metric", metric, tuple(m for m in METRICS if m))
        check_metric(method, metric)
        frame = read_crossover_file(path, na=[m for m in na.split(",") if m.strip()])
        data = crossover_data(frame, file=str(path))
        res = evaluate_be(
            data, method, alpha=alpha, theta1=theta1, theta2=theta2, df_method=df_method, fence=fence
        )
        record = res.to_record() | ({"metric": metric} if metric else {})
        _print_be_result(record, fmt, left_out_subjects(data, method))


def _print_be_result(record: dict[str, Any], fmt: OutputFormat, left_out: tuple[str, ...] = ()) -> None:
    """The record as JSON or a table on stdout; the acceptance rule with its source, the missing PK
    values and the subjects it left out on stderr (as ``pk-similarity`` states its acceptance)."""
    from bioparity.analyses.be import be_statement, biosimilar_note

    if fmt is OutputFormat.json:
        print_json(record)
    else:
        _print_be_table(record)
    if record["missing_cells"]:
        typer.echo(_missing_note(record["missing_cells"], fmt), err=True)
    echo_notes(left_out)  # a 2x2 ABE's subjects without T and R data (EMA 4.1.8)
    if (note := biosimilar_note(record["method"])) is not None:  # reference scaling: not for a biosimilar
        typer.echo(_("note: %(note)s") % {"note": note}, err=True)
    typer.echo(be_statement(record, {}), err=True)  # after the notes, as pk-similarity's


def _missing_note(cells: list[dict[str, Any]], fmt: OutputFormat) -> str:
    """The rows whose PK value is missing (not analysed): how many, the first few by data row, file line,
    subject, period and treatment (a regulator asks which), and where the full list is."""
    where = "missing_cells" if fmt is OutputFormat.json else _("missing_cells of --format json")
    return _("note: %(note)s") % {"note": left_out_rows(cells, len(cells), where, translate=True)}


#: ``--variance`` of ``pk-similarity``: the variance model of the comparisons.
VarianceModel = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "welch (default: unequal variances, per-comparison Welch-Satterthwaite, the other arms left "
            "out; with covariates GLS with one variance per arm) or pooled (one variance over all --arms, "
            "df N - k; EMA 4.1.8 wants each pair without the other arms: give only that pair's --arms)."
        )
    ),
]


# Options of ``bioparity pk-similarity``.
PpIn = Annotated[
    Path, input_argument(gettext_noop("PP CSV: NCA long format (PPTESTCD, PPSTRESN) or wide table."))
]
Arms = Annotated[
    str, typer.Option(help=gettext_noop("Arms in order, first = test, e.g. test,eu-ref,us-ref."))
]
PairsOut = Annotated[
    Path, typer.Option(help=gettext_noop("Output CSV: one row per metric and pair of arms."))
]
Metrics = Annotated[str, typer.Option(help=gettext_noop("PK metrics (PPTESTCD codes)."))]
ArmColumn = Annotated[
    str | None, typer.Option(help=gettext_noop("Column with the arm (default: arm, treatment, ...)."))
]
SubjectColumn = Annotated[
    str | None, typer.Option(help=gettext_noop("Column with the subject (default: subject, USUBJID, ...)."))
]
Covariates = Annotated[
    str, typer.Option(help=gettext_noop("Comma-separated covariate columns for ANCOVA (e.g. WT)."))
]
Population = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "completers (subjects with every metric; default) or available (per metric, as before)."
        )
    ),
]
AucpextRule = Annotated[
    str,
    typer.Option(
        help=gettext_noop("Subjects with %AUCext above --max-aucpext: keep (EMA; counted) or exclude.")
    ),
]
MaxAucpext = Annotated[
    float, percent_option(gettext_noop("Limit of extrapolated AUC, in percent (20 or 20%; AUCPEO)."))
]
AdaColumn = Annotated[
    str | None,
    typer.Option(
        help=gettext_noop("Column with ADA status (1 positive, 0 negative): adds the ADA-subgroup analyses.")
    ),
]


@app.command(
    "pk-similarity",
    help=gettext_noop(
        "Pairwise PK similarity of parallel arms (e.g. test vs EU-ref, test vs US-ref, EU-ref vs US-ref)."
    ),
)
def pk_similarity_command(
    path: PpIn,
    arms: Arms,
    out: PairsOut,
    metrics: Metrics = ",".join(DEFAULT_METRICS),
    arm_column: ArmColumn = None,
    subject_column: SubjectColumn = None,
    variance: VarianceModel = "welch",
    covariates: Covariates = "",
    alpha: Alpha = 0.05,
    theta1: Theta1 = 0.80,
    theta2: Theta2 = None,
    population: Population = "completers",
    aucpext_rule: AucpextRule = "keep",
    max_aucpext: MaxAucpext = 20.0,
    ada_column: AdaColumn = None,
) -> None:
    from bioparity.analyses.pk_similarity import evaluation_statement, model_statement

    with user_errors():
        check_choice("--variance", variance, VARIANCE_MODELS)
        check_outputs(("--out", out))
        arm_list, metric_list, cov_list = comma_list(arms), comma_list(metrics), comma_list(covariates)
        extra = cov_list + ([ada_column] if ada_column else [])
        frame, subject, arm = _read_pp(path, subject_column, arm_column, metric_list, extra)
        settings: dict[str, Any] = {
            "variance": variance, "covariates": cov_list, "alpha": alpha, "theta1": theta1, "theta2": theta2,
            "population": population, "aucpext_rule": aucpext_rule, "max_aucpext": max_aucpext,
            "ada_column": ada_column}  # fmt: skip
        named: dict[str, Any] = {"file": str(path), "subject_column": subject}  # notes: subject ids, not #69
        table, notes = pk_similarity_table(frame, arm, arm_list, metric_list, **settings, **named)
        for unlisted in _unlisted_arms(frame[arm], arm_list):
            typer.echo(unlisted, err=True)
        echo_notes(notes)  # the analysis's notes, 'note: ...' in the command's language
        typer.echo(model_statement(table), err=True)  # scale, variance model and df: how to read the CIs
        typer.echo(evaluation_statement(table), err=True)  # acceptance and its source, population, outliers
        options = {"command": "pk-similarity", "arms": arm_list, "metrics": metric_list} | settings
        write_result(table, out, {"parameters": path}, options)
        typer.echo(_wrote_comparisons(len(table), out), err=True)


def _wrote_comparisons(n: int, out: Path) -> str:
    return ngettext("wrote %(n)d comparison to %(path)s", "wrote %(n)d comparisons to %(path)s", n) % {
        "n": n,
        "path": out,
    }


def _unlisted_arms(arms: pd.Series, listed: list[str]) -> list[str]:
    """The note naming arms of the file not in ``--arms`` (their subjects are left out), if any."""
    labels = arms.astype(str).str.strip()
    other = labels[~labels.isin(listed)].value_counts(sort=False)
    if not len(other):
        return []
    return [
        _("note: subjects of arms not in --arms left out: %(arms)s")
        % {"arms": ", ".join(f"{name} ({n})" for name, n in other.items())}
    ]


def _read_pp(
    path: Path, subject: str | None, arm: str | None, metrics: list[str], extra: list[str]
) -> tuple[pd.DataFrame, str, str]:
    """The PP table, its subject and arm columns; with AUCIFO also AUCPEO (the %AUCext rule), if it has it."""
    wanted = [*metrics, *(["AUCPEO"] if "AUCIFO" in metrics else [])]
    try:
        frame, subject_name, arm_name = read_metric_table(path, subject, arm, wanted, extra, COLUMN_OPTIONS)
    except DataFileError:
        if wanted == metrics:
            raise
        frame, subject_name, arm_name = read_metric_table(path, subject, arm, metrics, extra, COLUMN_OPTIONS)
    return frame, subject_name, arm_name
