"""bioparity: the evidence chain for biosimilar development.

From "which molecule?" to "here is our similarity evidence": power and sample size,
noncompartmental analysis, bioequivalence / PK similarity, comparative analytical
assessment and regulatory readiness, in one verified Python package.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bioparity")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
