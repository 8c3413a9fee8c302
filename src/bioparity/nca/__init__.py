"""Noncompartmental analysis (NCA), PKNCA-compatible, vectorised across profiles.

Public API: :func:`nca` (a long DataFrame in, one result), :func:`nca_arrays` (padded arrays),
:class:`NCAOptions`, :class:`BLQRule`, :class:`NCAResult` and the parameter registry ``PARAMETERS``;
:func:`nca_multiple_dose` (dose records -> dosing intervals and steady state), :func:`sparse_nca`
(mean-profile AUC with Bailer / Nedelman-Jia standard error), :func:`urine_nca` (excretion), units
(:func:`add_units`) and ``LABELS`` (parameter labels of every code, for SDTM PP and ADPP);
:func:`time_to_steady_state` (monoexponential fit of troughs, or from lambda_z) and
:func:`bioavailability` (FABS/FREL between routes or formulations).

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"subject": 1, "time": [0.0, 1.0, 3.0], "conc": [0.0, 10.0, 5.0]})
>>> res = nca(frame, parameters=["CMAX", "AUCLST"])
>>> round(float(res.value("AUCLST")[0]), 4)  # 5 (linear up) + 2*5/ln 2 (log down)
19.427
"""

from bioparity.nca.bioavailability import BIOAVAILABILITY_LABELS, BioavailabilityResult, bioavailability
from bioparity.nca.blq import BLQRule
from bioparity.nca.multiple import (
    INTERVAL_LABELS,
    TSS_LABELS,
    IntervalResult,
    SteadyStateTime,
    nca_multiple_dose,
    time_to_steady_state,
)
from bioparity.nca.options import NCAOptions
from bioparity.nca.samples import Where
from bioparity.nca.single import PARAMETERS, NCAResult, Parameter, nca, nca_arrays
from bioparity.nca.sparse import SPARSE_LABELS, SparseResult, sparse_nca
from bioparity.nca.units import add_units
from bioparity.nca.urine import URINE_LABELS, UrineResult, urine_nca

#: Label of every parameter code bioparity reports (CDISC PPTEST where one exists).
LABELS: dict[str, str] = {
    **{c: p.label for c, p in PARAMETERS.items()},
    "AUCINT": "AUC from T1 to T2",
    **INTERVAL_LABELS,
    **URINE_LABELS,
    **SPARSE_LABELS,
    **TSS_LABELS,
    **BIOAVAILABILITY_LABELS,
}

__all__ = [
    "LABELS",
    "PARAMETERS",
    "BLQRule",
    "BioavailabilityResult",
    "IntervalResult",
    "NCAOptions",
    "NCAResult",
    "Parameter",
    "SparseResult",
    "SteadyStateTime",
    "UrineResult",
    "Where",
    "add_units",
    "bioavailability",
    "nca",
    "nca_arrays",
    "nca_multiple_dose",
    "sparse_nca",
    "time_to_steady_state",
    "urine_nca",
]
