"""CMC statistics commands (issue #23): ``stability``, ``comparability``, ``profile``.

* ``bioparity stability IN --spec SPEC.yaml --out RESULTS.csv``: IN is CSV/XLSX, long, one row per
  result: ``attribute, lot, time, value`` (+ ``product``, ``condition``; see :mod:`bioparity.io.cmc`).
  OUT has one row per attribute, condition and product: the ICH Q1E poolability tests (F, df, p at
  ``alpha_pool`` 0.25), the model chosen (cics/dics/dids), the shelf life from the 95%
  confidence bound (one-sided with one criterion, two-sided limits with both: ICH Q1E Appendix B.1) and
  the worst lot. ``--lots FILE`` writes the per-lot regressions, ``--slopes FILE``
  the slope-difference equivalence (test vs reference product, margin ``slope_margin`` of the spec).
* ``bioparity comparability IN --out RESULTS.csv [--pre pre-change --post post-change]``: ICH Q5E
  process-change comparability with the CAA engine (:func:`bioparity.caa.assess`, unchanged): the
  ``source`` column holds the pre-change and post-change labels (or two sites or scales, named with
  ``--pre``/``--post``); post-change lots are judged against the pre-change lots (quality range,
  equivalence of means, tolerance intervals per the catalogue/plan). ``--stability FILE --spec SPEC``
  adds the stability comparison of the same two (``product`` column) to ``--stability-out``.
* ``bioparity profile IN --out RESULTS.csv``: IN long ``source, lot, species, value`` (percent). OUT has
  one row per lot: the Aitchison distance to the reference centre (reference lots leave-one-out) and
  whether it is within the reference-to-reference threshold; ``--species-out`` the per-species ranges.

Every output is written with the project's CSV writer and an ``OUT.provenance.json`` sidecar. Bad input
stops before any output, naming file, row and column (exit code 2).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bioparity.cli.common import check_outputs, echo_notes, user_errors, warn_note, write_result, wrote_rows
from bioparity.cli.options import PlotFormat, Seed, input_argument
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop, ngettext
from bioparity.i18n.printing import time_unit_words

if TYPE_CHECKING:
    import pandas as pd

    from bioparity.io.readers import LoadedTable
    from bioparity.profiles.core import ProfileResult
    from bioparity.stability import StabilityTable

app = typer.Typer()


@app.command(
    "stability",
    help=gettext_noop("Stability per ICH Q1E: poolability, shelf life, equivalence of degradation rates."),
)
def stability_command(
    infile: Annotated[
        Path, input_argument(gettext_noop("Long CSV/XLSX: attribute,lot,time,value[,product,condition]."))
    ],
    spec: Annotated[
        Path,
        typer.Option(
            help=gettext_noop(
                "Specification YAML: attributes (lower/upper, model, slope_margin), time_unit (months)."
            )
        ),
    ],
    out: Annotated[
        Path, typer.Option(help=gettext_noop("Results CSV: one row per attribute, condition and product."))
    ],
    lots: Annotated[
        Path | None, typer.Option(help=gettext_noop("Also write the per-lot regressions here."))
    ] = None,
    slopes: Annotated[
        Path | None, typer.Option(help=gettext_noop("Also write the slope-difference equivalence here."))
    ] = None,
    plots: Annotated[
        Path | None,
        typer.Option(help=gettext_noop("Folder for one figure per attribute, condition and product.")),
    ] = None,
    plot_format: PlotFormat = "png",
    long_term: Annotated[
        str | None,
        typer.Option(
            help=gettext_noop(
                "Long-term storage condition (a condition value): the shelf-life claim rests on it, the "
                "other conditions are supportive."
            )
        ),
    ] = None,
) -> None:
    with user_errors():
        from bioparity.io import write_frame_atomic
        from bioparity.io.cmc import read_stability, read_stability_spec

        check_outputs(("--out", out), ("--lots", lots), ("--slopes", slopes))
        table, names, unit = _stability(
            infile, spec, read_stability, read_stability_spec, long_term=long_term
        )
        write_result(
            table.table,
            out,
            {"data": infile, "spec": spec},
            {"command": "stability"} | table.settings,
        )
        if lots is not None:
            write_frame_atomic(table.lots, lots)
        if slopes is not None:
            write_frame_atomic(table.slopes, slopes)
        if plots is not None:
            _stability_plots(table, read_stability(infile), plots, plot_format, names, unit)
        _echo_stability(table, out, names, unit)


PreLabel = Annotated[
    str, typer.Option(help=gettext_noop("Source label of the pre-change lots (or the old site/scale)."))
]
PostLabel = Annotated[
    str, typer.Option(help=gettext_noop("Source label of the post-change lots (or the new site/scale)."))
]
CaaCatalogue = Annotated[
    Path | None, typer.Option(help=gettext_noop("CAA attribute catalogue (YAML or CSV)."))
]
CaaPlan = Annotated[
    str | None, typer.Option(help=gettext_noop("CAA plan: qr-2025 (default) or tiered-2017."))
]
OcSimulations = Annotated[
    int, typer.Option(help=gettext_noop("Simulated assessments for the operating characteristics."))
]
StabilityIn = Annotated[
    Path | None, typer.Option(help=gettext_noop("Stability CSV/XLSX (product = the pre/post labels)."))
]
StabilitySpec = Annotated[
    Path | None, typer.Option(help=gettext_noop("Stability specification YAML (with --stability)."))
]
StabilityOut = Annotated[
    Path | None, typer.Option(help=gettext_noop("Stability results CSV (with --stability)."))
]


@app.command(
    "comparability",
    help=gettext_noop(
        "Process-change comparability (ICH Q5E): CAA of post- vs pre-change lots, with stability."
    ),
)
def comparability_command(
    infile: Annotated[
        Path, input_argument(gettext_noop("Long CSV: attribute,source,lot,value[,unit,tier,...]."))
    ],
    out: Annotated[
        Path,
        typer.Option(help=gettext_noop("Results CSV: one row per attribute (post-change vs pre-change).")),
    ],
    pre: PreLabel = "pre-change",
    post: PostLabel = "post-change",
    catalogue: CaaCatalogue = None,
    plan: CaaPlan = None,
    oc_simulations: OcSimulations = 0,
    seed: Seed = 20250909,
    stability: StabilityIn = None,
    spec: StabilitySpec = None,
    stability_out: StabilityOut = None,
) -> None:
    with user_errors():
        from bioparity.analyses.caa import display_names
        from bioparity.analyses.comparability import with_label_column
        from bioparity.caa import assess, read_catalogue
        from bioparity.caa.comparability import PRE_SOURCE, check_labels, comparability_table
        from bioparity.errors import InputError

        check_outputs(("--out", out))
        if (stability is None) != (spec is None) or (stability is None) != (stability_out is None):
            raise InputError(_("--stability, --spec and --stability-out go together"))
        check_outputs(("--stability-out", stability_out))
        check_labels(pre, post)
        frame, labels = _relabelled(infile, pre, post)
        attributes = read_catalogue(catalogue) if catalogue is not None else None
        result = assess(
            frame, attributes, [("test", PRE_SOURCE)], file=str(infile), plan=plan,
            operating_characteristics=oc_simulations > 0, oc_simulations=max(oc_simulations, 100), seed=seed,
        )  # fmt: skip
        table = with_label_column(comparability_table(result.table, pre, post), labels)
        options = {
            "command": "comparability", "pre": pre, "post": post, "plan": result.plan, "seed": seed,
            "oc_simulations": oc_simulations,
        }  # fmt: skip
        inputs = {"data": infile, "catalogue": catalogue, "stability": stability, "spec": spec}
        write_result(table, out, inputs, options)
        _echo_comparability(table, pre, post, out, display_names(attributes, labels=labels))
        if stability is not None and spec is not None and stability_out is not None:
            _stability_comparison(stability, spec, stability_out, pre, post, labels)


def _relabelled(infile: Path, pre: str, post: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """The long table, its ``source`` labels mapped to the CAA engine's: post -> test, pre -> reference;
    and the file's labels of its attributes (:func:`_file_labels`)."""
    from bioparity.analyses.comparability import refuse_stability_rows
    from bioparity.caa.comparability import relabel_sources
    from bioparity.io.readers import read_any_table

    loaded = read_any_table(infile)
    frame = loaded.frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    refuse_stability_rows(frame, loaded)  # a timed row is no release value of its lot
    frame = relabel_sources(frame, pre, post, file=loaded.file, line_offset=loaded.line_offset)
    return frame, _file_labels(frame, loaded)


