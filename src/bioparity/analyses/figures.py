"""What each plot shows, as plain data: built once, drawn by Plotly in the browser
(:mod:`bioparity.web.plots`) and by matplotlib in reports (:mod:`bioparity.report.static`), so that both
always show the same numbers. An analysis kind returns its plots as :class:`Figure` (the data plus where
and how it is shown); the renderers know the plot types, never the kinds.

* concentration-time profiles: arithmetic mean concentration per arm and nominal time, and each
  profile (from :data:`BANDS_FROM` profiles on, the median and a percentile band per nominal time);
* forest plot: GMR and its CI per metric and pair of arms, against the acceptance limits;
* power curves: TOST power against total sample size, one curve per scenario;
* CAA attribute plot: lot values by source with each comparison's acceptance range (also the files
  of ``bioparity caa --plots``);
* x/y plot (:class:`XYPlot`): measured points and fitted curves per series, with horizontal reference
  lines (specification limits, cut points) and vertical markers (e.g. a shelf life);
* bar chart (:class:`BarPlot`): a value per category (e.g. per lot), one colour per series (e.g. per
  source), with shaded ranges and horizontal reference lines.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity.analyses.terms import comparison_words, setting_text, term
from bioparity.columns import Columns
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.io.nca_input import TREATMENT
from bioparity.natural_order import natural_ranks
from bioparity.nca.blq import BLQRule, clean_blq
from bioparity.nca.profiles import pad_profiles
from bioparity.nca.samples import Where, flagged_blq, parse_numbers
from bioparity.nca.summary import split_columns

ARM_COLUMNS = ("arm", "treatment", "TRT", "group")
#: File formats of the static plots written by the CLI (:func:`bioparity.report.static.write_caa_plots`).
PLOT_FORMATS = ("png", "svg")


@dataclass(frozen=True)
class Line:
    """One named curve (or set of points)."""

    name: str
    x: list[float]
    y: list[float]


@dataclass(frozen=True)
class PercentileBand:
    """The concentrations of one line of a :class:`ProfilePlot` (an arm, an arm / analyte) at each
    nominal time: their median, a lower and an upper percentile (:data:`BAND_PERCENTILES`) and how many
    there are.

    Attributes
    ----------
    name : str
        The line (as :attr:`Line.name` of the mean profile).
    x : list of float
        Nominal times, ascending.
    median, lower, upper : list of float
        Median and percentiles of the concentrations at each time (R ``quantile`` type 7).
    n : list of int
        Concentrations at each time (samples that are not numbers left out).
    """

    name: str
    x: list[float]
    median: list[float]
    lower: list[float]
    upper: list[float]
    n: list[int]


@dataclass(frozen=True)
class ProfilePlot:
    """Mean profiles per arm by nominal time; ``individual`` holds one line per subject (name = arm).

    A line (a panel of the individual profiles: an arm, an arm / analyte) of :data:`BANDS_FROM` profiles
    or more has no ``individual`` lines but a band in ``bands``: the median and the
    :data:`BAND_PERCENTILES` percentiles of its concentrations at each nominal time (thousands of lines
    drawn over each other show neither the centre nor the spread); a smaller line keeps its profiles
    drawn one by one in ``individual``, whatever the size of the others (``n_profiles`` profiles in all).
    ``blq_rule`` describes how BLQ samples were handled (:func:`apply_blq_rule`); empty: samples that
    are not numbers (BLQ markers) left out, concentrations of 0 kept."""

    lines: tuple[Line, ...]
    n_subjects: Mapping[str, int]
    time_label: str = "time after dose (h)"
    conc_label: str = "concentration"
    individual: tuple[Line, ...] = ()
    time_rule: str = ""
    bands: tuple[PercentileBand, ...] = ()
    n_profiles: int = 0
    time_unit: str = ""  # of the nominal times (the bands' caption)
    blq_rule: str = ""


@dataclass(frozen=True)
class ForestItem:
    """One row of a forest plot: the GMR (%) of a metric for one test/reference pair of arms, its CI, and
    whether the CI lies within the acceptance limits."""

    label: str
    metric: str
    gmr: float
    lower: float
    upper: float
    passed: bool


@dataclass(frozen=True)
class ForestPlot:
    """GMRs with their CIs against the acceptance limits (``lower_limit``/``upper_limit``, percent);
    ``ci_level`` is the confidence level of the intervals in percent (90 for a one-sided level of 0.05)."""

    items: tuple[ForestItem, ...]
    lower_limit: float
    upper_limit: float
    ci_level: float


@dataclass(frozen=True)
class PowerPlot:
    """One curve per scenario: TOST power against the total sample size, or the sample size against the
    CV; ``target`` draws a horizontal line at the target (none when ``None``). The axis labels stay
    English (marked with ``gettext_noop``; the renderers translate them); the curve names and
    ``legend_title`` (the scenario shared by every curve) are in the reader's words."""

    lines: tuple[Line, ...]
    x_label: str
    y_label: str
    target: float | None = None
    legend_title: str = ""


@dataclass(frozen=True)
class Band:
    """A shaded acceptance range of a CAA plot, ``lower`` to ``upper`` in the attribute's unit, labelled
    with the reference source, method and verdict of its comparison."""

    label: str
    lower: float
    upper: float


