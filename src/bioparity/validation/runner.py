"""Run the validation suite on the installed build: every reference case of every area."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from bioparity import __version__
from bioparity.errors import InputError
from bioparity.progress import ProgressCallback, report
from bioparity.validation.areas import be, bioassay, caa, clinical, nca, potency, power, stability
from bioparity.validation.cases import CaseResult
from bioparity.validation.coverage import KindCoverage, kind_coverage
from bioparity.validation.system import SystemInfo, system_info

#: Computational areas and their case runners, in report order.
AREAS: dict[str, Callable[[Path], list[CaseResult]]] = {
    "power": power.run,
    "nca": nca.run,
    "be": be.run,
    "caa": caa.run,
    "clinical": clinical.run,
    "stability": stability.run,
    "bioassay": bioassay.run,
    "potency": potency.run,
}
#: Areas that spend their time in NumPy simulations (the GIL released): they run in a thread while the
#: other areas run, so that a run takes about as long as its longest part on two cores.
BACKGROUND_AREAS = ("power",)


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
    kinds : tuple of KindCoverage, default ()
        Per registered analysis kind, the reference sets that cover it and their cases in this run
        (:func:`bioparity.validation.coverage.kind_coverage`).
    """

    cases: tuple[CaseResult, ...]
    summary: tuple[AreaSummary, ...]
    system: SystemInfo
    reference_sets: tuple[dict[str, object], ...]
    reference_dir: str
    software_version: str
    kinds: tuple[KindCoverage, ...] = ()

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
        ``progress(done, total)``, called after each area (see :mod:`bioparity.progress`). The areas of
        :data:`BACKGROUND_AREAS` run in a thread alongside the others and are counted when they end;
        cases and summary stay in area order (each area's seconds are its own wall time).

    Returns
    -------
    ValidationRun
        Every case with its verdict, the per-area summary, the coverage per analysis kind and the system
        description.

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
    done: dict[str, tuple[list[CaseResult], float]] = {}

    def timed(area: str) -> tuple[list[CaseResult], float]:
        start = time.perf_counter()
        return AREAS[area](ref), time.perf_counter() - start

    with ThreadPoolExecutor(max_workers=1) as pool:
        background = {
            a: pool.submit(contextvars.copy_context().run, timed, a) for a in chosen if a in BACKGROUND_AREAS
        }
        for area in chosen:
            if area not in background:
                done[area] = timed(area)
                report(progress, len(done), len(chosen))
        for area, future in background.items():
            done[area] = future.result()
            report(progress, len(done), len(chosen))
    cases = [c for area in chosen for c in done[area][0]]
    summary = tuple(
        AreaSummary(area, len(found), sum(c.passed for c in found), round(elapsed, 2))
        for area, (found, elapsed) in ((a, done[a]) for a in chosen)
    )
    sets = tuple(s for s in manifest["sets"] if s["area"] in chosen)
    return ValidationRun(
        tuple(cases),
        summary,
        system_info(),
        sets,
        str(ref),
        __version__,
        kind_coverage(cases, {str(s["id"]) for s in manifest["sets"]}),
    )
