"""The demo's PK similarity study (PK-101, three arms of 67) against R 4.2.2 ``t.test(var.equal = FALSE)``.

Every number of the demo's PK similarity report (GMR, 90% CI, Welch-Satterthwaite df, geometric CV% per
arm) recomputed by R from the PP values the demo's NCA stores (``tests/data/pk_similarity/
demo_pk101_pp.csv``; ``demo_pk101_welch.R`` wrote ``demo_pk101_welch.csv``, 12 significant digits).
Tolerance: relative 1e-9 (closed-form Welch interval in both programs; R's values printed to 12
significant digits), and the two-decimal text of the report identical.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bioparity.analyses import pk_similarity as kind
from bioparity.analyses.tables import percent_text
from bioparity.demo.synthetic import pk_concentrations

DATA = Path(__file__).parents[1] / "data" / "pk_similarity"
#: R's values are printed with 12 significant digits; both programs compute the same closed form.
REL = 1e-9
NUMBERS = ("gmr", "ci_lower", "ci_upper", "df", "cv_test", "cv_reference")


def _kind_result(path: Path) -> pd.DataFrame:
    """The pk-similarity kind as the workspace runs it (reader, default options)."""
    result = kind.pk_similarity_kind(kind.read_pk_parameters(path), {})
    return pd.DataFrame(result["rows"], columns=result["columns"])


def test_demo_pk_similarity_matches_r_welch_t_test() -> None:
    """All nine comparisons (T vs EU, T vs US, EU vs US; AUCIFO, AUCLST, CMAX) equal R's Welch intervals."""
    ours = _kind_result(DATA / "demo_pk101_pp.csv")
    r = pd.read_csv(DATA / "demo_pk101_welch.csv")
    key = ["metric", "test_arm", "reference_arm"]
    assert ours[key].values.tolist() == r[key].values.tolist()  # the three pairs of every metric, in order
    for (_, mine), (_, ref) in zip(ours.iterrows(), r.iterrows(), strict=True):
        assert (mine["n_test"], mine["n_reference"]) == (ref["n_test"], ref["n_reference"]) == (67, 67)
        for name in NUMBERS:
            assert mine[name] == pytest.approx(ref[name], rel=REL), (tuple(mine[key]), name)
        for name in ("gmr", "ci_lower", "ci_upper", "cv_test", "cv_reference"):  # as the report prints them
            assert percent_text(mine[name]) == f"{ref[name]:.2f}"
        assert mine["pass"] is True and mine["variance"] == "welch"


def test_the_r_input_is_what_the_demo_nca_stores(tmp_path: Path) -> None:
    """The PP values given to R are the demo's: its concentrations through the NCA kind, as `demo --load`
    derives the PK similarity input (relative 1e-12: the CSV keeps the shortest repr of each value)."""
    from bioparity.analyses.nca import NCA

    conc = tmp_path / "pk101-concentrations.csv"
    pk_concentrations().to_csv(conc, index=False)
    result = NCA.compute(NCA.read(conc), {"conc_unit": "ug/mL", "time_unit": "h", "dose_unit": "mg"})
    pp = pd.DataFrame(result["rows"], columns=result["columns"])
    wide = pp.pivot(index="subject", columns="PPTESTCD", values="PPSTRESN")
    fixture = pd.read_csv(DATA / "demo_pk101_pp.csv").set_index("subject")
    assert sorted(wide.index) == sorted(fixture.index) and len(fixture) == 201
    for metric in ("AUCIFO", "AUCLST", "CMAX", "AUCPEO"):
        mine = pd.to_numeric(wide.loc[fixture.index, metric]).to_numpy()
        assert mine == pytest.approx(fixture[metric].to_numpy(), rel=1e-12), metric
