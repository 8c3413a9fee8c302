"""``bioparity potency IN --model 4pl|5pl|parallel-line|slope-ratio --out RESULTS.csv``: relative potency.

Contract (issue #19):

* IN is CSV or XLSX in long form, one row per response: ``assay,sample,dose,replicate,response``
  (+ optional ``block``/``row``/``column``); other names mapped with ``--assay/--sample/--dose/
  --replicate/--response/--block/--row/--column``. The sample ``standard`` is the reference standard;
  every other sample is a test preparation, analysed against the standard of its own assay.
* OUT has one row per assay and test sample: ``assay, sample, model, relative_potency, ci_lower,
  ci_upper`` (``--conf-level``, 95% by default), ``ci_method``, the fitted parameters (``param_*``),
  the Ph. Eur. 5.3 significance tests (``ph_eur_p_*``, ``similarity_ph_eur``), the USP <1032>
  equivalence measures with their CIs and margins (``equiv_*``, ``similarity_usp1032``), suitability
  and ``flags``. Default fit: unweighted least squares on the response scale, natural-log dose; the
  4PL/5PL parallel model shares the asymptotes and slope (and asymmetry), the test shifted on log dose;
  the parallel-line and slope-ratio CIs are Fieller's. ``--transform log`` analyses ln(response);
  parallel-line fits all test samples of an assay jointly (Ph. Eur. multiple assay) unless ``--pairwise``.
* ``--equivalence-margins FILE``: CSV ``measure,lower,upper`` (measures: slope_ratio,
  lower_asymptote_difference, upper_asymptote_difference, parallelism_ss, intercept_difference).
* ``--combine`` adds one row per test sample with ``assay = combined``: the Ph. Eur. 5.3 section 6
  combination over its assays (weighted when homogeneous, else semi-weighted; all three given).
* The CSV is written with the project's writer and an ``OUT.provenance.json`` sidecar. Bad input stops
  before any output, naming file, row and column (exit code 2).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from bioparity.cli.common import user_errors


def _read_margins(path: Path) -> dict[str, tuple[float, float]]:
    """``measure,lower,upper`` rows -> {measure: (lower, upper)}; errors name file, row and column."""
    from bioparity.errors import DataFileError
    from bioparity.io.readers import read_any_table

    table = read_any_table(path)
    frame = table.frame
    missing = [c for c in ("measure", "lower", "upper") if c not in frame.columns]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(missing)}", file=table.file, expected="columns measure,lower,upper"
        )
    out: dict[str, tuple[float, float]] = {}
    for i, rec in enumerate(frame.to_dict(orient="records")):
        line = None if table.line_offset is None else i + 1 + table.line_offset
        values = []
        for col in ("lower", "upper"):
            try:
                v = float(str(rec[col]).strip())
            except ValueError:
                v = float("nan")
            if not math.isfinite(v):
                raise DataFileError(
                    "not a number",
                    file=table.file,
                    row=i + 1,
                    line=line,
                    column=col,
                    value=rec[col],
                    expected="a finite margin",
                )
            values.append(v)
        name = str(rec["measure"]).strip()
        if name in out:
            raise DataFileError(
                "measure given twice", file=table.file, row=i + 1, line=line, column="measure", value=name
            )
        out[name] = (values[0], values[1])
    return out


def _combined_rows(table: Any, conf_level: float, method: str) -> list[dict[str, Any]]:
    """One combined row per test sample over its assays (Ph. Eur. 5.3 section 6)."""
    from bioparity.potency import combine_assays

    rows: list[dict[str, Any]] = []
    samples = list(dict.fromkeys(e.sample for e in table.estimates))
    for sample in samples:
        ests = [e for e in table.estimates if e.sample == sample]
        usable = [
            e
            for e in ests
            if e.converged and math.isfinite(e.ci_lower) and math.isfinite(e.ci_upper) and e.ci_lower > 0
        ]
        left_out = [e.assay for e in ests if e not in usable]
        flags = (
            [f"assays left out (no usable CI or not converged): {', '.join(left_out)}"] if left_out else []
        )
        base: dict[str, Any] = {"assay": "combined", "sample": sample, "model": ests[0].model}
        if len(usable) < 2:
            flags.append(f"{len(usable)} usable assay(s): combination needs at least 2")
            rows.append(
                base
                | {
                    "relative_potency": float("nan"),
                    "ci_lower": float("nan"),
                    "ci_upper": float("nan"),
                    "flags": "; ".join(flags),
                }
            )
            continue
        comb = combine_assays(
            [e.relative_potency for e in usable],
            [e.ci_lower for e in usable],
            [e.ci_upper for e in usable],
            [e.df for e in usable],
            conf_level=conf_level,
            method=method,
            sample=sample,
        )
        if not comb.homogeneous:
            flags.append(f"potency estimates heterogeneous (chi-square p = {comb.chi_square_p:.3g})")
        rec = comb.row()
        rec.pop("sample")
        rows.append(base | rec | {"flags": "; ".join(flags), "software_version": comb.software_version})
    return rows


def register(app: typer.Typer) -> None:
    """Add the ``potency`` command."""

    @app.command("potency")
    def potency_command(
        infile: Path = typer.Argument(
            ..., metavar="IN", help="Long CSV/XLSX: assay,sample,dose,replicate,response."
        ),
        model: str = typer.Option(..., help="4pl, 5pl, parallel-line or slope-ratio."),
        out: Path = typer.Option(..., help="Results CSV: one row per assay and test sample."),
        conf_level: float = typer.Option(0.95, help="Confidence level of the potency CI."),
        equivalence_margins: Path | None = typer.Option(
            None, help="CSV measure,lower,upper: USP <1032> equivalence margins."
        ),
        combine: bool = typer.Option(False, "--combine", help="Add the combination of assays per sample."),
        combine_method: str = typer.Option("auto", help="auto, weighted, semi-weighted or unweighted."),
        alpha: float = typer.Option(0.05, help="Level of the Ph. Eur. 5.3 significance tests."),
        transform: str = typer.Option("none", help="Response transformation before fitting: none or log."),
        pairwise: bool = typer.Option(
            False, "--pairwise", help="Parallel-line: fit each test with the standard alone (not jointly)."
        ),
        equivalence_level: float = typer.Option(0.90, help="Confidence level of the equivalence CIs."),
        min_r2: float | None = typer.Option(None, help="Suitability: minimum R2 of the unconstrained model."),
        max_ci_ratio: float | None = typer.Option(None, help="Suitability: maximum CI upper/lower ratio."),
        assay: str = typer.Option("assay", help="Assay (plate) column."),
        sample: str = typer.Option("sample", help="Sample column ('standard' = reference standard)."),
        dose: str = typer.Option("dose", help="Dose column (nominal, standard's units)."),
        replicate: str = typer.Option("replicate", help="Replicate column."),
        response: str = typer.Option("response", help="Response column."),
        block: str = typer.Option("block", help="Block column (optional; randomised block design)."),
        row: str = typer.Option("row", help="Row column (optional; Latin square with --column)."),
        column: str = typer.Option("column", help="Column column (optional; Latin square)."),
    ) -> None:
        """Relative potency bioassay: parallel-line, slope-ratio or 4PL/5PL parallel model."""
        with user_errors():
            import pandas as pd

            from bioparity.io import write_frame_atomic
            from bioparity.io.potency import read_potency_table
            from bioparity.io.provenance import write_provenance
            from bioparity.potency import AnalysisOptions, analyse
            from bioparity.potency.suitability import SuitabilityCriteria

            margins = _read_margins(equivalence_margins) if equivalence_margins is not None else {}
            options = AnalysisOptions(
                model=model.lower(),
                conf_level=conf_level,
                alpha=alpha,
                equivalence_level=equivalence_level,
                margins=margins,
                suitability=SuitabilityCriteria(min_r_squared=min_r2, max_ci_ratio=max_ci_ratio),
                transform=transform.lower(),
                joint=not pairwise,
            )
            names = {
                "assay": assay,
                "sample": sample,
                "dose": dose,
                "replicate": replicate,
                "response": response,
                "block": block,
                "row": row,
                "column": column,
            }
            frame = read_potency_table(infile, names)
            table = analyse(frame, options)
            result = table.to_frame()
            if combine:
                result = pd.concat(
                    [result, pd.DataFrame(_combined_rows(table, conf_level, combine_method))],
                    ignore_index=True,
                )
            write_frame_atomic(result, out)
            write_provenance(
                out,
                {"data": infile, "equivalence_margins": equivalence_margins},
                {
                    "model": options.model,
                    "conf_level": conf_level,
                    "alpha": alpha,
                    "equivalence_level": equivalence_level,
                    "transform": options.transform,
                    "joint": options.settings()["joint"],
                    "combine": combine,
                    "combine_method": combine_method,
                    "columns": names,
                    "min_r2": min_r2,
                    "max_ci_ratio": max_ci_ratio,
                },
            )
            for e in table.estimates:
                typer.echo(
                    f"assay {e.assay} sample {e.sample}: RP {e.relative_potency:.4g} "
                    f"[{e.ci_lower:.4g}, {e.ci_upper:.4g}] Ph.Eur. {e.similarity.significance_verdict}, "
                    f"USP<1032> {e.similarity.equivalence_verdict}"
                    + (f" FLAGS: {'; '.join(e.flags)}" if e.flags else "")
                )
            typer.echo(f"wrote {out}")
