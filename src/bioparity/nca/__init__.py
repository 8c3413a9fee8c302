"""Noncompartmental analysis (NCA), PKNCA-compatible, vectorised across profiles.

Public API: :func:`nca` (a long DataFrame in, one result), :func:`nca_arrays` (padded arrays),
:class:`NCAOptions`, :class:`BLQRule`, :class:`NCAResult` and the parameter registry ``PARAMETERS``.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"subject": 1, "time": [0.0, 1.0, 3.0], "conc": [0.0, 10.0, 5.0]})
>>> res = nca(frame, parameters=["CMAX", "AUCLST"])
>>> round(float(res.value("AUCLST")[0]), 4)  # 5 (linear up) + 2*5/ln 2 (log down), regulatory.md T20
19.427
"""

from bioparity.nca.blq import BLQRule
from bioparity.nca.engine import nca_arrays
from bioparity.nca.frame import nca
from bioparity.nca.options import NCAOptions
from bioparity.nca.parameters import PARAMETERS, Parameter
from bioparity.nca.results import NCAResult

__all__ = ["PARAMETERS", "BLQRule", "NCAOptions", "NCAResult", "Parameter", "nca", "nca_arrays"]