@dataclass(frozen=True)
class CAAPlot:
    """The lot values of one CAA attribute by source (``values``: source -> lot means; ``sources`` in
    drawing order, the judged source first) with the acceptance range of each comparison (``bands``);
    ``title`` holds the verdict of each comparison, ``name`` the attribute's readable name."""

    attribute: str
    unit: str
    sources: tuple[str, ...]
    values: Mapping[str, list[float]]
    bands: tuple[Band, ...] = field(default_factory=tuple)
    title: str = ""
    name: str = ""


@dataclass(frozen=True)
class RefLine:
    """A labelled horizontal (y value) or vertical (x value) reference line; ``dashed`` draws a vertical
    one dashed instead of dotted (e.g. an extrapolated shelf life beside the supported one)."""

    label: str
    value: float
    dashed: bool = False


@dataclass(frozen=True)
class XYPlot:
    """Points and fitted curves on x/y axes, with reference lines.

    ``points`` are measured values (markers, one :class:`Line` per series), ``lines`` fitted curves or
    regression lines (drawn as lines); a point series and a line of the same name share a colour.
    ``bounds`` are curves drawn dashed in the colour of the series of the same name (e.g. the confidence
    bound of a fitted line), with one legend entry ``bounds_label`` for all of them.
    ``hlines`` are horizontal reference lines (a specification limit, a cut point), ``vlines`` vertical
    ones (a shelf life). ``log_x``/``log_y`` draw that axis on a log scale (the data stay on the original
    scale).

    Attributes
    ----------
    title : str
        Title drawn above the axes.
    x_label, y_label : str
        Axis quantities, without unit.
    x_unit, y_unit : str, default ""
        Units, shown in parentheses after the label when given.
    points : tuple of Line, default ()
        Point series (markers only).
    lines : tuple of Line, default ()
        Curves (lines only), e.g. fitted models.
    bounds : tuple of Line, default ()
        Dashed curves, e.g. confidence bounds of the fitted lines.
    bounds_label : str, default ""
        Legend entry of the dashed curves (none when empty).
    hlines, vlines : tuple of RefLine, default ()
        Horizontal and vertical reference lines.
    log_x, log_y : bool, default False
        Logarithmic axes.
    """

    title: str
    x_label: str
    y_label: str
    x_unit: str = ""
    y_unit: str = ""
    points: tuple[Line, ...] = ()
    lines: tuple[Line, ...] = ()
    hlines: tuple[RefLine, ...] = ()
    vlines: tuple[RefLine, ...] = ()
    log_x: bool = False
    log_y: bool = False
    bounds: tuple[Line, ...] = ()
    bounds_label: str = ""

    @property
    def x_title(self) -> str:
        """The x axis title: label and unit."""
        return f"{self.x_label} ({self.x_unit})" if self.x_unit else self.x_label

    @property
    def y_title(self) -> str:
        """The y axis title: label and unit."""
        return f"{self.y_label} ({self.y_unit})" if self.y_unit else self.y_label

    def series_names(self) -> list[str]:
        """Names of the point series, lines and bounds in order of appearance (one colour each)."""
        return list(dict.fromkeys(s.name for s in (*self.points, *self.lines, *self.bounds)))

    def to_dict(self) -> dict[str, Any]:
        """The plot as plain data (JSON-ready)."""
        return asdict(self)


@dataclass(frozen=True)
class Bars:
    """One series of bars of a :class:`BarPlot` (one colour, one legend entry): a value per category.

    Attributes
    ----------
    name : str
        Legend entry (e.g. a source).
    categories : list of str
        Where the bars stand on the x axis (e.g. lots).
    values : list of float
        Height of each bar.
    marked : list of bool, default []
        Per bar, whether it is marked (hatched and outlined, e.g. a lot outside the reference range);
        empty for none.
    """

    name: str
    categories: list[str]
    values: list[float]
    marked: list[bool] = field(default_factory=list)


@dataclass(frozen=True)
class BarPlot:
    """A bar chart: bars by category, one colour per series, with shaded horizontal ranges and lines.

    The categories are those of the series in order of appearance; a category in several series has
    their bars side by side. ``bands`` are horizontal ranges shaded across the plot (e.g. a reference
    range, with its label in the legend), ``hlines`` horizontal reference lines labelled at the right
    edge (e.g. a threshold).

    Attributes
    ----------
    title : str
        Title drawn above the bars.
    x_label : str
        What the categories are (e.g. ``lot``).
    y_label : str
        What the bars measure, without unit.
    y_unit : str, default ""
        Unit of the values, shown in parentheses after the y label when given.
    series : tuple of Bars, default ()
        The series of bars.
    bands : tuple of Band, default ()
        Shaded horizontal ranges.
    hlines : tuple of RefLine, default ()
        Horizontal reference lines.
    marked_label : str, default ""
        Legend entry of the marked bars (e.g. ``outside the reference range``).
    """

    title: str
    x_label: str
    y_label: str
    y_unit: str = ""
    series: tuple[Bars, ...] = ()
    bands: tuple[Band, ...] = ()
    hlines: tuple[RefLine, ...] = ()
    marked_label: str = ""

    def any_marked(self) -> bool:
        """Whether a bar is marked."""
        return any(any(s.marked) for s in self.series)

    @property
    def y_title(self) -> str:
        """The y axis title: label and unit."""
        return f"{self.y_label} ({self.y_unit})" if self.y_unit else self.y_label

    def categories(self) -> list[str]:
        """The categories of every series, in order of appearance."""
        return list(dict.fromkeys(c for s in self.series for c in s.categories))

    def shared(self) -> bool:
        """Whether a category has bars of more than one series (they then stand side by side)."""
        return sum(len(set(s.categories)) for s in self.series) > len(self.categories())

    def to_dict(self) -> dict[str, Any]:
        """The plot as plain data (JSON-ready)."""
        return asdict(self)


