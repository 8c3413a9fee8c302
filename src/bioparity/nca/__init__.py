"""Noncompartmental analysis (NCA), PKNCA-compatible, vectorised across profiles.

One entry for every front end: :func:`run_nca` runs an :class:`NCASpec` (columns, grouping rule, dose,
units, settings; :mod:`bioparity.nca.spec`) on a long table, single dose or, with dose records, multiple
dose; :func:`prepare_input` resolves the spec against a table, :func:`result_table` gives the long table
with units, :func:`run_time_to_steady_state` the time to steady state.

Layout: :mod:`bioparity.nca.single` (the array engine :func:`nca_arrays`, the parameter registry
``PARAMETERS``, :func:`nca` of a long table with explicit columns, :class:`NCAResult`),
:mod:`bioparity.nca.multiple` (:func:`nca_multiple_dose`, :func:`time_to_steady_state`),
:mod:`bioparity.nca.sparse` (:func:`sparse_nca`, mean-profile AUC with Bailer / Nedelman-Jia standard
error) and :mod:`bioparity.nca.urine` (:func:`urine_nca`, excretion); shared kernels (AUC, BLQ rules,
lambda_z, padded profiles, sample validation) at the top level, with :class:`NCAOptions`,
:class:`BLQRule`, units (:func:`add_units`), ``LABELS`` (parameter labels of every code, for SDTM PP and
ADPP) and :func:`bioavailability` (FABS/FREL between routes or formulations).

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"subject": 1, "time": [0.0, 1.0, 3.0], "conc": [0.0, 10.0, 5.0]})
>>> res = run_nca(frame, NCASpec(parameters=("CMAX", "AUCLST")))
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
from bioparity.nca.run import prepare_input, result_table, run_nca, run_time_to_steady_state
from bioparity.nca.samples import Where
from bioparity.nca.single import PARAMETERS, NCAResult, Parameter, nca, nca_arrays
from bioparity.nca.sparse import SPARSE_LABELS, SparseResult, sparse_nca
from bioparity.nca.spec import AUTO, GROUP_COLUMNS, NCASpec, dose_option, spec_from_options
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
    "AUTO",
    "GROUP_COLUMNS",
    "LABELS",
    "PARAMETERS",
    "BLQRule",
    "BioavailabilityResult",
    "IntervalResult",
    "NCAOptions",
    "NCAResult",
    "NCASpec",
    "Parameter",
    "SparseResult",
    "SteadyStateTime",
    "UrineResult",
    "Where",
    "add_units",
    "bioavailability",
    "dose_option",
    "nca",
    "nca_arrays",
    "nca_multiple_dose",
    "prepare_input",
    "result_table",
    "run_nca",
    "run_time_to_steady_state",
    "sparse_nca",
    "spec_from_options",
    "time_to_steady_state",
    "urine_nca",
]
