"""The concentration-time figure of a PK similarity report draws its arms in the run's ``arms`` order (test
first, as its tables and forest plot), not in name order: the mean profiles' legend and the panels of the
individual profiles read eu-ref, test, us-ref for ``--arms test,eu-ref,us-ref``. An NCA run, which has no
order of arms, keeps the name order."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bioparity.analyses.contract import RunView, StoredInput
from bioparity.analyses.figures import ProfilePlot, profile_plot
from bioparity.analyses.nca import concentration_profile

CONC = Path(__file__).resolve().parents[1] / "data" / "pk_similarity" / "mab_weight_conc.csv"
ARMS = "test,eu-ref,us-ref"


def test_the_lines_follow_the_order_given() -> None:
    frame = pd.read_csv(CONC)
    plain = profile_plot(frame)
    ordered = profile_plot(frame, order=ARMS.split(","))
    assert plain is not None and ordered is not None
    assert [line.name for line in plain.lines] == ["eu-ref", "test", "us-ref"]  # name order, as before
    assert [line.name for line in ordered.lines] == ["test", "eu-ref", "us-ref"]
    assert sorted(ordered.lines, key=lambda line: line.name) == sorted(
        plain.lines, key=lambda line: line.name
    )


def test_the_pk_similarity_report_figure_follows_the_runs_arms() -> None:
    frame = pd.read_csv(CONC)
    upload = StoredInput("0" * 64, "nca", lambda: frame)
    pk = concentration_profile(RunView("pk-similarity", {"arms": ARMS}, pd.DataFrame(), (upload,)))
    nca = concentration_profile(RunView("nca", {}, pd.DataFrame(), (upload,)))
    assert pk is not None and nca is not None
    assert isinstance(pk.data, ProfilePlot) and isinstance(nca.data, ProfilePlot)
    assert [line.name for line in pk.data.lines] == ["test", "eu-ref", "us-ref"]
    assert [line.name for line in nca.data.lines] == ["eu-ref", "test", "us-ref"]
