"""One assay's data, checked: a reference standard and one test preparation, doses and responses.

The sample named ``standard`` (any case) is the reference standard; every other sample is a test
preparation. Blocks (rows, columns) are optional labels for randomised-block and Latin-square designs
(Ph. Eur. 5.3, section 3.2.2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bioparity.arrays import FloatArray
from bioparity.errors import InputError

STANDARD = "standard"


@dataclass(frozen=True)
class AssayData:
    """Doses and responses of the standard (``is_test == False``) and one test preparation.

    ``dose`` is in the standard's units (the test's nominal dose, i.e. its assumed potency times the
    dilution); ``rows``/``columns`` are block labels (empty tuples when the design has none).

    Attributes
    ----------
    assay : str
        Assay identifier (used in messages and results).
    sample : str
        Name of the test sample.
    dose : numpy.ndarray of float, shape (n,)
        Dose of each response (finite, >= 0; > 0 for the log-dose models; 0 marks a blank in a
        slope-ratio assay).
    response : numpy.ndarray of float, shape (n,)
        Responses (finite), on the scale they are analysed.
    is_test : numpy.ndarray of bool, shape (n,)
        True for the responses of the test sample, False for those of the standard; both must occur.
    rows, columns : tuple of str, default ()
        Block labels, one per response: ``rows`` alone for a randomised-block design, both for a
        Latin square (Ph. Eur. 5.3 section 3.2.2).
    preparation : numpy.ndarray of int or None, default None
        Preparation code per response for a joint (multiple) assay: 0 standard, 1 this test, 2, 3, ...
        the other tests of the assay; code 1 must mark exactly ``is_test``. ``None``: standard and
        this test only.

    Raises
    ------
    InputError
        When the arrays differ in length, a response or dose is not finite, a dose is negative, the
        preparation codes disagree with ``is_test``, or the standard or the test has no response.

    Examples
    --------
    >>> data = AssayData.from_arrays([1, 2, 4], [10.0, 13.5, 17.0], [1, 2, 4], [13.4, 17.1, 20.4])
    >>> data.n_doses, int(data.is_test.sum())
    ((3, 3), 3)
    """

    assay: str
    sample: str
    dose: FloatArray
    response: FloatArray
    is_test: npt.NDArray[np.bool_]
    rows: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    preparation: npt.NDArray[np.int64] | None = None

    def __post_init__(self) -> None:
        n = self.dose.shape[0]
        if self.response.shape != (n,) or self.is_test.shape != (n,):
            raise InputError(f"assay {self.assay!r}: dose, response and sample must have the same length")
        for name, labels in (("row", self.rows), ("column", self.columns)):
            if labels and len(labels) != n:
                raise InputError(f"assay {self.assay!r}: {name} labels must have one value per response")
        if not np.all(np.isfinite(self.response)):
            raise InputError(f"assay {self.assay!r}: responses must be finite numbers")
        if np.any(~np.isfinite(self.dose)) or np.any(self.dose < 0):
            raise InputError(f"assay {self.assay!r}: doses must be finite and >= 0")
        if self.preparation is not None and not np.array_equal(self.preparation == 1, self.is_test):
            raise InputError(f"assay {self.assay!r}: preparation code 1 must mark exactly the test responses")
        if self.is_test.all() or not self.is_test.any():
            raise InputError(
                f"assay {self.assay!r}, sample {self.sample!r}: needs responses of both the standard "
                f"(sample {STANDARD!r}) and the test preparation"
            )

    @classmethod
    def from_arrays(
        cls,
        dose_standard: npt.ArrayLike,
        response_standard: npt.ArrayLike,
        dose_test: npt.ArrayLike,
        response_test: npt.ArrayLike,
        *,
        assay: str = "1",
        sample: str = "test",
    ) -> AssayData:
        """Build from the standard's and the test's doses and responses (completely randomised design)."""
        ds = np.asarray(dose_standard, dtype=float).ravel()
        dt = np.asarray(dose_test, dtype=float).ravel()
        rs = np.asarray(response_standard, dtype=float).ravel()
        rt = np.asarray(response_test, dtype=float).ravel()
        return cls(
            assay=assay,
            sample=sample,
            dose=np.concatenate([ds, dt]),
            response=np.concatenate([rs, rt]),
            is_test=np.concatenate([np.zeros(ds.size, bool), np.ones(dt.size, bool)]),
        )

    @property
    def preparations(self) -> npt.NDArray[np.int64]:
        """Preparation code per response: 0 standard, 1 this test, 2.. other tests fitted jointly."""
        if self.preparation is not None:
            return self.preparation
        return self.is_test.astype(np.int64)

    def swapped(self) -> AssayData:
        """The same data with the roles of standard and test exchanged."""
        prep = self.preparations.copy()
        prep[self.preparations == 0], prep[self.preparations == 1] = 1, 0
        return AssayData(
            self.assay,
            self.sample,
            self.dose,
            self.response,
            ~self.is_test,
            self.rows,
            self.columns,
            None if self.preparation is None else prep,
        )

    @property
    def n_doses(self) -> tuple[int, int]:
        """Number of distinct doses of the standard and of the test."""
        return (
            int(np.unique(self.dose[~self.is_test]).size),
            int(np.unique(self.dose[self.is_test]).size),
        )


@dataclass(frozen=True)
class RatioInterval:
    """Fieller interval of a ratio ``num / den`` (``g`` >= 1 means the interval is unbounded)."""

    ratio: float
    lower: float
    upper: float
    g: float


def require_positive_doses(data: AssayData, model: str) -> None:
    """Refuse a dose <= 0 for a model on log dose, naming the assay, the preparation and the dose.

    Parameters
    ----------
    data : AssayData
        The standard and test responses of one assay.
    model : str
        The model's name as the user gave it (``parallel-line``, ``4pl``, ``5pl``).

    Raises
    ------
    InputError
        When a dose is <= 0 (e.g. blank wells at dose 0): the message names the assay, the sample
        (``standard`` or the test's name), the dose and the column ``dose``, and what to do.
    """
    bad = np.flatnonzero(~(data.dose > 0))
    if bad.size:
        i = int(bad[0])
        who = data.sample if data.is_test[i] else STANDARD
        raise InputError(
            f"assay {data.assay!r}, sample {who!r}: column 'dose' has {data.dose[i]:g} ({bad.size} "
            f"response(s) with dose <= 0); the {model} model uses log dose, every dose must be > 0: remove "
            "the blank or zero-dose wells from the file (or use the slope-ratio model, which takes dose 0)"
        )


def fieller(num: float, den: float, var_num: float, var_den: float, cov: float, t: float) -> RatioInterval:
    """Fieller's confidence interval for ``num/den`` from (co)variances already scaled by s^2.

    With m = num/den and g = t^2 var_den / den^2 the limits are (Ph. Eur. 5.3, section 3.2.5 /
    Finney 1978, Statistical Method in Biological Assay, section 2.5):
    [m - g cov/var_den +- (t/|den|) sqrt(var_num - 2 m cov + m^2 var_den - g (var_num - cov^2/var_den))]
    / (1 - g). For g >= 1 the slope is not significantly different from 0 and the limits are NaN.
    """
    if den == 0 or not all(math.isfinite(v) for v in (num, den, var_num, var_den, cov, t)):
        return RatioInterval(float("nan"), float("nan"), float("nan"), float("nan"))
    m = num / den
    g = t * t * var_den / (den * den)
    if not g < 1.0:
        return RatioInterval(m, float("nan"), float("nan"), g)
    shrink = g * (var_num - cov * cov / var_den) if var_den > 0 else 0.0
    inner = var_num - 2.0 * m * cov + m * m * var_den - shrink
    half = (t / abs(den)) * float(np.sqrt(max(inner, 0.0)))
    centre = m - g * cov / var_den if var_den > 0 else m
    lo, hi = (centre - half) / (1.0 - g), (centre + half) / (1.0 - g)
    return RatioInterval(m, min(lo, hi), max(lo, hi), g)
