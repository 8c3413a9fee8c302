"""Below-limit-of-quantification (BLQ) handling, PKNCA ``clean.conc.blq`` semantics, vectorised.

A BLQ sample is one flagged BLQ by the data or with a concentration of exactly 0 (PKNCA's convention).
Each BLQ sample is *first* (at or before the first measurable sample; all of them when none is
measurable), *middle* (between the first and last measurable samples) or *last* (after the last
measurable one). Each position has an action: ``"keep"`` (kept as 0), ``"drop"`` or a number
(imputed). PKNCA's default is first keep, middle drop, last keep. Missing concentrations (NaN) are
dropped and counted, never silently: the counts are part of the result.

A BLQ (or 0) sample at or before the dose (time <= 0) that the rule keeps as 0 is the expected pre-dose
baseline, not a handling of BLQ data: it is neither counted in ``n_blq_kept`` nor sets ``blq_imputed``
(PKNCA's default keeps it as 0 without a note: ``clean.conc.blq``, Denney et al. 2015). One imputed with a
number, and every BLQ sample after the dose kept or imputed, is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bioparity.errors import InputError
from bioparity.nca.profiles import (
    BoolArray,
    FloatArray,
    IntArray,
    compact_left,
    first_true_index,
    last_true_index,
)

BLQAction = str | float


def _check_action(name: str, action: BLQAction) -> BLQAction:
    if isinstance(action, str):
        if action not in {"keep", "drop"}:
            raise InputError(f"BLQ rule for {name} = {action!r}; expected 'keep', 'drop' or a number >= 0")
        return action
    value = float(action)
    if not np.isfinite(value) or value < 0:
        raise InputError(f"BLQ rule for {name} = {action!r}; expected 'keep', 'drop' or a number >= 0")
    return value


@dataclass(frozen=True)
class BLQRule:
    """What to do with BLQ samples at each position (PKNCA ``conc.blq``).

    Parameters
    ----------
    first : {"keep", "drop"} or float, default "keep"
        Action for BLQ samples at or before the first measurable sample (all BLQ samples of a profile
        with none measurable): ``"keep"`` keeps them as concentration 0, ``"drop"`` removes them, a
        number >= 0 imputes that concentration (in the concentration unit of the data).
    middle : {"keep", "drop"} or float, default "drop"
        Action for BLQ samples between the first and the last measurable samples.
    last : {"keep", "drop"} or float, default "keep"
        Action for BLQ samples after the last measurable sample.

    Raises
    ------
    bioparity.errors.InputError
        When an action is neither ``"keep"``, ``"drop"`` nor a finite number >= 0.

    References
    ----------
    Denney W, Duvvuri S, Buckeridge C. Simple, automatic noncompartmental analysis: the PKNCA R
    package. J Pharmacokinet Pharmacodyn 2015;42(S1):S65 (``clean.conc.blq``, default
    ``conc.blq = list(first = "keep", middle = "drop", last = "keep")``).

    Examples
    --------
    >>> BLQRule.parse("keep,drop,0.5").describe()
    'first=keep, middle=drop, last=0.5'
    """

    first: BLQAction = "keep"
    middle: BLQAction = "drop"
    last: BLQAction = "keep"

    def __post_init__(self) -> None:
        for name in ("first", "middle", "last"):
            _check_action(name, getattr(self, name))

    @classmethod
    def parse(cls, text: str) -> BLQRule:
        """``"pknca"`` (default), ``"drop"``, ``"zero"`` or three actions ``first,middle,last``."""
        t = text.strip().lower()
        if t in {"pknca", "default"}:
            return cls()
        if t == "drop":
            return cls("drop", "drop", "drop")
        if t in {"zero", "keep"}:
            return cls("keep", "keep", "keep")
        parts = [p.strip() for p in t.split(",")]
        if len(parts) != 3:
            raise InputError(
                f"BLQ rule {text!r} not understood; expected 'pknca', 'drop', 'zero' or 'first,middle,last' "
                "with each of keep, drop or a number (e.g. 'keep,drop,keep')"
            )
        actions: list[BLQAction] = []
        for name, p in zip(("first", "middle", "last"), parts, strict=True):
            try:
                actions.append(float(p))
            except ValueError:
                actions.append(_check_action(name, p))
        return cls(*actions)

    def describe(self) -> str:
        return f"first={self.first}, middle={self.middle}, last={self.last}"


@dataclass(frozen=True)
class CleanProfiles:
    """Profiles after BLQ and missing-value handling, left-compacted and NaN padded."""

    time: FloatArray
    conc: FloatArray
    n_points: IntArray
    blq_imputed: BoolArray
    n_blq_dropped: IntArray
    n_missing_dropped: IntArray
    #: BLQ (or 0) samples the rule keeps, as 0 or as a number it sets, per profile; a pre-dose one kept as 0
    #: (the baseline, time <= 0) is not counted.
    n_blq_kept: IntArray


def clean_blq(time: FloatArray, conc: FloatArray, blq: BoolArray | None, rule: BLQRule) -> CleanProfiles:
    """Apply ``rule`` to every profile; ``blq`` marks BLQ samples (conc == 0 counts as BLQ too).

    ``blq_imputed`` and ``n_blq_kept`` leave out the pre-dose baseline: a *first* BLQ sample at time <= 0
    kept as 0 (see the module docstring)."""
    present = ~np.isnan(time)
    missing = present & np.isnan(conc)
    valid = present & ~missing
    is_blq = valid & (conc == 0)
    if blq is not None:
        is_blq |= valid & blq
    measurable = valid & ~is_blq
    first_idx = first_true_index(measurable)
    last_idx = last_true_index(measurable)
    none = first_idx < 0
    cols = np.arange(time.shape[1])[None, :]
    # With nothing measurable every BLQ sample is "first" (PKNCA sets tfirst to the last time).
    first_idx = np.where(none, time.shape[1], first_idx)
    last_idx = np.where(none, time.shape[1] + 1, last_idx)
    position = {
        "first": is_blq & (cols <= first_idx[:, None]),
        "middle": is_blq & (cols > first_idx[:, None]) & (cols < last_idx[:, None]),
        "last": is_blq & (cols >= last_idx[:, None]),
    }
    keep = valid.copy()
    new_conc = np.where(is_blq, 0.0, conc)
    imputed = np.zeros(time.shape[0], dtype=bool)
    dropped = np.zeros(time.shape[0], dtype=np.int64)
    kept = np.zeros(time.shape[0], dtype=np.int64)
    for name, mask in position.items():
        action = getattr(rule, name)
        if action == "drop":
            keep &= ~mask
            dropped += mask.sum(axis=1)
        else:
            if action != "keep":
                new_conc = np.where(mask, float(action), new_conc)
            elif name == "first":  # the pre-dose baseline kept as 0 is no BLQ handling
                mask = mask & ~(time <= 0)
            imputed |= mask.any(axis=1)
            kept += mask.sum(axis=1)
    if np.all(keep[:, 1:] <= keep[:, :-1]):  # kept samples already first in every row: no reordering
        t = np.where(keep, time, np.nan)
        c = np.where(keep, new_conc, np.nan)
    else:
        t, c = compact_left(keep, time, new_conc)
    return CleanProfiles(
        time=t,
        conc=c,
        n_points=keep.sum(axis=1).astype(np.int64),
        blq_imputed=imputed,
        n_blq_dropped=dropped,
        n_missing_dropped=missing.sum(axis=1).astype(np.int64),
        n_blq_kept=kept,
    )