def _file_labels(frame: pd.DataFrame, loaded: LoadedTable) -> dict[str, str]:
    """Attribute -> the file's optional ``label``, read and checked as the workspace's ``comparability``
    kind reads it (:func:`bioparity.analyses.comparability.with_file_labels`: one label per attribute, a
    second one refused naming file, row, line and column)."""
    from bioparity.analyses.comparability import with_file_labels
    from bioparity.analyses.frames import file_labels

    if "attribute" not in frame.columns:
        return {}  # the CAA engine names the missing column
    return file_labels(with_file_labels(frame, frame, loaded.file, loaded.line_offset))


def _echo_comparability(table: pd.DataFrame, pre: str, post: str, out: Path, names: dict[str, str]) -> None:
    """How many rows were written, the count per status and the failing attributes by the names a reader
    sees (``names``: the file's label, else the catalogue's, else the code)."""
    import pandas as pd

    typer.echo(
        ngettext(
            "wrote %(n)d row (%(post)s vs %(pre)s) to %(path)s",
            "wrote %(n)d rows (%(post)s vs %(pre)s) to %(path)s",
            len(table),
        )
        % {"n": len(table), "post": post, "pre": pre, "path": out},
        err=True,
    )
    counts = table["status"].value_counts() if "status" in table.columns else pd.Series(dtype=int)
    typer.echo(", ".join(f"{k}: {int(v)}" for k, v in counts.items()), err=True)
    failing = list(dict.fromkeys(table.loc[table["status"] == "fail", "attribute"].astype(str)))
    shown = ", ".join(names.get(a, a) for a in failing) if failing else _("none")
    typer.echo(_("failing attributes: %(names)s") % {"names": shown}, err=True)