#: The plot types the renderers draw.
PlotData = ProfilePlot | ForestPlot | PowerPlot | CAAPlot | XYPlot | BarPlot


@dataclass(frozen=True)
class Figure:
    """One plot of a run as an analysis kind shows it.

    ``key`` names the plot on the page (element ids), ``title`` is its heading and ``label`` what it
    shows (caption, alternative text). Figures that share a ``series`` (e.g. ``attribute``) are one per
    ``item``: the run page shows one with a selector named after the series (the query parameter of the
    same name chooses it), the report prints them all under ``group_title``. ``note`` is printed with
    the figure(s) in the report; ``on_page=False`` keeps a figure out of the run page (report only).

    Attributes
    ----------
    key : str
        Name of the plot on the page (used in element ids).
    title : str
        Heading of the plot.
    label : str
        What the plot shows (caption and alternative text).
    data : ProfilePlot or ForestPlot or PowerPlot or CAAPlot or XYPlot or BarPlot
        The plot data the renderers draw.
    series : str, default ""
        Name of the series a set of figures belongs to (e.g. ``attribute``); empty for a single plot.
    item : str, default ""
        This figure's value within the series (e.g. the attribute name).
    group_title : str, default ""
        Heading of the series in the report.
    note : str, default ""
        Text printed with the figure(s) in the report.
    on_page : bool, default True
        Show on the run page; False keeps it to the report.
    """

    key: str
    title: str
    label: str
    data: PlotData
    series: str = ""
    item: str = ""
    group_title: str = ""
    note: str = ""
    on_page: bool = True


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: Any) -> float:
    return float(value) if _finite(value) else math.nan


def named_arm_column(frame: pd.DataFrame, *, file: str | None = None) -> str | None:
    """The arm column of ``frame`` (:data:`ARM_COLUMNS`: arm, treatment, TRT or group; the name as written,
    else in any letter case, as the NCA grouping rule reads ``ARM`` or ``Treatment``), or None.

    In any letter case: an ``ARM`` column (an SDTM DM domain's, ``bioparity nca --dm``) splits the profiles
    (:mod:`bioparity.nca.spec`), so its arms must be neither pooled into one row of summary statistics nor
    into one line of a figure (EMA CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.8: descriptive statistics per
    treatment). The lookup is the NCA's (:meth:`bioparity.columns.Columns.first`): two columns of one name
    in two letter cases (``ARM`` and ``Arm``, no ``arm``) are refused, naming ``file`` and both columns,
    rather than one of them taken as the arm.

    Raises
    ------
    DataFileError
        Two columns equal to an arm name ignoring letter case, neither written as it."""
    return Columns(frame.columns, file=file).first(ARM_COLUMNS)


def arm_column(frame: pd.DataFrame, *, file: str | None = None) -> str | None:
    """The column whose values are the lines (:func:`named_arm_column`, ``file`` named in its error), else a
    crossover's planned treatment of each period (TRTP, from an ADSL's TRTxxP:
    :data:`bioparity.io.nca_input.TREATMENT`): the column the summary statistics of the table are grouped
    by; None without either."""
    return named_arm_column(frame, file=file) or (TREATMENT if TREATMENT in frame.columns else None)


#: Columns holding the nominal (planned) time of a sample, in order of preference.
NOMINAL_TIME_COLUMNS = ("nominal_time", "NFRLT", "NTIME", "ntime", "nominal")


def _nominal_times(data: pd.DataFrame) -> tuple[pd.Series, str]:
    """Nominal times of the samples and the rule used to get them (stated under the plot).

    When every time value is shared by at least half of the profiles, the times are the schedule
    itself. Otherwise the k-th sample of each profile is placed at the median time of all k-th samples
    (binning by sample order), which is what the mean profile of a fixed sampling schedule shows.
    """
    profiles = data.groupby(["arm", "subject"]).ngroups
    # profiles (line and subject), not subjects, at each time: with two analytes a line is arm / analyte
    shared = data.drop_duplicates(["arm", "subject", "time"]).groupby("time").size()
    if bool((shared >= 0.5 * profiles).all()):
        return data["time"], _("mean per arm at each sampling time (all times are scheduled times)")
    # by position, not by row label: a hand-built frame's index may repeat labels (frames concatenated)
    rows = data[["arm", "subject", "time"]].reset_index(drop=True)
    order = rows.sort_values("time", kind="stable").groupby(["arm", "subject"]).cumcount().sort_index()
    medians = rows["time"].groupby(order).median()
    return (
        pd.Series(order.map(medians).to_numpy(dtype=float), index=data.index),
        _(
            "actual times binned by sample order: the k-th sample of each profile is placed at the "
            "median time of all k-th samples"
        ),
    )


