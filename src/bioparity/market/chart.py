"""Timeline chart of a ranking: end of protection per molecule and region, coloured by void score.

The chart's words (title, axis, colour bar, footnote) are in the current language (``bioparity --lang``,
:mod:`bioparity.i18n`), Chinese set in the CJK font (:func:`bioparity.i18n.printing.figure_fonts`); the
molecules (INNs) and region codes are data, drawn as they are."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from bioparity.i18n import gettext as _
from bioparity.i18n import ngettext
from bioparity.i18n.printing import figure_fonts
from bioparity.market.scan import VoidRanking

_MARKERS = {"us": "o", "eu": "s"}


def timeline_chart(ranking: VoidRanking, path: str | os.PathLike[str], *, top: int = 30) -> Path:
    """Write a PNG: the ``top`` molecules by best void score (y) against their protection end year (x).

    Molecules without a known protection end in a region are left off the chart and counted in its
    footnote. The file is written atomically (temporary file, then rename).

    Parameters
    ----------
    ranking : VoidRanking
        The result of :func:`scan_market`; one marker per molecule and region (circle US, square
        EU), coloured by void score on a 0-1 scale, with a dashed line at the as-of year.
    path : str or os.PathLike
        PNG file to write; missing parent folders are created, an existing file is replaced.
    top : int, default 30
        Number of molecules drawn, those with the best void score in any region first.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = ranking.table
    best = table.groupby("inn", sort=False)["void_score"].max().sort_values(ascending=False, kind="stable")
    chosen = list(best.index[:top])
    shown = table[table["inn"].isin(chosen) & table["protection_end_year"].notna()]
    missing = int(table[table["inn"].isin(chosen)]["protection_end_year"].isna().sum())
    position = {inn: len(chosen) - i for i, inn in enumerate(chosen)}

    with figure_fonts():  # the current language's fonts for the words drawn (and when saved)
        fig, ax = plt.subplots(figsize=(9, max(3.0, 0.28 * len(chosen) + 1.5)), dpi=110)
        scatter = None
        for region in ranking.regions:
            part = shown[shown["region"] == region]
            offset = 0.15 if region == "us" else -0.15
            scatter = ax.scatter(
                part["protection_end_year"].astype(float),
                np.array([position[i] for i in part["inn"]], dtype=float) + offset,
                c=part["void_score"].astype(float),
                cmap="viridis",
                vmin=0.0,
                vmax=1.0,
                marker=_MARKERS.get(region, "o"),
                edgecolors="black",
                linewidths=0.4,
                label=region.upper(),
            )
        ax.axvline(ranking.as_of_year, color="grey", linestyle="--", linewidth=1)
        ax.set_yticks([position[i] for i in chosen], chosen, fontsize=8)
        ax.set_xlabel(_("end of protection (year)"))
        ax.set_title(
            _("Biosimilar void: top %(n)d molecules (as of %(year)d)")
            % {"n": len(chosen), "year": ranking.as_of_year}
        )
        if scatter is not None:
            fig.colorbar(scatter, ax=ax, label=_("void score"))
        ax.legend(loc="best", fontsize=8, framealpha=0.7)
        note = (
            ngettext(
                "%(n)d molecule-region without a known protection end is not drawn",
                "%(n)d molecule-regions without a known protection end are not drawn",
                missing,
            )
            % {"n": missing}
            if missing
            else ""
        )
        fig.text(0.01, 0.01, note, fontsize=7, color="grey")
        fig.tight_layout()
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp.png")
        try:
            fig.savefig(tmp, format="png", metadata={"Software": None})
            os.replace(tmp, target)
        finally:
            plt.close(fig)
            tmp.unlink(missing_ok=True)
        return target