def _stability_comparison(
    stability: Path, spec: Path, out: Path, pre: str, post: str, labels: dict[str, str]
) -> None:
    """Shelf life and slope difference of the post- vs the pre-change product, into ``out``; an attribute
    named by the comparability file's label (``labels``), else as the specification names it."""
    import pandas as pd

    from bioparity.io.cmc import read_stability, read_stability_spec

    st, names, unit = _stability(
        stability, spec, read_stability, read_stability_spec, test=post, reference=pre
    )
    merged = st.table.assign(kind="shelf life")
    if not st.slopes.empty:
        merged = pd.concat([merged, st.slopes.assign(kind="slope difference")], ignore_index=True)
    settings = {"command": "comparability"} | st.settings
    write_result(merged, out, {"data": stability, "spec": spec}, settings)
    _echo_stability(st, out, names | labels, unit)


Total = Annotated[
    float,
    typer.Option(
        help=gettext_noop("What the parts of a lot should sum to, in their unit (100 for percentages).")
    ),
]
ClosureTolerance = Annotated[
    float,
    typer.Option(
        help=gettext_noop("Flag a lot whose sum differs from --total by more (in the unit of --total).")
    ),
]
ZeroReplacement = Annotated[
    float | None,
    typer.Option(
        help=gettext_noop(
            "Replace zeros by this value, in the unit of value (multiplicative replacement); without it "
            "a zero is an error."
        )
    ),
]
SpeciesOut = Annotated[
    Path | None, typer.Option(help=gettext_noop("Also write the per-species ranges here."))
]