#: Profiles of one line (a panel: an arm, an arm / analyte) from which its individual profiles are
#: summarised per nominal time (:class:`PercentileBand`) instead of drawn one by one, whatever the other
#: lines hold. A readability threshold, no guideline's: the 2,004-profile study (six lines of 334) drawn
#: one by one filled each panel with one blot of colour (and took matplotlib 2.5 s, a 1 MB SVG); the
#: demo's three lines of 67 profiles stay readable and are drawn as before.
BANDS_FROM = 100
#: The percentiles of a :class:`PercentileBand`, percent: the 5th to 95th, as the prediction interval
#: of a visual predictive check (Bergstrand et al. 2011, AAPS J 13(2):143-151), R ``quantile`` type 7
#: (Hyndman and Fan 1996, Am Stat 50(4):361-365, definition 7; numpy's ``linear``).
BAND_PERCENTILES = (5.0, 95.0)


def percentile_bands(data: pd.DataFrame) -> tuple[PercentileBand, ...]:
    """Per line (``arm``) and nominal time (``time``) of ``data`` the median, the
    :data:`BAND_PERCENTILES` percentiles (R ``quantile`` type 7) and the number of concentrations
    (``conc``, no missing values).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per sample: ``arm`` (the line), ``time`` (nominal) and ``conc``.

    Returns
    -------
    tuple of PercentileBand
        One band per line in the order of the lines, times ascending.
    """
    low, high = (p / 100 for p in BAND_PERCENTILES)
    grouped = data.groupby(["arm", "time"], sort=True)["conc"]
    stats = grouped.quantile(np.array([low, 0.5, high]), interpolation="linear").unstack()
    stats["n"] = grouped.size()
    return tuple(
        PercentileBand(
            str(a),
            [float(t) for t in g.index.get_level_values("time")],
            [round(float(v), 10) for v in g[0.5]],
            [round(float(v), 10) for v in g[low]],
            [round(float(v), 10) for v in g[high]],
            [int(v) for v in g["n"]],
        )
        for a, g in stats.groupby(level="arm", sort=False)
    )


def _times_text(times: Sequence[float], unit: str) -> str:
    """``0 h`` or ``0-12 h``: the first and last of consecutive nominal times."""
    first, last = f"{times[0]:g}", f"{times[-1]:g}"
    span = first if first == last else f"{first}-{last}"
    return f"{span} {unit}".strip()


def counts_text(band: PercentileBand, unit: str = "") -> str:
    """How many concentrations a band has at each nominal time, in few words: ``334 at each of the 21
    nominal times``, else each run of times with the same number (``334 (0-12 h), 331 (24 h)``).

    Parameters
    ----------
    band : PercentileBand
        The band of one line.
    unit : str, default ""
        Time unit printed after the times.

    Returns
    -------
    str
        The numbers in the current language.
    """
    if len(set(band.n)) == 1:
        return _("%(n)s at each of the %(times)s nominal times") % {"n": band.n[0], "times": len(band.n)}
    runs: list[tuple[int, list[float]]] = []
    for t, n in zip(band.x, band.n, strict=True):
        if runs and runs[-1][0] == n:
            runs[-1][1].append(t)
        else:
            runs.append((n, [t]))
    return _(", ").join(f"{n} ({_times_text(times, unit)})" for n, times in runs)


def summarised_profiles(plot: ProfilePlot) -> int:
    """The profiles of the lines summarised in bands (:attr:`ProfilePlot.bands`)."""
    return sum(plot.n_subjects.get(band.name, 0) for band in plot.bands)


def log_floor(bands: Sequence[PercentileBand]) -> float:
    """The lower edge of the semi-log panels of ``bands``: half their smallest positive percentile or
    median (NaN when none is positive). A percentile of 0 has no place on a log scale: a band whose lower
    percentile is 0 is drawn down to this edge (open downwards), never left out."""
    values = [v for b in bands for v in (*b.lower, *b.median, *b.upper) if v > 0]
    return min(values) / 2 if values else math.nan


def semilog_band(band: PercentileBand, floor: float) -> tuple[list[float], list[float], list[float]]:
    """The band as drawn on a log scale: times, lower and upper edges where the upper percentile is
    positive, a lower percentile of 0 drawn at ``floor`` (:func:`log_floor`)."""
    shown = [i for i, upper in enumerate(band.upper) if upper > 0]
    return (
        [band.x[i] for i in shown],
        [band.lower[i] if band.lower[i] > 0 else floor for i in shown],
        [band.upper[i] for i in shown],
    )


def _zero_times(plot: ProfilePlot, series: Sequence[tuple[str, Sequence[float], Sequence[float]]]) -> str:
    """Per line (``name, times, values``), the nominal times at which its values are 0
    (``A: 0 h, 1344-2016 h; B: 0 h``; ``every line: 0 h`` when they are the same in every line),
    consecutive times joined; empty when none is."""
    parts: list[str] = []
    for _name, x, values in series:
        runs: list[list[float]] = []
        last = -2
        for i, v in enumerate(values):
            if v > 0:
                continue
            if i == last + 1:
                runs[-1].append(x[i])
            else:
                runs.append([x[i]])
            last = i
        parts.append(_(", ").join(_times_text(r, plot.time_unit) for r in runs))
    if not any(parts):
        return ""
    if len(parts) > 1 and len(set(parts)) == 1:  # the same times in every line: said once
        return _("every line: %(times)s") % {"times": parts[0]}
    return _("; ").join(
        _("%(line)s: %(counts)s") % {"line": name, "counts": times}
        for (name, _x, _v), times in zip(series, parts, strict=True)
        if times
    )


