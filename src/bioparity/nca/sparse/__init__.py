"""Sparse (destructive) sampling: AUC of the mean profile with Bailer / Nedelman-Jia standard errors
(:func:`sparse_auc` on one group's matrix, :func:`sparse_nca` on a long table)."""

from bioparity.nca.sparse.auc import SparseAUC, linear_weights, sparse_auc
from bioparity.nca.sparse.frame import SPARSE_LABELS, SparseResult, sparse_nca

__all__ = ["SPARSE_LABELS", "SparseAUC", "SparseResult", "linear_weights", "sparse_auc", "sparse_nca"]
