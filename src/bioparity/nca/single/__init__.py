"""Single-dose NCA: the vectorised engine over padded profiles (:func:`nca_arrays`), the parameter
registry (:data:`PARAMETERS`) and the NCA of a long table (:func:`nca`), with its :class:`NCAResult`."""

from bioparity.nca.single.engine import nca_arrays
from bioparity.nca.single.frame import nca
from bioparity.nca.single.parameters import PARAMETERS, Parameter
from bioparity.nca.single.results import NCAResult

__all__ = ["PARAMETERS", "NCAResult", "Parameter", "nca", "nca_arrays"]