def semilog_means_note(plot: ProfilePlot) -> str:
    """What the semi-log figures of the means and of the profiles drawn one by one leave out (a log scale
    has no 0): the times of means of 0 per line, and how many concentrations of 0 the individual profiles
    have; empty when there is none."""
    means = _zero_times(plot, [(line.name, line.x, line.y) for line in plot.lines])
    zeros = sum(1 for line in plot.individual for v in line.y if v <= 0)
    notes = []
    if means:
        notes.append(_("a mean of 0 has no point (%(where)s)") % {"where": means})
    if zeros:
        notes.append(
            _("%(n)s concentrations of 0 in the profiles drawn one by one are not drawn")
            % {"n": f"{zeros:,}"}
        )
    if not notes:
        return ""
    return _(
        "On the semi-log scale of the mean profiles and of the profiles drawn one by one (a log scale has "
        "no 0): %(notes)s."
    ) % {"notes": _("; ").join(notes)}


def _semilog_text(plot: ProfilePlot) -> str:
    """What the semi-log panels of the bands cannot draw (percentiles of 0) and how they show it."""
    lower, median, upper = (
        _zero_times(plot, [(b.name, b.x, getattr(b, v)) for b in plot.bands])
        for v in ("lower", "median", "upper")
    )
    notes = []
    if lower:
        notes.append(
            _(
                "a percentile %(low)g of 0 is drawn as the band reaching down to the panel's lower edge "
                "(%(where)s)"
            )
            % {"low": BAND_PERCENTILES[0], "where": lower}
        )
    if median:
        notes.append(_("a median of 0 has no point (%(where)s)") % {"where": median})
    if upper:
        notes.append(
            _("where the percentile %(high)g is 0 too nothing is drawn (%(where)s)")
            % {"high": BAND_PERCENTILES[1], "where": upper}
        )
    if not notes:
        return ""
    return _("On the semi-log scale, which has no 0: %(notes)s.") % {"notes": _("; ").join(notes)}


def line_profiles(plot: ProfilePlot, names: Sequence[str]) -> str:
    """``TEST (120 profiles), REF (118 profiles)``: the profiles of each of the lines ``names``."""
    return _(", ").join(
        _("%(line)s (%(n)s profiles)") % {"line": name, "n": f"{plot.n_subjects.get(name, 0):,}"}
        for name in names
    )


def bands_caption(plot: ProfilePlot) -> str:
    """The caption of the figure of summarised individual profiles (:attr:`ProfilePlot.bands`): which
    lines are summarised (those of :data:`BANDS_FROM` profiles or more) and which drawn one by one, what
    is drawn, how BLQ samples were handled, what the semi-log panels cannot draw (percentiles of 0), and
    the number of concentrations per line and nominal time.

    Parameters
    ----------
    plot : ProfilePlot
        A plot with bands.

    Returns
    -------
    str
        The caption in the current language.
    """
    low, high = BAND_PERCENTILES

    summarised = [b.name for b in plot.bands]
    drawn = [line.name for line in plot.lines if line.name not in summarised]
    head = _(
        "Individual profiles: a line (panel) of %(from)s profiles or more is summarised per nominal time, "
        "its profiles too many to draw one by one: the median of the concentrations (line) and their "
        "percentiles %(low)g to %(high)g (band; R quantile type 7), linear and semi-log. Summarised: "
        "%(summarised)s."
    ) % {"from": BANDS_FROM, "low": low, "high": high, "summarised": line_profiles(plot, summarised)}
    if drawn:
        head += " " + _("Drawn one by one: %(drawn)s.") % {"drawn": line_profiles(plot, drawn)}
    blq = plot.blq_rule or _blq_text(None)
    semilog = _semilog_text(plot)
    counts = _("; ").join(
        _("%(line)s: %(counts)s") % {"line": b.name, "counts": counts_text(b, plot.time_unit)}
        for b in plot.bands
    )
    parts = [head, blq, semilog, _("Concentrations per nominal time (n): %(counts)s.") % {"counts": counts}]
    return " ".join(p for p in parts if p)


def apply_blq_rule(data: pd.DataFrame, marked: npt.NDArray[np.bool_], rule: BLQRule) -> pd.DataFrame:
    """The samples of ``data`` after the NCA's BLQ rule (:func:`bioparity.nca.blq.clean_blq`, PKNCA
    ``clean.conc.blq``): a BLQ sample (a marker, or a concentration of 0) before the first measurable
    sample of its profile, between the first and the last, or after the last, is kept as 0, left out or
    imputed as ``rule`` says, so that a figure shows the concentrations the parameters (and their summary
    statistics) were computed from (Denney et al. 2015, J Pharmacokinet Pharmacodyn 42(S1):S65).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per sample with a concentration: ``profile`` (a number per profile: a subject's analyte,
        period, ...), ``actual`` (the time that orders a profile's samples) and ``conc``; other columns
        are carried along.
    marked : numpy.ndarray of bool
        Whether each row of ``data`` is a BLQ marker (its ``conc`` is then 0).
    rule : BLQRule
        The run's BLQ rule.

    Returns
    -------
    pandas.DataFrame
        The samples kept, ``conc`` after the rule, index 0..n-1.
    """
    rows = data.reset_index(drop=True).assign(marked=np.asarray(marked, dtype=float))
    if rows.empty:  # no concentration at all: nothing to handle
        return rows.drop(columns="marked")
    rows = rows.sort_values(["profile", "actual"], kind="stable").reset_index(drop=True)
    codes = rows["profile"].rank(method="dense").to_numpy(dtype=np.int64) - 1
    # row numbers stand in for the times: clean_blq orders by column and compacts the rows it keeps
    _, (row, conc, flags) = pad_profiles(codes, np.arange(len(rows)), rows["conc"], rows["marked"])
    clean = clean_blq(row, conc, flags > 0.5, rule)
    kept = ~np.isnan(clean.time)
    out = rows.iloc[clean.time[kept].astype(np.int64)].drop(columns="marked")
    return out.assign(conc=clean.conc[kept]).reset_index(drop=True)


