"""Urine (excreta) NCA: amounts excreted, fe, renal clearance and excretion-rate parameters
(:func:`urine_arrays` on padded collections, :func:`urine_nca` on a long table)."""

from bioparity.nca.urine.arrays import URINE_LABELS, urine_arrays
from bioparity.nca.urine.frame import UrineResult, urine_nca

__all__ = ["URINE_LABELS", "UrineResult", "urine_arrays", "urine_nca"]