@app.command(
    "profile",
    help=gettext_noop("Profile similarity of compositional data (glycans, charge or size variants)."),
)
def profile_command(
    infile: Annotated[
        Path, input_argument(gettext_noop("Long CSV/XLSX: source,lot,species,value (percent)."))
    ],
    out: Annotated[
        Path, typer.Option(help=gettext_noop("Results CSV: one row per lot (Aitchison distance, within)."))
    ],
    test: Annotated[str, typer.Option(help=gettext_noop("Source label of the test lots."))] = "test",
    reference: Annotated[
        str, typer.Option(help=gettext_noop("Source label of the reference lots."))
    ] = "reference",
    k: Annotated[
        float, typer.Option(help=gettext_noop("Per-species quality range: reference mean +/- k SD."))
    ] = 3.0,
    threshold: Annotated[
        str, typer.Option(help=gettext_noop("max, or a quantile like q0.95, of the reference LOO distances."))
    ] = "max",
    total: Total = 100.0,
    closure_tolerance: ClosureTolerance = 2.0,
    zero_replacement: ZeroReplacement = None,
    species_out: SpeciesOut = None,
    plot: Annotated[
        Path | None, typer.Option(help=gettext_noop("Write the profile figure here (.png or .svg)."))
    ] = None,
) -> None:
    with user_errors():
        from bioparity.io import write_frame_atomic
        from bioparity.io.cmc import read_profile
        from bioparity.profiles import profile_similarity

        check_outputs(("--out", out), ("--species-out", species_out))
        data = read_profile(infile)
        settings: dict[str, Any] = {
            "test": test, "reference": reference, "k": k, "threshold": threshold, "total": total,
            "closure_tolerance": closure_tolerance, "zero_replacement": zero_replacement,
        }  # fmt: skip
        res = profile_similarity(data.parts, data.lots, data.sources, data.species, **settings)
        write_result(res.to_frame(), out, {"data": infile}, {"command": "profile"} | settings)
        if species_out is not None:
            write_frame_atomic(res.species_table, species_out)
        if plot is not None:
            from bioparity.profiles.plots import plot_profile

            plot_profile(res, data.parts, data.lots, data.sources, plot)
        _echo_profile(res, test, out)


def _echo_profile(res: ProfileResult, test: str, out: Path) -> None:
    typer.echo(
        _(
            "%(within)d of %(n)d %(test)s lots within the reference-to-reference Aitchison distance "
            "(%(rule)s = %(threshold)s); species all within %(k)s SD ranges: %(all)s"
        )
        % {
            "within": res.n_test_within,
            "n": res.n_test,
            "test": test,
            "rule": res.threshold_rule,
            "threshold": f"{res.threshold:.4g}",
            "k": f"{res.k:g}",
            "all": _("yes") if res.all_species_within else _("no"),
        },
        err=True,
    )
    echo_notes(res.flags)
    typer.echo(wrote_rows(len(res.lot_table), out), err=True)


def _stability(
    infile: Path,
    spec: Path,
    read_data: Callable[[Path], Any],
    read_spec: Callable[[Path], Any],
    test: str | None = None,
    reference: str | None = None,
    long_term: str | None = None,
) -> tuple[StabilityTable, dict[str, str], str]:
    """Read the data and the specification and run :func:`bioparity.stability.stability_table`; with each
    attribute's name as printed (the specification's ``label``, else the name as written) and the
    specification's time unit (``time_unit``, months by default); ``long_term`` names the long-term
    condition (:func:`bioparity.stability.stability_table`)."""
    from bioparity.io.cmc import check_specified
    from bioparity.stability import stability_table

    parsed = read_spec(spec)
    data = read_data(infile)
    check_specified(data, parsed, str(infile), str(spec))
    attributes = {
        name: {"lower": a.lower, "upper": a.upper, "model": a.model, "slope_margin": a.slope_margin}
        for name, a in parsed.attributes.items()
    }
    names = {name: a.shown for name, a in parsed.attributes.items()}
    return (
        stability_table(
            data,
            attributes,
            confidence=parsed.confidence,
            alpha_pool=parsed.alpha_pool,
            max_time=parsed.max_time,
            dids_variance=parsed.dids_variance,
            test=test or parsed.test,
            reference=reference or parsed.reference,
            slope_alpha=parsed.slope_alpha,
            time_unit=parsed.time_unit,
            long_term=long_term,
        ),
        names,
        parsed.time_unit,
    )