def _samples(
    frame: pd.DataFrame,
    line: pd.Series | str,
    profile: Sequence[str],
    blq: BLQRule | None,
    flags: tuple[str | None, str | None] = (None, None),
) -> pd.DataFrame:
    """One row per sample of ``frame`` with a time: ``arm`` (the line), ``subject``, ``profile`` (a
    number per value of the ``profile`` columns), ``time`` (nominal when a column gives it, else actual),
    ``actual``, ``conc`` (NaN: missing) and ``marked`` (a BLQ marker, its ``conc`` 0); index 0..n-1
    (positions, not the frame's labels, which may repeat in a hand-built frame). Without a BLQ rule
    (``blq`` None) text is NaN (BLQ markers left out, as before); with one, the concentrations are read
    as the NCA reads them (:func:`bioparity.nca.samples.parse_numbers`): other text is an error naming its
    row (of ``frame``) and the column; ``flags``, the run's BLQ flag and LLOQ columns, mark BLQ samples
    too, as the NCA marks them (:func:`bioparity.nca.samples.flagged_blq`)."""
    if blq is None:
        conc = pd.to_numeric(frame["conc"], errors="coerce").to_numpy(dtype=float)
        marked = np.zeros(len(frame), dtype=bool)
    else:
        conc, marked = parse_numbers(frame["conc"], "conc", Where(), allow_missing=True, blq_tokens=True)
        marked = marked | flagged_blq(frame, conc, blq=flags[0], lloq=flags[1], where=Where())
    nominal = next((c for c in NOMINAL_TIME_COLUMNS if c in frame.columns), None)
    data = pd.DataFrame(
        {
            "arm": line,
            "subject": frame["subject"].astype(str),
            "profile": frame.groupby(list(profile), sort=False, dropna=False).ngroup(),
            "time": pd.to_numeric(frame[nominal or "time"], errors="coerce"),
            "actual": pd.to_numeric(frame["time"], errors="coerce"),
        }
    ).reset_index(drop=True)
    data = data.assign(conc=conc, marked=marked)
    return data[data["time"].notna() & data["actual"].notna()].reset_index(drop=True)


def _concentrations(data: pd.DataFrame, blq: BLQRule | None) -> pd.DataFrame:
    """``data`` (:func:`_samples`) without missing concentrations; BLQ markers left out (``blq`` None) or
    handled by the rule with the concentrations of 0 (:func:`apply_blq_rule`)."""
    present = data[data["conc"].notna()]
    if blq is None:
        return present.drop(columns="marked").reset_index(drop=True)
    return apply_blq_rule(present.drop(columns="marked"), present["marked"].to_numpy(dtype=bool), blq)


def _blq_text(blq: BLQRule | None) -> str:
    """How a figure's BLQ samples were handled, for its caption."""
    if blq is None:
        return _("Samples that are not numbers, such as BLQ markers, left out; concentrations of 0 kept.")
    actions = {"keep": _("kept as 0"), "drop": _("left out")}
    words = [
        actions[a] if isinstance(a, str) else _("set to %(value)g") % {"value": a}
        for a in (blq.first, blq.middle, blq.last)
    ]
    return _(
        "BLQ samples (BLQ markers and concentrations of 0) as in the NCA whose parameters are summarised: "
        "before the first measurable sample of a profile %(first)s, between the first and the last "
        "%(middle)s, after the last %(last)s."
    ) % dict(zip(("first", "middle", "last"), words, strict=True))


def _flags_text(flags: tuple[str | None, str | None]) -> str:
    """What marks a sample BLQ besides a marker or a 0, for the caption: the run's BLQ flag column and LLOQ
    column (empty when it has neither)."""
    blq, lloq = flags
    parts = [_("flagged in column %(column)s") % {"column": blq}] if blq else []
    parts += [_("below the LLOQ of column %(column)s") % {"column": lloq}] if lloq else []
    return " " + _("BLQ samples also: %(rules)s.") % {"rules": _("; ").join(parts)} if parts else ""


