"""Multiple-dose NCA: per-interval and steady-state parameters from dose records
(:func:`nca_multiple_dose`) and the time to steady state (:func:`time_to_steady_state`)."""

from bioparity.nca.multiple.intervals import INTERVAL_LABELS, IntervalResult, nca_multiple_dose
from bioparity.nca.multiple.tss import TSS_LABELS, SteadyStateTime, time_to_steady_state

__all__ = [
    "INTERVAL_LABELS",
    "TSS_LABELS",
    "IntervalResult",
    "SteadyStateTime",
    "nca_multiple_dose",
    "time_to_steady_state",
]
