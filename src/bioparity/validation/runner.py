"""Run the validation suite on the installed build: every reference case of every area."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from bioparity import __version__
from bioparity.errors import InputError
from bioparity.progress import ProgressCallback, report
from bioparity.validation.areas import be, caa, clinical, nca, power
from bioparity.validation.cases import CaseResult
from bioparity.validation.system import SystemInfo, system_info

#: Computational areas and their case runners, in report order.
AREAS: dict[str, Callable[[Path], list[CaseResult]]] = {
    "power": power.run,
    "nca": nca.run,
    "be": be.run,
    "caa": caa.run,
    "clinical": clinical.run,
}


def packaged_reference_dir() -> Path:
    """The reference data shipped inside the installed package.

    Returns
    -------
    pathlib.Path
        The folder ``bioparity/validation/reference`` of the installation (with ``MANIFEST.yaml``).
    """
    return Path(str(resources.files("bioparity.validation") / "reference"))


@dataclass(frozen=True)
class AreaSummary:
    """Counts of one area."""

    area: str
    cases: int
    passed: int
    seconds: float

    @property
    def failed(self) -> int:
        return self.cases - self.passed


@dataclass(frozen=True)
class ValidationRun:
    """The outcome of one validation run: cases, per-area summary, the system and the reference sets.

    Attributes
    ----------
    cases : tuple of CaseResult
        Every compared value, in run order.
    summary : tuple of AreaSummary
        Cases, passes and run time per area.
    system : SystemInfo
        Python, platform and library versions of the run.
    reference_sets : tuple of dict
        The reference sets used (name, source, files with SHA-256), from ``MANIFEST.yaml``.
    reference_dir : str
        The folder the reference data were read from.
    software_version : str
        bioparity's version.
    """

    cases: tuple[CaseResult, ...]
    summary: tuple[AreaSummary, ...]
    system: SystemInfo
    reference_sets: tuple[dict[str, object], ...]
    reference_dir: str
    software_version: str

    @property
    def passed(self) -> bool:
        """True when every case passed (and there was at least one)."""
        return bool(self.cases) and all(c.passed for c in self.cases)

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        return tuple(c for c in self.cases if not c.passed)


def run_validation(
    areas: Sequence[str] | None = None,
    reference_dir: Path | None = None,
    progress: ProgressCallback | None = None,
) -> ValidationRun:
    """Run the reference cases of ``areas`` (all by default) against ``reference_dir`` (the packaged data).

    Parameters
    ----------
    areas : sequence of str, optional
        Areas to run (``power``, ``nca``, ``be``, ...); all by default.
    reference_dir : pathlib.Path, optional
        Folder with ``MANIFEST.yaml`` and the reference files; default :func:`packaged_reference_dir`.
    progress : callable, optional
        ``progress(done, total)``, called after each area (see :mod:`bioparity.progress`).

    Returns
    -------
    ValidationRun
        Every case with its verdict, the per-area summary and the system description.

    Raises
    ------
    InputError
        For an unknown area.
    """
    chosen = list(AREAS) if not areas else [a.strip().lower() for a in areas]
    unknown = [a for a in chosen if a not in AREAS]
    if unknown:
        raise InputError(
            f"unknown validation area(s) {', '.join(unknown)}; expected some of {', '.join(AREAS)}"
        )
    ref = reference_dir or packaged_reference_dir()
    manifest = yaml.safe_load((ref / "MANIFEST.yaml").read_text(encoding="utf-8"))
    cases: list[CaseResult] = []
    summary = []
    for area in chosen:
        start = time.perf_counter()
        area_cases = AREAS[area](ref)
        elapsed = time.perf_counter() - start
        cases.extend(area_cases)
        summary.append(
            AreaSummary(area, len(area_cases), sum(c.passed for c in area_cases), round(elapsed, 2))
        )
        report(progress, len(summary), len(chosen))
    sets = tuple(s for s in manifest["sets"] if s["area"] in chosen)
    return ValidationRun(tuple(cases), tuple(summary), system_info(), sets, str(ref), __version__)
