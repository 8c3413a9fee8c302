"""``bioparity nca IN --out OUT.csv``: noncompartmental analysis of a concentration-time table.

Contract:

* IN is CSV, XLSX (the one sheet with data), Parquet or SAS XPT. Plain layout: one row per sample with columns
  ``subject,time,conc[,dose]`` (names mapped with ``--subject/--time/--conc``; a name may differ in
  letter case). Profiles follow the grouping rule of :mod:`bioparity.nca.spec`: columns named arm,
  period, treatment, analyte, formulation, sequence or visit (any case), and any given with ``--group``,
  define the profiles together with the subject and are kept in OUT. ``--dose`` is ``auto`` (default:
  the column ``dose`` when there is one, so CL and Vz are computed), a column, one number for every
  profile, or ``none``; a dose column used is named on the terminal with its unit. An SDTM PC domain
  (USUBJID, PCTESTCD, PCSTRESN, ...) is detected and read (see :mod:`bioparity.io.sdtm`); its PCSTRESU is
  the concentration unit when it is one unit on every row (two units, or a ``--conc-unit`` that is not
  PCSTRESU, stop the run naming the row and column).
* OUT is long: the profile columns, ``start``, ``end``, ``PPTESTCD``, ``PPSTRESN``, one ``flag_*`` column
  per review flag (single dose; with ``--dosing`` the lambda_z flags are in ``OUT.terminal_lambda_z.csv``)
  and ``reason`` (why a value is missing, or the user's reason for manual lambda_z points).
* ``OUT.summary.csv`` (named after OUT, in its format) holds the summary statistics of OUT's parameters that
  the workspace report shows, from the same function (:func:`bioparity.analyses.nca.parameter_statistics`):
  per arm (any letter case), analyte or other column that splits a subject's profiles, dosing interval
  (``dose_number``, with ``--dosing``) and parameter: n, n_missing, mean, sd, cv_percent, geometric_mean,
  geometric_cv_percent, median, min, max; recorded in ``OUT.provenance.json`` (``summary``, with the rows
  left without geometric statistics for values <= 0). An SDTM PC whose subjects have several PCRFTDTC and
  no VISITNUM, VISIT, EPOCH or period column gets a ``period`` derived per subject from the order of its
  PCRFTDTC (:func:`bioparity.io.nca_input.with_derived_period`), so that a crossover's statistics are per
  period, not per reference date; said on the terminal and in ``OUT.provenance.json``
  (``derived_columns``).
* ``--sdtm-pp PP.xpt`` also writes an SDTM PP domain, ``--adpp ADPP.xpt|.csv`` an ADaM ADPP data set; their
  records are told apart by profile (:func:`bioparity.io.sdtm.pp_domain`: PPCAT, PPSPEC, PPRFTDTC, VISITNUM,
  VISIT, EPOCH; a profile column PP has no variable for, such as a plain table's ``period`` or the
  derived one, in PPGRPID, said on the terminal). ADPP's TRTP/TRTA: the ADSL's TRTxxP/TRTxxA with
  ``--adsl``, else DM's ARM/ACTARM of a parallel design (:func:`bioparity.io.adam.with_treatments`); one
  left out is said on the terminal, never made up.
* ``--dm DM`` (SDTM DM: USUBJID, ARM, optional ACTARM) gives each subject its arm: summary statistics per
  ARM, ARM and ACTARM carried to OUT, ADPP and ADNCA (:func:`bioparity.io.nca_input.with_dm_arms`), the DM
  file and its SHA-256 recorded in ``OUT.provenance.json`` (``inputs.dm``). An SDTM
  PC input has no arm; without ``--dm`` a note says that the summary statistics pool the arms.
* ``--adsl ADSL`` (ADaM ADSL: USUBJID, APxxSDT with APxxSTM or APxxSDTM, optional period ends and
  TRTxxP/TRTxxA) places each sample of an SDTM PC crossover in the subject's ADSL period of its
  PCRFTDTC (ADaMIG v1.3 APERIOD) instead of the order of the sampled doses (which calls a subject's first
  *sampled* period 1), with the period's TRTxxP and TRTxxA as the profile columns TRTP and TRTA; the rule
  is said in the note and in ``derived_columns``, the ADSL and its SHA-256 in ``inputs.adsl`` of
  ``OUT.provenance.json``.
* Every file of a run is written, or none: OUT, the files beside it and the SDTM/ADaM files are renamed into
  place together when all are complete (:func:`bioparity.io.tables_out.output_set`).
* ``--dosing DOSES`` (``subject,time,dose[,duration]`` on the sample clock, or an SDTM EX domain) switches
  to multiple-dose NCA: one set of parameters per dosing interval (``--tau`` for the last dose), plus the
  lambda_z fit after each profile's last dose (the one AILAMZ and VZFTAU use) in
  ``OUT.terminal_lambda_z.csv`` (named after OUT, in its format; the columns of the workspace's table:
  profile columns, ``last_dose``, PPTESTCD, PPSTRESN, the lambda_z flags, ``reason``), recorded in
  ``OUT.provenance.json`` (``terminal_lambda_z``). With EX, dose times are hours since each subject's
  first dose; an SDTM PC input is then put on the same clock from PCDTC. An EX domain with exactly one
  dose record per sampled subject (and no ``--tau``) is a single dose instead: single-dose NCA with each
  subject's own EXDOSE; so is EX with one dose record per profile (a crossover: USUBJID and VISITNUM,
  or the ``--group`` columns EX has, or PCRFTDTC = EXSTDTC:
  :meth:`bioparity.io.nca_input.ExDomain.dose_per_profile`). A PC without PCRFTDTC then gets each
  profile's EXSTDTC as PCRFTDTC (PP's PPRFTDTC). EXDOSU is the dose unit (same rules as PCSTRESU, versus
  ``--dose-unit``). Where each unit and the dose came from is recorded in ``OUT.provenance.json``
  (``units``, ``dose_source``).
  SDTM PP and ADPP of multiple-dose NCA reference each dosing interval's own dose (PPRFTDTC its EXSTDTC,
  PPSTINT/PPENINT from it: :func:`bioparity.io.sdtm.per_dose_intervals`), each with the visit of its
  samples (:func:`bioparity.io.sdtm.interval_timing`); OUT keeps the first-dose clock.
  ``--extrapolate-tau`` extrapolates AUCTAU past the last sample with lambda_z (Phoenix); ``--tss-out``
  writes the time to steady state per profile.
* ``--adnca ADNCA.xpt|.csv`` writes the ADaM ADNCA concentration records (AFRLT since the subject's first
  dose, also across the periods of a crossover and, with ``--dosing``, from the first dose in EX even when
  it was not sampled; ARRLT since the sample's reference dose; NRRLT/NFRLT nominal, from an SDTM PC's
  PCELTM, NFRLT of a later dose with the PC's VISITDY where it has one:
  :func:`bioparity.io.adam.adnca_domain`;
  PARAMCD/PARAM per analyte: :func:`bioparity.io.adam.concentration_params`; each sample's VISITNUM, VISIT,
  EPOCH, and AVISITN/AVISIT, ATPTN/ATPT copied from the PC's VISITNUM/VISIT, PCTPTNUM/PCTPT where it has
  them; TRTP/TRTA as ADPP's, one left out said on the terminal). ADPP's PARAMCD/PARAM are per parameter
  and analyte (:func:`bioparity.io.adam.pk_parameter_params`).
* ``--conc-unit/--time-unit/--dose-unit`` state the input units: OUT gains PPORRES/PPORRESU and
  PPSTRESU (clearances in L/h and volumes in L where the units allow; PPORRESU too where the derived unit
  is that unit, e.g. ``mg*mL/ug/h``; dimensionless results have none). ``--conc-unit-column COL`` gives a
  unit per row: concentrations are converted into ``--conc-unit`` (default: the first row's unit). A
  unit of another dimension (``--conc-unit h``, PCSTRESU ``mg``) is refused; a unit bioparity does not
  know (``IU/mL`` is known, ``furlong`` is not) is carried as written with a warning, also recorded in
  ``OUT.provenance.json`` (``unit_notes``): :func:`bioparity.nca.units.input_unit`.
* ``--lambda-z-max-points``, ``--lambda-z-start-after`` and ``--lambda-z-exclude`` (CSV: profile columns,
  lambda_z_time, lambda_z_reason) give Phoenix-style lambda_z rules; the rule is in ``lambda_z_method``.
* ``--keep WT[,COL]`` carries subject-level columns (body weight for an ANCOVA of ``bioparity
  pk-similarity --covariates WT``) into OUT, beside the profile columns: each must hold one value per
  subject (else the run stops naming file, row, column and subject); they split no profile and no summary
  statistic (:mod:`bioparity.nca.covariates`). ADPP and ADNCA carry each under its name in capitals, the
  same values, type and label in both (:func:`bioparity.io.adam.kept_variables`: a name that is no ADaM
  variable name refused before anything is computed); SDTM PP does not.
* ``--review CHOICES.csv|json`` applies a reviewer's lambda_z choices (columns ``subject`` + profile
  columns, ``time`` (empty = the whole profile), ``action`` include|exclude, ``reason``), the same file the
  web NCA review saves: see :mod:`bioparity.nca.review`.
* Bad input fails before any computation, naming file, row and column, and leaves no OUT file.

The command reads the files (:mod:`bioparity.io.nca_input`), builds the :class:`~bioparity.nca.NCASpec`
from the options (:func:`~bioparity.nca.spec_from_options`, the names the workspace NCA uses too), runs
:func:`~bioparity.nca.run_nca` and writes the outputs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer

from bioparity.analyses.nca import (
    TERMINAL_KEY,
    arms_notes,
    parameter_statistics,
    read_adsl,
    terminal_lambda_z,
    with_arms,
)
from bioparity.analyses.nca_adam import adnca_records, adpp_records, pp_dating
from bioparity.cli.common import user_errors, warn_note
from bioparity.cli.options import (
    UNIT_OPTIONS,
    AdslOpt,
    DmOpt,
    KeepOpt,
    Subject,
    Time,
    fraction_option,
    input_argument,
    percent_option,
)
from bioparity.cli.progress import ProgressBar, progress_bar
from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop, ngettext
from bioparity.i18n.notes import note_text
from bioparity.io import write_frame_atomic
from bioparity.io.adam import kept_variables, missing_treatments, write_adam
from bioparity.io.nca_input import (
    DM_ARMS,
    NCADoses,
    NCASamples,
    missing_concentrations,
    read_doses,
    read_samples,
)
from bioparity.io.provenance import sha256_in_background, write_provenance
from bioparity.io.readers import read_any_table
from bioparity.io.review import read_review
from bioparity.io.sdtm import (
    pp_domain,
    pp_group_columns,
    write_sdtm_pp,
)
from bioparity.io.tables_out import check_output_path, output_set, will_be_file, write_table_blocks
from bioparity.left_out import SHOWN_LEFT_OUT, left_out_rows
from bioparity.nca import (
    LABELS,
    NCAResult,
    NCASpec,
    prepare_input,
    result_table,
    run_nca,
    run_time_to_steady_state,
    spec_from_options,
)
from bioparity.nca.run import run_nca_blocks

app = typer.Typer()


# Options of ``bioparity nca`` (the names are those of spec_from_options and the workspace NCA).
_OUT = gettext_noop(
    "Output CSV or Parquet (long: one row per profile and parameter); the summary statistics per arm and "
    "parameter beside it (OUT.summary.csv), and OUT.csv.provenance.json."
)
NcaOut = Annotated[Path, typer.Option(help=_OUT)]
InFile = Annotated[Path, input_argument(gettext_noop("CSV, XLSX, Parquet or SAS XPT (plain or SDTM PC)."))]
AucMethodOpt = Annotated[str, typer.Option(help=gettext_noop("lin-up-log-down (PKNCA default) or linear."))]
RouteOpt = Annotated[
    str, typer.Option(help=gettext_noop("extravascular, iv-bolus (C0 back-extrapolated) or iv-infusion."))
]
DurationOpt = Annotated[
    str | None,
    typer.Option(
        help=gettext_noop("Infusion duration (in --time-unit, as the sample times) or the column holding it.")
    ),
]
ConcOpt = Annotated[
    str, typer.Option(help=gettext_noop("Concentration column (BLQ markers such as 'BLQ' allowed)."))
]
_DOSE = gettext_noop(
    "auto (the column 'dose' if present), a column, one dose for all profiles, or none; gives CL, Vz."
)
DoseOpt = Annotated[str, typer.Option(help=_DOSE)]
GroupOpt = Annotated[
    list[str], typer.Option("--group", help=gettext_noop("Extra grouping column (repeatable)."))
]
BlqOpt = Annotated[str | None, typer.Option(help=gettext_noop("Column flagging BLQ samples (1/Y/TRUE/BLQ)."))]
LloqOpt = Annotated[
    str | None, typer.Option(help=gettext_noop("Column with the lower limit of quantification."))
]
_BLQ_RULE = gettext_noop("pknca (first keep, middle drop, last keep), drop, zero or 'first,middle,last'.")
BlqRuleOpt = Annotated[str, typer.Option(help=_BLQ_RULE)]
IntervalOpt = Annotated[
    list[str],
    typer.Option("--interval", help=gettext_noop("Partial AUC START,END (repeatable), code AUCINT.")),
]
ParametersOpt = Annotated[
    str | None,
    typer.Option(help=gettext_noop("Comma-separated PPTESTCD codes or PKNCA names (default: all).")),
]
_POINTS = gettext_noop(
    "CSV: profile columns + lambda_z_start, lambda_z_end, lambda_z_reason (manual lambda_z)."
)
LambdaZPointsOpt = Annotated[Path | None, typer.Option(help=_POINTS)]
MinPointsOpt = Annotated[
    int, typer.Option(help=gettext_noop("Minimum points for lambda_z (PKNCA min.hl.points)."))
]
AdjR2FactorOpt = Annotated[float, typer.Option(help=gettext_noop("PKNCA adj.r.squared.factor."))]
R2adjMinOpt = Annotated[
    float, fraction_option(gettext_noop("Flag lambda_z fits with adjusted R2 below this (0 to 1)."))
]
MaxAucpextOpt = Annotated[
    float, percent_option(gettext_noop("Flag AUC %extrapolated above this, in percent (20 or 20%)."))
]
MinSpanRatioOpt = Annotated[float, typer.Option(help=gettext_noop("Flag span ratios below this."))]
_PP = gettext_noop(
    "Also write an SDTM PP domain (SAS XPT v5); periods told apart by PPRFTDTC (PCRFTDTC, or EXSTDTC of "
    "--dosing EX)/VISITNUM, or PPGRPID for a plain period column."
)
SdtmPpOpt = Annotated[Path | None, typer.Option(help=_PP)]
AdppOpt = Annotated[
    Path | None,
    typer.Option(
        help=gettext_noop(
            "Also write an ADaM ADPP data set (.xpt or .csv), PARAMCD per parameter and analyte."
        )
    ),
]
_DOSING = gettext_noop(
    "Dose records subject,time,dose (same clock as the samples) or SDTM EX: multiple-dose NCA "
    "(EX with one dose per subject, or per profile by USUBJID and VISITNUM as in a crossover: single dose, "
    "each profile's EXDOSE, PPRFTDTC = its EXSTDTC)."
)
DosingOpt = Annotated[Path | None, typer.Option(help=_DOSING)]
# --tau and --extrapolate-tau: the options TAU and EXTRAPOLATE_TAU of the workspace NCA, their help as a
# sentence marked for the help page's language (tests/cli/test_help_language.py keeps the words the same)
TauOpt = Annotated[
    float | None,
    typer.Option(
        help=gettext_noop(
            "Dosing interval after the last dose, in the time unit of the data, with dose records (none: the "
            "last dose has no interval parameters; with an EX domain of one dose per subject it asks for "
            "multiple-dose NCA of that interval)."
        )
    ),
]
ConcUnitOpt = Annotated[str | None, typer.Option(help=gettext_noop("Concentration unit, e.g. ng/mL."))]
TimeUnitOpt = Annotated[str, typer.Option(help=gettext_noop("Time unit of the input."))]
DoseUnitOpt = Annotated[str | None, typer.Option(help=gettext_noop("Dose unit, e.g. mg."))]
LambdaZMaxPointsOpt = Annotated[
    int | None, typer.Option(help=gettext_noop("At most this many lambda_z points."))
]
LambdaZStartAfterOpt = Annotated[
    float | None, typer.Option(help=gettext_noop("No lambda_z point before this time (in --time-unit)."))
]
_EXCLUDE = gettext_noop(
    "CSV: profile columns + lambda_z_time, lambda_z_reason (points left out of lambda_z)."
)
LambdaZExcludeOpt = Annotated[Path | None, typer.Option(help=_EXCLUDE)]
StudyidOpt = Annotated[
    str, typer.Option(help=gettext_noop("STUDYID for the PP domain when the input has none."))
]
_UNIT_COLUMN = gettext_noop("Column with each row's concentration unit (converted into --conc-unit).")
ConcUnitColumnOpt = Annotated[str | None, typer.Option(help=_UNIT_COLUMN)]
AdncaOpt = Annotated[
    Path | None,
    typer.Option(
        help=gettext_noop(
            "Also write ADaM ADNCA concentration records (.xpt or .csv), PARAMCD per analyte, each sample's "
            "VISITNUM/VISIT/EPOCH."
        )
    ),
]
ExtrapolateTauOpt = Annotated[
    bool,
    typer.Option(
        help=gettext_noop(
            "With dose records: extrapolate AUCTAU, AUMCTAU and CTROUGH past the last sample to the end of "
            "tau with lambda_z (Phoenix WinNonlin); false: missing with the reason (PKNCA)."
        )
    ),
]
TssOutOpt = Annotated[
    Path | None,
    typer.Option(help=gettext_noop("With --dosing: write the time to steady state per profile (CSV).")),
]
TssFractionOpt = Annotated[
    float, fraction_option(gettext_noop("Fraction of steady state for --tss-out (0.9 for 90%)."))
]
_REVIEW = gettext_noop(
    "Reviewer's lambda_z choices (CSV or JSON: profile columns, time (empty = whole profile), "
    "action include|exclude, reason), as saved by the web NCA review."
)
ReviewOpt = Annotated[Path | None, typer.Option(help=_REVIEW)]


@app.command(
    "nca",
    help=gettext_noop(
        "Noncompartmental analysis (PKNCA-compatible): Cmax, AUCs, lambda_z, half-life, CL, Vz, MRT."
    ),
)
def nca_command(
    ctx: typer.Context,
    infile: InFile,
    out: NcaOut,
    auc_method: AucMethodOpt = "lin-up-log-down",
    route: RouteOpt = "extravascular",
    duration: DurationOpt = None,
    subject: Subject = "subject",
    time: Time = "time",
    conc: ConcOpt = "conc",
    dose: DoseOpt = "auto",
    group: GroupOpt = [],  # noqa: B006
    blq: BlqOpt = None,
    lloq: LloqOpt = None,
    blq_rule: BlqRuleOpt = "pknca",
    interval: IntervalOpt = [],  # noqa: B006
    parameters: ParametersOpt = None,
    lambda_z_points: LambdaZPointsOpt = None,
    min_points: MinPointsOpt = 3,
    adj_r2_factor: AdjR2FactorOpt = 1e-4,
    r2adj_min: R2adjMinOpt = 0.8,
    max_aucpext: MaxAucpextOpt = 20.0,
    min_span_ratio: MinSpanRatioOpt = 2.0,
    sdtm_pp: SdtmPpOpt = None,
    adpp: AdppOpt = None,
    dosing: DosingOpt = None,
    tau: TauOpt = None,
    conc_unit: ConcUnitOpt = None,
    time_unit: TimeUnitOpt = "h",
    dose_unit: DoseUnitOpt = None,
    lambda_z_max_points: LambdaZMaxPointsOpt = None,
    lambda_z_start_after: LambdaZStartAfterOpt = None,
    lambda_z_exclude: LambdaZExcludeOpt = None,
    studyid: StudyidOpt = "",
    conc_unit_column: ConcUnitColumnOpt = None,
    adnca: AdncaOpt = None,
    extrapolate_tau: ExtrapolateTauOpt = False,
    tss_out: TssOutOpt = None,
    tss_fraction: TssFractionOpt = 0.9,
    review: ReviewOpt = None,
    dm: DmOpt = None,
    adsl: AdslOpt = None,
    keep: KeepOpt = None,
) -> None:
    _small_pages()  # below: every output file or none (output_set: a failing ADPP leaves no new OUT)
    with user_errors(), progress_bar(f"reading {infile.name}") as bar, output_set():
        outputs = _check_flags(ctx.params)
        given = spec_from_options(ctx.params)
        given.unit_notes(UNIT_OPTIONS)  # a unit of another dimension refused before any file is read
        samples, doses = _read(infile, given, adsl, dm, dosing, tau)
        _say(_units_note(samples))
        if doses is None or doses.per_subject:
            _say(_dose_note(samples, doses))
            _single_dose(samples, outputs, ctx.params, bar, doses)
        else:
            _multiple_dose(samples, doses, outputs, ctx.params, bar)


def _read(
    infile: Path, given: NCASpec, adsl: Path | None, dm: Path | None, dosing: Path | None, tau: float | None
) -> tuple[NCASamples, NCADoses | None]:
    """The samples of IN (hashed for the provenance sidecar while the file is parsed), each placed in its
    period by the ADSL's period dates with ``--adsl`` (:func:`~bioparity.analyses.nca.read_adsl`), with the
    arms of ``--dm`` and the doses of ``--dosing``; what was read is said once the doses are read (a
    multiple-dose EX turns PCRFTDTC from a profile into each sample's reference dose, no period derived
    from its order: :func:`~bioparity.io.nca_input.reference_on_dose_clock`)."""
    sha256_in_background(infile)
    samples = read_samples(infile, given, adsl=read_adsl(adsl))
    samples = with_arms(samples, dm, given=f"--dm {dm}")
    doses = None
    if dosing is not None:
        samples, doses = read_doses(dosing, samples, tau=tau)
    _say_read(samples, dm)
    if doses is not None:
        _say(note_text(doses.note))
    return samples, doses


def _say_read(samples: NCASamples, dm: Path | None) -> None:
    """Say on the terminal what was detected in the samples as finally read (after ``--dosing``) and the
    arms each subject got from ``--dm`` (:func:`~bioparity.analyses.nca.with_arms`, as the workspace's
    option ``dm``); an SDTM PC input without ``--dm`` has no arm, which a note says
    (:func:`~bioparity.analyses.nca.arms_notes`: the summary statistics then pool every subject, never
    silently)."""
    _say(note_text(samples.note))
    arms = [c for c in DM_ARMS if c in samples.frame.columns] if dm is not None else []
    for line in arms_lines(dm, arms, arms_notes(samples)):
        _say(line)


def arms_lines(dm: Path | None, arms: Sequence[str], notes: Iterable[str]) -> list[str]:
    """What ``bioparity nca`` and ``nca-batch`` say of the arms: the DM columns each subject got from
    ``--dm``, and the notes of the samples (an SDTM PC without an arm pools them), in the reader's
    language."""
    lines = [
        _("arms from %(path)s: %(columns)s of each subject (summary statistics per ARM)")
        % {"path": dm, "columns": ", ".join(arms)}
    ] if dm is not None else []  # fmt: skip
    return lines + [_("note: %(note)s") % {"note": note_text(note)} for note in notes]


@dataclass(frozen=True)
class Outputs:
    """The files a run writes (and the STUDYID written into the SDTM and ADaM ones)."""

    out: Path
    sdtm_pp: Path | None
    adpp: Path | None
    adnca: Path | None
    tss_out: Path | None
    studyid: str


def _check_flags(params: Mapping[str, Any]) -> Outputs:
    """The output files and the flags that exclude each other, checked before anything is read or
    computed (one-line errors, no traceback, no output file)."""
    outputs = Outputs(**{f.name: params[f.name] for f in dataclasses.fields(Outputs)})
    for field in dataclasses.fields(Outputs):
        path = getattr(outputs, field.name)
        if isinstance(path, Path):
            check_output_path(path, "--" + field.name.replace("_", "-"))
    if params["review"] is not None and params["lambda_z_exclude"] is not None:
        raise InputError(_("--review and --lambda-z-exclude both given; put every choice in --review"))
    if params["tau"] is not None and not params["tau"] > 0:
        raise InputError(
            _("--tau %(tau)s: the dosing interval must be a positive number of hours")
            % {"tau": f"{params['tau']:g}"}
        )
    if params["adpp"] is not None or params["adnca"] is not None:  # each kept column's ADaM name, now
        kept_variables(spec_from_options(params).keep)
    refuse_dose_settings(spec_from_options(params), params["dosing"])
    return outputs


def refuse_dose_settings(spec: NCASpec, dosing: Path | None) -> None:
    """``--tau`` and ``--extrapolate-tau`` refused, not ignored, without the dose records of ``--dosing``
    (``bioparity nca`` and ``nca-batch``, before anything is read)."""
    given = spec.dose_record_settings
    if given and dosing is None:
        raise InputError(
            _("%(options)s: for multiple-dose NCA; give the dose records with --dosing")
            % {"options": " ".join("--" + name.replace("_", "-") for name in given)}
        )


def _single_dose(
    samples: NCASamples,
    outputs: Outputs,
    params: Mapping[str, Any],
    bar: ProgressBar,
    doses: NCADoses | None = None,
) -> None:
    """Single-dose NCA of every profile: OUT (streamed when nothing else needs the whole table) and the
    requested SDTM/ADaM files; ``doses``: the EX doses read, whose first dose of each subject is the
    origin of ADNCA AFRLT when they are one per profile (a crossover)."""
    bar.stage("computing NCA")
    frame, spec = prepare_input(samples.frame, samples.spec, where=samples.where)
    sources = _sources(samples, spec, params)
    review, review_where = read_review(params["review"]) if params["review"] is not None else (None, None)
    settings: dict[str, Any] = dict(
        review=review, review_where=review_where, where=samples.where,
        lambda_z_points=_table(params["lambda_z_points"]),
        lambda_z_exclude=_table(params["lambda_z_exclude"]),
    )  # fmt: skip
    counts = _Counts()
    if spec.conc_unit is None and outputs.adpp is None and outputs.sdtm_pp is None:
        bar.stage(f"computing NCA and writing {outputs.out.name}")
        # parts of the profiles computed while the previous ones are written: flat memory, both cores busy
        n_rows = write_table_blocks(counts.frames(run_nca_blocks(frame, spec, **settings)), outputs.out)
        long = counts.summary_input()
    else:
        result = run_nca(frame, spec, **settings)
        bar.stage(f"writing {outputs.out.name}")
        long = _write_tables(result_table(result, spec), spec, outputs, samples.sdtm_pc)
        n_rows = len(long)
        counts.add(result)
    inputs = {"concentrations": params["infile"]} | {
        name: params[name]
        for name in ("dosing", "dm", "adsl", "lambda_z_points", "lambda_z_exclude", "review")
    }
    missing = missing_concentrations(frame, spec, samples.where) if counts.missing else None
    summary = _summary_record(long, spec, outputs.out)
    extra = _excluded_record(missing) | sources | summary
    write_provenance(outputs.out, inputs, provenance_options(spec), extra=extra)
    _say(
        _("wrote %(rows)s (%(profiles)s) to %(path)s")
        % {
            "rows": ngettext("%(n)d row", "%(n)d rows", n_rows) % {"n": n_rows},
            "profiles": _profiles(counts.profiles),
            "path": outputs.out,
        }
        + _missing_note(missing, outputs.out)
        + (_blq_note(counts.blq) if counts.blq else "")
    )
    _say_summary(summary, outputs.out)
    if outputs.adnca is not None:  # single dose: each profile's times count from its reference dose
        _write_adnca(frame, spec, outputs, samples, doses)


@dataclass
class _Counts:
    """Profiles and dropped samples of a result, added up over its parts, and what the summary statistics
    read of each part: its profile columns and its values (``NCAResult.profiles`` and ``values``)."""

    profiles: int = 0
    missing: int = 0
    blq: int = 0
    kept: list[tuple[pd.DataFrame, np.ndarray]] = dataclasses.field(default_factory=list)
    codes: tuple[str, ...] = ()
    intervals: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))  # start, end of each code

    def add(self, result: NCAResult) -> None:
        self.profiles += result.n_profiles
        self.missing += int(result.n_missing_dropped.sum())
        self.blq += int(result.n_blq_dropped.sum())

    def frames(self, parts: Iterable[NCAResult]) -> Iterator[pd.DataFrame]:
        """The long table of every part, block by block, counting the parts as they come."""
        for part in parts:
            self.add(part)
            self.kept.append((part.profiles, part.values))
            self.codes, self.intervals = part.codes, (part.starts, part.ends)
            yield from part.iter_frames()

    def summary_input(self) -> pd.DataFrame:
        """The profile columns, start, end, PPTESTCD and PPSTRESN of the long table of every part (its rows,
        in order), built from the profiles and values kept, not from the long blocks written (a tenth of
        the work)."""
        if not self.kept:
            return pd.DataFrame(columns=["start", "end", "PPTESTCD", "PPSTRESN"])
        profiles = pd.concat([p for p, _v in self.kept], ignore_index=True)
        values = np.vstack([v for _p, v in self.kept])
        names = list(dict.fromkeys(self.codes))  # AUCINT may repeat: one category per distinct code
        column_code = np.asarray([names.index(c) for c in self.codes], dtype=np.int64)
        long = profiles.iloc[np.repeat(np.arange(len(profiles)), len(self.codes))].reset_index(drop=True)
        long["start"], long["end"] = (np.tile(bound, len(profiles)) for bound in self.intervals)
        long["PPTESTCD"] = pd.Categorical.from_codes(
            np.tile(column_code, len(profiles)), categories=pd.Index(names)
        )
        long["PPSTRESN"] = values.ravel()
        return long


def _refuse_lambda_z_choices(params: Mapping[str, Any]) -> None:
    """Refuse the single-dose lambda_z choices (reviewer's choices, points by hand) with repeated doses:
    they would be ignored, not applied."""
    chosen = [f"--{name.replace('_', '-')}" for name in _CHOICES if params.get(name) is not None]
    if chosen:
        raise InputError(
            _(
                "%(options)s: lambda_z choices apply to single-dose NCA; with repeated doses lambda_z is "
                "fitted after each profile's last dose by the best-fit rule (--lambda-z-max-points and "
                "--lambda-z-start-after apply)"
            )
            % {"options": ", ".join(chosen)}
        )


def _multiple_dose(
    samples: NCASamples, doses: NCADoses, outputs: Outputs, params: Mapping[str, Any], bar: ProgressBar
) -> None:
    """Multiple-dose NCA (one set of parameters per dosing interval), the time to steady state and ADNCA.

    lambda_z is fitted after each profile's last dose by the best-fit rule and its settings: a reviewer's
    choices or points given by hand (single-dose NCA) are refused, not ignored."""
    _refuse_lambda_z_choices(params)
    fit_path = check_output_path(_beside(outputs.out, TERMINAL_KEY), "--out")
    bar.stage("computing NCA per dosing interval")
    frame, spec = prepare_input(samples.frame, samples.spec, where=samples.where)
    sources = _sources(samples, spec, params)
    result = run_nca(frame, spec, dosing=doses.frame, where=samples.where, dosing_where=doses.where)
    bar.stage(f"writing {outputs.out.name}")
    long = _write_tables(result_table(result, spec), spec, outputs, samples.sdtm_pc, doses.origin, frame)
    summary = _summary_record(long, spec, outputs.out)
    fit = terminal_lambda_z(result)
    # the samples of missing concentrations are found again only when there are any (the run counted them)
    missing = missing_concentrations(frame, spec, samples.where) if result.n_missing_samples else None
    written = will_be_file(outputs.out)  # not beside a device such as /dev/stdout
    if written:
        write_frame_atomic(fit, fit_path)
    terminal = {"path": str(fit_path), "rows": len(fit), "fit": TERMINAL_FIT} if written else None
    write_provenance(
        outputs.out,
        {"concentrations": params["infile"]} | {k: params[k] for k in ("dosing", "dm", "adsl")},
        provenance_options(spec),
        extra=_excluded_record(missing) | sources | {TERMINAL_KEY: terminal} | summary,
    )
    _say(
        ngettext(
            "wrote %(n)d dosing interval to %(path)s",
            "wrote %(n)d dosing intervals to %(path)s",
            len(result.intervals),
        )
        % {"n": len(result.intervals), "path": outputs.out}
        + _missing_note(missing, outputs.out)
        + ("" if params["tau"] is not None else _(NO_TAU))
    )
    _say_summary(summary, outputs.out)
    if written:
        _say(
            _("wrote the lambda_z fit after the last dose (%(profiles)s) to %(path)s")
            % {"profiles": _profiles(result.terminal.n_profiles), "path": fit_path}
        )
    if outputs.tss_out is not None:
        bar.stage("computing the time to steady state")
        tss = run_time_to_steady_state(
            frame, spec, dosing=doses.frame, terminal=result.terminal, where=samples.where,
            dosing_where=doses.where,
        )  # fmt: skip
        write_frame_atomic(result_table(tss, spec), outputs.tss_out)
        _say(
            _("wrote time to steady state (%(profiles)s) to %(path)s")
            % {"profiles": _profiles(len(tss.profiles)), "path": outputs.tss_out}
        )
    if outputs.adnca is not None:
        _write_adnca(frame, spec, outputs, samples, doses)


#: Said after the dosing intervals written when --tau was not given (translated where said).
NO_TAU = gettext_noop(
    "; no --tau: the last dose has no interval, so its parameters are missing (PKNCA and Phoenix need tau "
    "for the last dose)"
)
#: What ``OUT.terminal_lambda_z.csv`` holds, for ``OUT.provenance.json``.
TERMINAL_FIT = (
    "lambda_z fitted after each profile's last dose by the best-fit rule (times since the last dose; "
    "last_dose on the clock of the dose records): the lambda_z of AILAMZ and VZFTAU of every interval"
)


def _beside(out: Path, key: str) -> Path:
    """Where a table written beside OUT goes: ``OUT.<key>`` with OUT's suffix (the lambda_z fit after the
    last dose: ``nca.csv`` -> ``nca.terminal_lambda_z.csv``; the summary statistics ``nca.summary.csv``)."""
    return out.with_name(f"{out.stem}.{key}{out.suffix}")


#: The key of the summary statistics in ``OUT.provenance.json`` and the middle of their file's name.
SUMMARY_KEY = "summary"
#: What ``OUT.summary.csv`` holds, for ``OUT.provenance.json``.
SUMMARY_TEXT = (
    "summary statistics of PPSTRESN per group (the arm, or all profiles without one), grouping column that "
    "splits a subject's profiles (the analyte; the period of repeated profiles of one treatment), dosing "
    "interval (dose_number, multiple dose) and PPTESTCD, as the workspace NCA report: n, n_missing, mean, "
    "sd and cv_percent (n - 1), geometric_mean, geometric_cv_percent = 100 sqrt(exp(s^2 of log x) - 1), "
    "median, min, max; no geometric statistics for sampling times, R2, span ratio and point counts, nor "
    "where a value is <= 0"
)


def _summary_record(long: pd.DataFrame, spec: NCASpec, out: Path) -> dict[str, object]:
    """The summary statistics of OUT's parameters written to ``OUT.summary.csv`` (the workspace's:
    :func:`~bioparity.analyses.nca.parameter_statistics`), and their record for ``OUT.provenance.json``
    (None when OUT is not a file, e.g. ``/dev/stdout``: nothing is written beside it)."""
    if not will_be_file(out):
        return {SUMMARY_KEY: None}
    path = check_output_path(_beside(out, SUMMARY_KEY), "--out")
    if spec.subject not in ("subject", "USUBJID") and "subject" not in long.columns:
        long = long.rename(columns={spec.subject: "subject"})  # the name the workspace's grouping reads
    summary = parameter_statistics(long)
    stats = summary.to_frame().drop(columns="software_version")  # the version is in the provenance
    write_frame_atomic(stats, path)
    grouping = [str(c) for c in stats.columns[: list(stats.columns).index("parameter")]]
    record = {"path": str(path), "rows": len(stats), "by": grouping, "statistics": SUMMARY_TEXT}
    return {SUMMARY_KEY: record | {"notes": list(summary.notes)}}


def _say_summary(record: Mapping[str, Any], out: Path) -> None:
    """Where the summary statistics were written, on the terminal, and how many rows have no geometric
    statistics for values <= 0 (nothing when they were not written)."""
    summary = record[SUMMARY_KEY]
    if summary is None:
        return
    n, notes = summary["rows"], len(summary["notes"])
    _say(
        _("wrote summary statistics per %(groups)s and parameter (%(rows)s) to %(path)s")
        % {
            "groups": ", ".join(summary["by"]),
            "rows": ngettext("%(n)d row", "%(n)d rows", n) % {"n": n},
            "path": summary["path"],
        }
        + (
            ngettext(
                "; %(n)d row without geometric statistics (a value <= 0; listed in %(where)s)",
                "; %(n)d rows without geometric statistics (values <= 0; listed in %(where)s)",
                notes,
            )
            % {"n": notes, "where": out.name + ".provenance.json"}
            if notes
            else ""
        )
    )


#: The options giving lambda_z points by hand (reviewer's choices, windows, exclusions): single dose only.
_CHOICES = ("review", "lambda_z_points", "lambda_z_exclude")


def _write_tables(
    long: pd.DataFrame,
    spec: NCASpec,
    outputs: Outputs,
    pc: pd.DataFrame | None = None,
    origin: pd.Series | None = None,
    samples: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """OUT, then the SDTM PP domain and the ADaM ADPP data set when asked (``pc``: the SDTM PC domain read,
    whose VISITNUM, VISIT and EPOCH the PP and ADPP records of each profile carry; ``origin``: each
    subject's first EXSTDTC of multiple-dose NCA, so that each interval's PP and ADPP records reference
    its own dose: :func:`~bioparity.io.sdtm.per_dose_intervals`; ``samples``: the samples of multiple-dose
    NCA on the dose clock, in the PC's row order, whose visits give each dosing interval's:
    :func:`~bioparity.io.sdtm.interval_timing`)."""
    write_frame_atomic(long, outputs.out)
    if (outputs.sdtm_pp, outputs.adpp) == (None, None):
        return long
    dating = pp_dating(long, spec, pc, origin, samples)
    if outputs.sdtm_pp is not None:
        pp = pp_domain(
            dating.long, subject=spec.subject, labels=LABELS, studyid=outputs.studyid, groups=spec.groups,
            timing=dating.timing,
        )  # fmt: skip
        write_sdtm_pp(pp, outputs.sdtm_pp)
        _say(
            _("wrote SDTM PP (%(records)s) to %(path)s")
            % {"records": _records(len(pp)), "path": outputs.sdtm_pp}
        )
        grpid = pp_group_columns(spec.groups)
        if grpid:
            example = repr(pp["PPGRPID"].iloc[0]) if len(pp) else "''"
            _say(_(PPGRPID_NOTE) % {"columns": ", ".join(grpid), "example": example})
    if outputs.adpp is not None:
        records = adpp_records(dating, spec, studyid=outputs.studyid)
        write_adam(records, outputs.adpp, "ADPP")
        _say(_("wrote ADPP to %(path)s") % {"path": outputs.adpp})
        _say_missing_treatments(records, "ADPP")
    return long


#: Said when ADPP or ADNCA has no TRTP or TRTA (:func:`bioparity.io.adam.with_treatments`; translated where
#: said).
NO_TREATMENT_NOTE = gettext_noop(
    "note: %(dataset)s has no %(variables)s: neither the ADSL (--adsl: TRTxxP gives TRTP, TRTxxA gives "
    "TRTA) nor the DM arm of a parallel design (--dm: ARM gives TRTP, ACTARM gives TRTA) gives it; none "
    "made up"
)


def _say_missing_treatments(records: pd.DataFrame, dataset: str) -> None:
    """:data:`NO_TREATMENT_NOTE` on the terminal when the ``dataset`` written (ADPP, ADNCA) lacks TRTP or
    TRTA; nothing otherwise."""
    if missing := missing_treatments(records):
        _say(_(NO_TREATMENT_NOTE) % {"dataset": dataset, "variables": "/".join(missing)})


#: Said when SDTM PP ties a profile's records together in PPGRPID (translated where said).
PPGRPID_NOTE = gettext_noop(
    "note: SDTM PP has no variable for %(columns)s; written in PPGRPID as %(example)s, so that each "
    "profile's records are told apart"
)


def _write_adnca(
    frame: pd.DataFrame, spec: NCASpec, outputs: Outputs, samples: NCASamples, doses: NCADoses | None
) -> None:
    """ADaM ADNCA concentration records of the samples as NCA read them (``frame``, ``spec``), with what was
    read (``samples``: the SDTM PC whose visits and nominal times each record carries; ``doses``: the dose
    records), as the workspace builds them (:func:`~bioparity.analyses.nca_adam.adnca_records`)."""
    assert outputs.adnca is not None
    records = adnca_records(frame, spec, samples, doses, studyid=outputs.studyid)
    write_adam(records, outputs.adnca, "ADNCA")
    _say(
        _("wrote ADNCA (%(records)s) to %(path)s")
        % {"records": _records(len(records)), "path": outputs.adnca}
    )
    _say_missing_treatments(records, "ADNCA")
    if "NFRLT" not in records.columns:
        _say(_(NO_NOMINAL_TIMES_NOTE))
    elif (later := int(records["NFRLT"].isna().sum() - records["NRRLT"].isna().sum())) > 0:
        _say(_(LATER_DOSE_NFRLT_NOTE) % {"records": _records(later)})


#: Said when ADNCA has no NFRLT/NRRLT (:func:`bioparity.io.adam.adnca_domain`; translated where said).
NO_NOMINAL_TIMES_NOTE = gettext_noop(
    "note: ADNCA has no NFRLT/NRRLT: the input gives no nominal sample times (SDTM PC PCELTM); none made up"
)
#: Said when NFRLT is left empty for samples whose reference dose is not the subject's first.
LATER_DOSE_NFRLT_NOTE = gettext_noop(
    "note: ADNCA NFRLT left empty where a sample's reference dose is not the subject's first (%(records)s): "
    "the PC gives no planned study day (VISITDY) of those samples, so no nominal time of their dose since "
    "the first"
)


def _missing_note(missing: pd.DataFrame | None, out: Path) -> str:
    """The samples left out for a missing concentration, for the closing line: how many, the first few by
    data row, file line, profile and time (a regulator asks which), and where the full list is."""
    if missing is None or missing.empty:
        return ""
    records = missing.head(SHOWN_LEFT_OUT).to_dict("records")
    where = out.name + ".provenance.json"
    return _("; %(note)s") % {"note": left_out_rows(records, len(missing), where, translate=True)}


def _profiles(n: int) -> str:
    return ngettext("%(n)d profile", "%(n)d profiles", n) % {"n": n}


def _records(n: int) -> str:
    return ngettext("%(n)d record", "%(n)d records", n) % {"n": n}


def _blq_note(n: int) -> str:
    return ngettext(
        "; %(n)d BLQ sample dropped by the BLQ rule", "; %(n)d BLQ samples dropped by the BLQ rule", n
    ) % {"n": n}


def _excluded_record(missing: pd.DataFrame | None) -> dict[str, object]:
    """The samples left out for a missing concentration, for ``OUT.provenance.json`` (none: an empty list)."""
    rows = [] if missing is None else missing.astype(object).where(missing.notna(), None).to_dict("records")
    return {"excluded_missing_concentration": rows}


def _sources(samples: NCASamples, spec: NCASpec, params: Mapping[str, Any]) -> dict[str, object]:
    """Where each unit and the dose of a run came from, for ``OUT.provenance.json``: a column of an
    input file (PCSTRESU, EXDOSU, EXDOSE, a dose column) or an option (``spec`` as the analysis used it),
    and the notes of the units bioparity does not know (``unit_notes``), also said on the terminal; the
    profile columns derived rather than read (``derived_columns``: a crossover's period,
    :func:`~bioparity.io.nca_input.with_derived_period`), when there are any."""
    units: dict[str, object] = {}
    named: dict[str, str] = {}
    for name, option in UNIT_OPTIONS.items():
        given, read = params.get(name), samples.units.get(name)
        source: str | None
        if read is not None:
            source = read + (f" (equal to {option})" if given else "")
        elif name == "conc_unit" and spec.conc_unit_column is not None:
            into = option if given else "the unit of the first row"
            source = f"{spec.conc_unit_column} per row, converted into {into}"
        else:
            source = option if given else None
        units[name] = {"unit": getattr(spec, name), "source": source}
        named[name] = source or option
    notes = spec.unit_notes(named)
    for note in notes:
        warn_note(note)
    record: dict[str, object] = {"units": units, "dose_source": _dose_source(samples), "unit_notes": notes}
    if samples.derived:  # a profile column not read from the input
        record["derived_columns"] = list(samples.derived)
    return record


def _dose_source(samples: NCASamples) -> str | None:
    """The dose of the run in words: EX per subject, a column of IN, ``--dose`` or none."""
    dose = samples.spec.dose
    if samples.dose_from:
        return samples.dose_from
    if isinstance(dose, str):
        return f"column {dose!r} of {samples.where.file}"
    return None if dose is None else "--dose"


def _units_note(samples: NCASamples) -> str:
    """The units read from the input files, for the terminal, and a note when the concentration has no
    unit: the outputs then carry none (empty when the units are as given)."""
    spec = samples.spec
    words = {"conc_unit": _("concentration"), "dose_unit": _("dose")}
    lines = [
        _("units from the files: %(units)s")
        % {
            "units": ", ".join(
                f"{words[name]} {getattr(spec, name)} ({source})" for name, source in samples.units.items()
            )
        }
    ] if samples.units else []  # fmt: skip
    if spec.conc_unit is None:
        lines.append(_("note: %(note)s") % {"note": _(NO_UNIT_NOTE)})
    return "\n".join(lines)


#: Said when no concentration unit is known (translated where said).
NO_UNIT_NOTE = gettext_noop(
    "no concentration unit (--conc-unit, or PCSTRESU of an SDTM PC input): OUT and its summary statistics "
    "carry no units (no PPORRESU/PPSTRESU columns); give --conc-unit (and --dose-unit) for units, with "
    "CL in L/h and Vz in L"
)


def _dose_note(samples: NCASamples, doses: NCADoses | None) -> str:
    """The dose of a single-dose run, for the terminal: EX per subject or the column used, and its unit
    (none: CL and Vz are per dose unit as given). Empty when the dose is a number or none."""
    spec = samples.spec
    if not isinstance(spec.dose, str):
        return ""
    if doses is not None and doses.per_profile:
        text = _(
            "single-dose NCA with each profile's own dose from %(file)s (EXDOSE of the dose record of its "
            "USUBJID and visit; one dose record per profile)"
        ) % {"file": doses.where.file}
    elif doses is not None and samples.dose_from:
        text = _(
            "single-dose NCA with each subject's own dose from %(file)s (EXDOSE; one dose record per subject)"
        ) % {"file": doses.where.file}
    else:
        text = _("dose from column '%(column)s' of %(file)s") % {
            "column": spec.dose,
            "file": samples.where.file,
        }
    if spec.dose_unit:
        return text + _(" in %(unit)s") % {"unit": spec.dose_unit}
    return text + _(" (no unit given: CL and Vz are per dose unit as given)")


def provenance_options(spec: NCASpec, command: str = "nca") -> dict[str, object]:
    """The settings of a run for ``OUT.provenance.json``: the command, the options, then the resolved input
    spec (``bioparity nca`` and ``nca-batch``)."""
    settings = dataclasses.asdict(spec)
    options = settings.pop("options")
    return {"command": command, **options, "input_spec": settings}


def _small_pages() -> None:
    """No transparent huge pages for this process (Linux ``prctl(PR_SET_THP_DISABLE)``).

    A run on a million profiles allocates and drops many buffers of 10-100 MB once each (NumPy arrays,
    Arrow buffers; both allocators ask for huge pages), and with huge pages every first touch zeroes
    2 MiB in the page fault: 3 s of system time per run out of 21 s on the 2-core development machine
    (``bench/nca_io.py``, CSV -> Parquet), with no gain in user time.
    """
    import sys

    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None).prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: keep the system's setting
        return


_PR_SET_THP_DISABLE = 41  # linux/prctl.h


def _table(path: Path | None) -> pd.DataFrame | None:
    return None if path is None else read_any_table(path).frame


def _say(message: str) -> None:
    if message:
        typer.echo(message, err=True)