def profile_plot(
    frame: pd.DataFrame,
    conc_unit: str = "",
    time_unit: str = "h",
    *,
    by: Sequence[str] = (),
    blq: BLQRule | None = None,
    flags: tuple[str | None, str | None] = (None, None),
    order: Sequence[str] = (),
) -> ProfilePlot | None:
    """Mean concentration per arm and nominal time from a concentration table (``subject, time, conc``).

    ``by`` names further profile grouping columns (analyte, period, ...): those that separate a subject's
    profiles within an arm (:func:`bioparity.nca.summary.split_columns`) split the lines too, named
    ``arm / value``: two analytes of one arm are never averaged together, a crossover's periods are.
    A nominal-time column (``nominal_time``, ``NFRLT``, ...) is used when present; otherwise see
    :func:`_nominal_times`. ``blq`` is the BLQ rule of the NCA the figure goes with
    (:func:`apply_blq_rule`); without one, samples that are not numbers (BLQ markers) are left out of the
    means. ``flags``: the run's BLQ flag column and LLOQ column (``bioparity nca --blq/--lloq``), which
    mark BLQ samples as in the NCA (with a BLQ rule). A line of :data:`BANDS_FROM` profiles or more is
    summarised (:func:`percentile_bands`), the others keep their profiles drawn one by one. ``order``: the
    arms in the order the analysis lists them (PK similarity's ``arms``, test first): the lines, legends
    and panels follow it (:func:`in_arm_order`), others after them in name order.
    """
    if not {"subject", "time", "conc"} <= set(frame.columns):
        return None
    arm = arm_column(frame)
    # one row per profile: which of ``by`` separate a subject's profiles within its arm
    within = [arm] if arm else []
    others = [c for c in by if c != arm]
    profiles = frame.drop_duplicates(["subject", *within, *others])
    split = [*within, *split_columns(profiles, others, subject="subject", within=within)]
    line: pd.Series | str = "all"
    for i, c in enumerate(split):  # the line of each sample: its arm / analyte / ...
        line = frame[c].astype(str) if i == 0 else line + " / " + frame[c].astype(str)
    data = _samples(frame, line, ["subject", *within, *others], blq, flags)
    if data.empty:
        return None
    nominal = next((c for c in NOMINAL_TIME_COLUMNS if c in frame.columns), None)
    if nominal:
        rule = _("mean per arm at each nominal time (column %(column)s)") % {"column": nominal}
    else:  # binned over every sample with a time: a BLQ sample left out leaves the k-th sample k-th
        times, rule = _nominal_times(data)
        data = data.assign(time=times)
    data = _concentrations(data, blq)
    if data.empty:
        return None
    means = data.groupby(["arm", "time"], sort=True)["conc"].mean().reset_index()
    lines = in_arm_order(
        [
            Line(str(a), g["time"].astype(float).tolist(), [round(float(v), 10) for v in g["conc"]])
            for a, g in means.groupby("arm", sort=False)
        ],
        order,
    )
    counts = data.groupby("arm")["subject"].nunique()
    many = data["arm"].isin([a for a, n in counts.items() if n >= BANDS_FROM])  # per panel
    shown = data[~many].sort_values("time")  # each line's profiles subject by subject: 2 before 10
    individual = tuple(
        Line(str(a), g["time"].astype(float).tolist(), [round(float(v), 10) for v in g["conc"]])
        for (a, _), g in shown.assign(_n=natural_ranks(shown["subject"])).groupby(["arm", "_n"], sort=True)
    )
    return ProfilePlot(
        lines,
        {str(k): int(v) for k, v in counts.items()},
        time_label=_("nominal time after dose (%(unit)s)") % {"unit": time_unit}
        if time_unit
        else _("nominal time after dose"),
        conc_label=_("concentration (%(unit)s)") % {"unit": conc_unit} if conc_unit else _("concentration"),
        individual=individual,
        time_rule=rule,
        bands=in_arm_order(percentile_bands(data[many]), order) if many.any() else (),
        n_profiles=data.groupby(["arm", "subject"]).ngroups,
        time_unit=time_unit,
        blq_rule=_blq_text(blq) + _flags_text(flags if blq is not None else (None, None)),
    )


_Named = TypeVar("_Named", Line, PercentileBand)


def in_arm_order(items: Sequence[_Named], order: Sequence[str]) -> tuple[_Named, ...]:
    """``items`` (lines or bands, named by arm or ``arm / analyte``) with the arms of ``order`` first, in
    that order, then the others as they come (a stable sort).

    Examples
    --------
    >>> names = ["eu-ref", "test", "us-ref"]
    >>> [x.name for x in in_arm_order([Line(n, [], []) for n in names], ["test", "eu-ref", "us-ref"])]
    ['test', 'eu-ref', 'us-ref']
    """
    rank = {arm: i for i, arm in enumerate(order)}

    def key(item: _Named) -> int:
        return rank.get(item.name.split(" / ")[0], len(rank))

    return tuple(sorted(items, key=key))


def forest_plot(rows: Sequence[Mapping[str, Any]]) -> ForestPlot | None:
    """From PK similarity rows (``metric, test_arm, reference_arm, gmr, ci_lower, ci_upper``, percent); each
    point labelled with the metric's name (``Cmax: test / eu-ref``), its ``metric`` the stored code."""
    from bioparity.pathways.inventory import PK_METRICS  # the metric names of the readiness rules

    need = {"metric", "test_arm", "reference_arm", "gmr", "ci_lower", "ci_upper"}
    items = []
    for r in rows:
        if not need <= set(r) or not all(_finite(r[k]) for k in ("gmr", "ci_lower", "ci_upper")):
            continue
        name = PK_METRICS.get(str(r["metric"]), str(r["metric"]))
        items.append(
            ForestItem(
                label=f"{name}: {r['test_arm']} / {r['reference_arm']}",
                metric=str(r["metric"]),
                gmr=float(r["gmr"]),
                lower=float(r["ci_lower"]),
                upper=float(r["ci_upper"]),
                passed=bool(r.get("pass", r.get("passed", False))),
            )
        )
    if not items:
        return None
    first = rows[0]
    alpha = float(first.get("alpha", 0.05) or 0.05)
    return ForestPlot(
        tuple(items),
        float(first.get("lower_limit", 80.0) or 80.0),
        float(first.get("upper_limit", 125.0) or 125.0),
        100.0 * (1 - 2 * alpha),
    )