def _stability_plots(
    table: StabilityTable, data: Any, folder: Path, fmt: str, names: dict[str, str], unit: str
) -> None:
    """One figure per attribute, condition and product into ``folder`` (the attribute named by ``names``,
    the time axis in the specification's time ``unit``), its words in the command's language."""
    from bioparity.analyses.stability import shelf_life_lines
    from bioparity.errors import InputError
    from bioparity.stability.plots import PLOT_FORMATS, figure_name, plot_stability

    if fmt not in PLOT_FORMATS:
        raise InputError(_("--plot-format must be one of %(formats)s") % {"formats": ", ".join(PLOT_FORMATS)})
    for attr, cond, prod, fit in table.fits:
        sub = data[(data["attribute"] == attr) & (data["condition"] == cond) & (data["product"] == prod)]
        lines = [
            (r.label, r.value, r.dashed) for r in shelf_life_lines(fit.shelf_life, fit.supported_shelf_life)
        ]
        plot_stability(
            fit, sub["time"], sub["value"], sub["lot"], folder / figure_name(attr, cond, prod, fmt),
            name=names.get(attr, attr), time_unit=unit, shelf_lines=lines,
        )  # fmt: skip


def _echo_stability(table: StabilityTable, out: Path, names: dict[str, str], unit: str) -> None:
    """Each analysis and slope comparison on a line, the attribute named by ``names``, the shelf life in the
    specification's time ``unit``."""
    from bioparity.analyses.stability import worst_lot_words
    from bioparity.stability.table import CLAIM, LONG_TERM, ROLE, SUPPORTIVE

    for row in table.table.to_dict(orient="records"):
        cond = f" [{row['condition']}]" if row["condition"] else ""
        line = _(
            "%(where)s: %(pooling)s (p slopes %(p_slope)s, p intercepts %(p_intercept)s); shelf life "
            "%(life)s (worst lot %(lot)s)"
        ) % {
            "where": f"{names.get(row['attribute'], row['attribute'])}{cond} {row['product']}",
            "pooling": row["pooling"],
            "p_slope": f"{row['p_slope']:.3g}",
            "p_intercept": f"{row['p_intercept']:.3g}",
            "life": f"{row['shelf_life']:.4g} {time_unit_words(unit)}",
            "lot": worst_lot_words(row["worst_lot"]),
        }
        if row["supported_shelf_life"] < row["shelf_life"]:  # extrapolated: flagged, not capped
            supported = f"{row['supported_shelf_life']:.4g} {time_unit_words(unit)}"
            line += _("; the data support %(supported)s (ICH Q5C: real-time data)") % {"supported": supported}
        if row.get(ROLE) == LONG_TERM:
            claim = f"{row[CLAIM]:.4g} {time_unit_words(unit)}"
            line += _("; shelf-life claim %(claim)s (long-term condition)") % {"claim": claim}
        elif row.get(ROLE) == SUPPORTIVE:
            line += _("; supportive condition")
        typer.echo(line, err=True)
        if isinstance(row.get("flags"), str) and row["flags"]:
            warn_note(row["flags"])  # extrapolation, one lot, repeated results: never only in the CSV
    for row in table.slopes.to_dict(orient="records"):
        verdict = {True: _("equivalent"), False: _("not shown equivalent"), None: _("no margin given")}[
            row["equivalent"]
        ]
        typer.echo(
            _(
                "%(attribute)s slope difference %(difference)s per %(unit)s [%(lower)s, %(upper)s]: "
                "%(verdict)s"
            )
            % {
                "attribute": names.get(row["attribute"], row["attribute"]),
                "difference": f"{row['difference']:.4g}",
                "unit": time_unit_words(unit.removesuffix("s")),
                "lower": f"{row['ci_lower']:.4g}",
                "upper": f"{row['ci_upper']:.4g}",
                "verdict": verdict,
            },
            err=True,
        )
    typer.echo(wrote_rows(len(table.table), out), err=True)
