"""Noncompartmental analysis (NCA), PKNCA-compatible, vectorised across profiles.

Public API: :func:`nca` (a long DataFrame in, one result), :func:`nca_arrays` (padded arrays),
:class:`NCAOptions`, :class:`BLQRule`, :class:`NCAResult` and the parameter registry ``PARAMETERS``.
"""

from bioparity.nca.blq import BLQRule
from bioparity.nca.engine import nca_arrays
from bioparity.nca.options import NCAOptions
from bioparity.nca.parameters import PARAMETERS, Parameter
from bioparity.nca.results import NCAResult

__all__ = ["PARAMETERS", "BLQRule", "NCAOptions", "NCAResult", "Parameter", "nca_arrays"]