#: The y-axis label of a power plot (the stored fractions drawn in percent, as the table prints them);
#: the renderers tell a power plot from a sample-size plot by it.
POWER_AXIS = gettext_noop("power (%)")
#: The scenario columns that name a power curve, in this order (the x column left out).
_SCENARIO_KEYS = ("design", "cv", "theta0", "target_power", "method")


def _scenario_text(keys: Sequence[str], values: Sequence[Any]) -> str:
    """``CV (%): 25; true ratio T/R (%): 95``: each scenario column under its table label, a fraction in
    percent (``0.25`` -> ``25``), a method code in words (``exact`` -> ``exact, Owen's Q``)."""
    return _("; ").join(setting_text(k, v) for k, v in zip(keys, values, strict=True))


def power_plot(rows: Sequence[Mapping[str, Any]]) -> PowerPlot | None:
    """Power (%) against n per scenario (power grid) or n against CV per scenario (sample-size grid).

    The curves are named by the scenario columns that differ between them, the columns shared by all in
    the legend title, each under the label and in the unit of the results table (``CV (%): 25``; the
    stored fraction 0.25 in percent), in the current language."""
    if not rows:
        return None
    frame = pd.DataFrame(list(rows))
    # the axis labels stay English (the renderers translate them: gettext_noop)
    total_n = gettext_noop("total sample size n")
    if {"n", "power"} <= set(frame.columns) and "target_power" not in frame.columns:
        x, y, x_label, y_label, target, scale = "n", "power", total_n, POWER_AXIS, None, 100.0
    elif {"cv", "n"} <= set(frame.columns):
        x, y, x_label, y_label = "cv", "n", gettext_noop("CV"), total_n
        target, scale = None, 1.0
    else:
        return None
    keys = [c for c in _SCENARIO_KEYS if c in frame.columns and c != x]
    frame = frame.dropna(subset=[x, y])
    shared = [k for k in keys if frame[k].nunique(dropna=False) == 1]
    varying = [k for k in keys if k not in shared]
    lines = []
    groups = frame.groupby(varying, sort=True) if varying else [((), frame)]
    for key, g in groups:
        values = key if isinstance(key, tuple) else (key,)
        name = _scenario_text(varying, values) or _(y_label)
        g = g.sort_values(x)
        lines.append(Line(name, g[x].astype(float).tolist(), (scale * g[y].astype(float)).tolist()))
    title = _scenario_text(shared, [frame[k].iloc[0] for k in shared]) if len(frame) else ""
    return PowerPlot(tuple(lines), x_label, y_label, target, title)


def caa_attributes(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Attributes in result order, those with a failed comparison first."""
    names = list(dict.fromkeys(str(r["attribute"]) for r in rows if "attribute" in r))
    failed = {str(r["attribute"]) for r in rows if r.get("status") == "fail"}
    return [n for n in names if n in failed] + [n for n in names if n not in failed]


def caa_plot(
    lots: pd.DataFrame,
    rows: Sequence[Mapping[str, Any]],
    attribute: str,
    names: Mapping[str, str] | None = None,
    test: str = "test",
) -> CAAPlot | None:
    """Lot means by source for one attribute, with each test-vs-reference acceptance range (``test``: the
    source judged against the others, e.g. the post-change lots of a process-change comparability)."""
    if not {"attribute", "source", "lot", "value"} <= set(lots.columns):
        return None
    data = lots[lots["attribute"].astype(str) == attribute]
    if data.empty:
        return None
    values = pd.to_numeric(data["value"], errors="coerce")
    per_lot = (
        pd.DataFrame({"source": data["source"].astype(str), "lot": data["lot"].astype(str), "v": values})
        .dropna()
        .groupby(["source", "lot"], sort=True)["v"]
        .mean()
        .reset_index()
    )
    sources = tuple(sorted(set(per_lot["source"]), key=lambda s: (s != test, s)))
    by_source = {s: [round(float(v), 10) for v in per_lot.loc[per_lot["source"] == s, "v"]] for s in sources}
    bands = []
    mine = [r for r in rows if str(r.get("attribute")) == attribute]
    for r in mine:
        if r.get("test_source") != test or r.get("method") == "descriptive":
            continue
        shift = _number(r.get("mean_reference")) if r.get("method") == "equivalence" else 0.0
        lo, hi = _number(r.get("lower_limit")), _number(r.get("upper_limit"))
        lo_v = shift + lo if math.isfinite(shift + lo) else float(np.nanmin(values))
        hi_v = shift + hi if math.isfinite(shift + hi) else float(np.nanmax(values))
        bands.append(Band(f"{r['reference_source']}: {term(r['method'])} ({term(r['status'])})", lo_v, hi_v))
    unit = str(mine[0].get("unit") or "") if mine else ""
    status = "; ".join(f"{comparison_words(r['comparison'])}: {term(r['status'])}" for r in mine)
    name = (names or {}).get(attribute, attribute)
    return CAAPlot(attribute, unit, sources, by_source, tuple(bands), status, name)
