"""The NCA figures of a big study (a line of 100 profiles or more summarised as median and percentile bands)
follow the run's BLQ flag column and LLOQ column as the NCA does (:func:`bioparity.nca.samples.flagged_blq`,
one rule for both): a sample flagged BLQ, or below the LLOQ of its row, is handled by the BLQ rule (PKNCA's
default ``conc.blq``: before the first and after the last measurable sample kept as 0, between them left
out). Before, the figure read neither column and drew those samples
as measured concentrations; the dataset page's plots had no caption.

Data: 120 subjects of one arm, samples at 0.5, 1, 2, 4, 8, 24 h; subject s has 10 + s/10 mg/L at 1 h and
halves every step; at 24 h every subject has 0.05 mg/L, flagged BLQ in ``BLQFL`` and below ``LLOQ`` 0.1.
By hand: PKNCA's rule keeps a BLQ sample after the last measurable one as 0, so the 24 h median is 0 (not
0.05), and the NCA's TLST is 8 h for every profile (the same samples); with the rule ``drop`` there is no
24 h point at all.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bioparity.analyses.contract import RunView, StoredInput
from bioparity.analyses.nca import concentration_profile, nca_kind, profile_caption, sample_profiles

TIMES = (0.5, 1.0, 2.0, 4.0, 8.0, 24.0)


def _study(n: int = 120) -> pd.DataFrame:
    rows = []
    for s in range(1, n + 1):
        for i, t in enumerate(TIMES):
            conc = 0.05 if t == 24.0 else (10 + s / 10) * 0.5 ** max(i - 1, 0) * (0.6 if t == 0.5 else 1.0)
            rows.append({"subject": s, "arm": "TEST", "time": t, "conc": conc, "BLQFL": "Y" * (t == 24.0)})
    return pd.DataFrame(rows).assign(LLOQ=0.1)


@pytest.mark.parametrize("option", [{"blq": "BLQFL"}, {"lloq": "LLOQ"}], ids=["flag", "lloq"])
def test_band_figure_leaves_out_what_the_nca_leaves_out(option: dict[str, str]) -> None:
    """With the run's flag (or LLOQ) column the 24 h median is 0 (rule ``drop``: no 24 h point); the NCA of
    the same options ends every profile at 8 h (TLST); the medians at 1 h are numpy's median of the
    subjects' values (R quantile type 7 = numpy's linear); the caption names the column. Without the column
    the 24 h samples (0.05) are drawn as measured."""
    frame = _study()
    plot = sample_profiles(frame, {"blq_rule": "pknca", **option})
    assert plot is not None and len(plot.bands) == 1
    band = plot.bands[0]
    assert band.x == list(TIMES) and band.median[-1] == 0.0 and band.upper[-1] == 0.0
    dropped = sample_profiles(frame, {"blq_rule": "drop", **option})
    assert dropped is not None and dropped.bands[0].x == [0.5, 1.0, 2.0, 4.0, 8.0]
    want = np.median([10 + s / 10 for s in range(1, 121)])
    assert band.median[band.x.index(1.0)] == pytest.approx(want, rel=1e-12)
    column = next(iter(option.values()))
    assert column in plot.blq_rule and column in profile_caption(plot)
    result = nca_kind(frame, {"dose": "", **option, "parameters": "TLST"})
    table = pd.DataFrame(result["rows"], columns=result["columns"])
    assert set(table.loc[table["PPTESTCD"] == "TLST", "PPSTRESN"]) == {8.0}

    plain = sample_profiles(frame, {"blq_rule": "pknca"})
    assert plain is not None and plain.bands[0].x[-1] == 24.0
    assert plain.bands[0].median[-1] == pytest.approx(0.05)


def test_the_report_figure_reads_the_runs_blq_column(tmp_path: Path) -> None:
    """The report figure of a run (:func:`concentration_profile`) takes the run's ``blq`` option with its
    BLQ rule (``drop``): no 24 h point; the figure note names the column."""
    frame = _study()
    stored = StoredInput("0" * 64, "nca", lambda: frame)
    run = RunView("nca", {"blq": "BLQFL", "blq_rule": "drop"}, pd.DataFrame(), (stored,))
    figure = concentration_profile(run)
    assert figure is not None and figure.data.bands[0].x[-1] == 8.0  # type: ignore[union-attr]
    assert "BLQFL" in figure.note


def test_the_dataset_page_plots_have_a_caption(tmp_path: Path) -> None:
    """The dataset page's concentration-time plots are captioned: how the times were read, the profiles of
    each line and the BLQ rule (before: only the figure's name)."""
    from tests.web.test_nca_sdtm_upload import _upload, signed_in

    path = tmp_path / "small.csv"
    _study(12).drop(columns=["BLQFL", "LLOQ"]).to_csv(path, index=False)
    with signed_in(tmp_path, "caption") as (client, company, _sessions):
        page = client.get(f"/ui/datasets/{_upload(client, company, path)}").text
    assert 'id="profile-caption"' in page
    caption = page.split('id="profile-caption">', 1)[1].split("</p>", 1)[0]
    assert "TEST (12 profiles)" in caption and "BLQ samples" in caption
