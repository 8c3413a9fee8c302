"""Sparse / destructive sampling: mean-profile AUC with its standard error.

Reference values (independent implementation): R package PK (Jaki & Wolfsegger), quoted in PKNCA's
tests/testthat/test-sparse.R ("calculated using the PK library with PK::auc(data=d_sparse, method='t',
design='batch') / design='ssd'"): AUC 39.4689 (linear trapezoid), batch SE 7.30997787038754 (several
samples per animal, covariances kept: Nedelman, Gibiansky & Lau 1995 / Holder 2001), serial SE
6.86584835083522 with Satterthwaite df 2.82631153092225 (Bailer 1988; Nedelman et al. 1995 eq. 6a).
The data and the PK package's values are in tests/data/reference/nca/pknca_sparse_input.csv and
pknca_sparse_expected.csv (read by the validation pack too).
The Nedelman et al. (1995) example data (10 rats, 2 per time) are checked against Bailer's closed form.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from bioparity.errors import DataFileError
from bioparity.nca.sparse import linear_weights, sparse_auc, sparse_nca
from tests.conftest import REFERENCE, one_row

D_SPARSE = pd.read_csv(REFERENCE / "nca" / "pknca_sparse_input.csv", comment="#")
_EXPECTED = pd.read_csv(REFERENCE / "nca" / "pknca_sparse_expected.csv", comment="#")


def _pk(design: str, code: str) -> Any:
    """The PK package's value as pytest.approx with the file's tolerance (0 means not given)."""
    row = _EXPECTED[(_EXPECTED["design"] == design) & (_EXPECTED["PPTESTCD"] == code)].iloc[0]
    rel, abs_ = float(row["rel_tolerance"]), float(row["abs_tolerance"])
    return pytest.approx(float(row["expected"]), rel=rel or None, abs=abs_ or None)


def test_reference_file_holds_the_pk_package_values() -> None:
    assert D_SPARSE.shape == (21, 3) and D_SPARSE["id"].nunique() == 9
    tol = _EXPECTED.set_index(["design", "PPTESTCD"])[["abs_tolerance", "rel_tolerance"]]
    assert (
        one_row(tol, ("batch", "SPARSEAL")).to_list()
        == one_row(tol, ("serial", "SPARSEAL")).to_list()
        == [5e-5, 0]
    )
    for key in (("batch", "SPARSEAS"), ("serial", "SPARSEAS"), ("serial", "SPARSEAD")):
        assert one_row(tol, key).to_list() == [0, 1e-10]
    assert np.isnan(_EXPECTED.set_index(["design", "PPTESTCD"])["expected"].loc[("batch", "SPARSEAD")])


def test_batch_design_matches_pk_package() -> None:
    res = sparse_nca(D_SPARSE, subject="id")
    assert res.value("SPARSEAL")[0] == _pk("batch", "SPARSEAL")
    assert res.value("SPARSEAS")[0] == _pk("batch", "SPARSEAS")
    assert np.isnan(res.value("SPARSEAD")[0])
    long = res.to_frame().set_index("PPTESTCD")
    assert "Satterthwaite df not available" in long["reason"].loc["SPARSEAD"]
    assert res.design == ("batch",)


def test_serial_design_matches_pk_package() -> None:
    res = sparse_nca(D_SPARSE.assign(id=np.arange(len(D_SPARSE))), subject="id")
    assert res.value("SPARSEAL")[0] == _pk("serial", "SPARSEAL")
    assert res.value("SPARSEAS")[0] == _pk("serial", "SPARSEAS")
    assert res.value("SPARSEAD")[0] == _pk("serial", "SPARSEAD")
    assert res.design == ("serial",)


def test_nedelman_1995_example_follows_bailers_closed_form() -> None:
    """Nedelman, Gibiansky & Lau (1995) data (also in PK's examples): var = sum w_i^2 s_i^2 / r_i."""
    conc = [2790, 3280, 4980, 7550, 5500, 6650, 2250, 3220, 213, 636]
    time = [1, 1, 2, 2, 4, 4, 8, 8, 24, 24]
    frame = pd.DataFrame({"id": range(10), "time": time, "conc": conc})
    res = sparse_nca(frame, subject="id")
    t = np.array([1.0, 2, 4, 8, 24])
    x = np.asarray(conc, dtype=float).reshape(5, 2)
    w = np.array([0.5, 1.5, 3.0, 10.0, 8.0])  # (t[i+1] - t[i-1]) / 2 with half intervals at the ends
    np.testing.assert_allclose(linear_weights(t), w)
    auc = float(np.sum(w * x.mean(axis=1)))
    se = float(np.sqrt(np.sum(w**2 * x.var(axis=1, ddof=1) / 2)))
    assert res.value("SPARSEAL")[0] == pytest.approx(auc, rel=1e-12)
    assert res.value("SPARSEAS")[0] == pytest.approx(se, rel=1e-12)


def test_more_than_half_blq_sets_the_mean_to_zero_as_pknca() -> None:
    X = np.array([[0.0, 0.0, 0.0], [2.0, 3.0, 4.0], [0.0, 0.0, 1.5], [1.0, 2.0, 3.0]]).repeat(1, axis=1)
    t = np.array([0.0, 1.0, 2.0, 3.0])
    Xs = np.full((4, 12), np.nan)
    for i in range(4):
        Xs[i, 3 * i : 3 * i + 3] = X[i]
    res = sparse_auc(t, Xs)
    np.testing.assert_allclose(res.means, [0.0, 3.0, 0.0, 2.0])
    res_arith = sparse_auc(t, Xs, blq_mean="arithmetic")
    assert res_arith.means[2] == pytest.approx(0.5)


def test_bootstrap_is_seeded_and_agrees_with_the_analytic_se() -> None:
    rng = np.random.default_rng(7)
    t = np.array([0.5, 1, 2, 4, 8, 12, 24])
    mean = 100 * (np.exp(-0.15 * t) - np.exp(-1.5 * t))
    X = np.full((t.size, t.size * 60), np.nan)
    for i in range(t.size):
        X[i, 60 * i : 60 * (i + 1)] = mean[i] * np.exp(rng.normal(0, 0.3, 60))
    a = sparse_auc(t, X, n_boot=4000, seed=11)
    b = sparse_auc(t, X, n_boot=4000, seed=11)
    assert a.boot_se == b.boot_se and a.boot_lower == b.boot_lower
    assert a.boot_se == pytest.approx(a.se, rel=0.08)
    assert a.boot_lower < a.auc < a.boot_upper


def test_sparse_input_errors_name_the_row() -> None:
    dup = pd.concat([D_SPARSE, D_SPARSE.iloc[[4]]], ignore_index=True)
    with pytest.raises(DataFileError, match="two samples of one subject at one time"):
        sparse_nca(dup, subject="id")
