"""NumPy array type aliases of the numerical cores: the annotations of their arrays and result fields.

One definition for every package (float, integer, boolean, index and string arrays), not one per module.
"""

import numpy as np
import numpy.typing as npt

__all__ = ["BoolArray", "FloatArray", "IndexArray", "IntArray", "StrArray"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
IndexArray = npt.NDArray[np.intp]
StrArray = npt.NDArray[np.str_]
