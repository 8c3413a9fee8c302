"""The installation being qualified: platform, versions of the numerical stack, hashes of installed files."""

from __future__ import annotations

import hashlib
import platform
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import bioparity

#: Packages whose versions change numerical results or the report.
KEY_PACKAGES = ("bioparity", "numpy", "scipy", "pandas", "statsmodels", "jinja2", "weasyprint", "pyyaml")


@dataclass(frozen=True)
class InstalledFile:
    """One file of the installed bioparity package and its SHA-256."""

    path: str
    sha256: str


@dataclass(frozen=True)
class SystemInfo:
    """Where the validation ran: OS, Python, package versions and the installed files with their hashes."""

    os: str
    machine: str
    python: str
    packages: tuple[tuple[str, str], ...]
    package_root: str
    files: tuple[InstalledFile, ...]

    @property
    def tree_sha256(self) -> str:
        """One hash over all installed files (path and content hash, sorted by path)."""
        h = hashlib.sha256()
        for f in self.files:
            h.update(f"{f.path}\0{f.sha256}\n".encode())
        return h.hexdigest()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def installed_files(root: Path) -> tuple[InstalledFile, ...]:
    """SHA-256 of every source and data file of the package (caches excluded), sorted by relative path."""
    files = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in {".pyc", ".pyo"}:
            continue
        files.append(
            InstalledFile(path.relative_to(root).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest())
        )
    return tuple(files)


def system_info() -> SystemInfo:
    """Describe this installation."""
    root = Path(bioparity.__file__).resolve().parent
    return SystemInfo(
        os=f"{platform.system()} {platform.release()}",
        machine=platform.machine(),
        python=f"{platform.python_implementation()} {sys.version.split()[0]}",
        packages=tuple((name, _version(name)) for name in KEY_PACKAGES),
        package_root=str(root),
        files=installed_files(root),
    )
