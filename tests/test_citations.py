"""Sources are cited as a user can find them: guideline or paper with section, never a project-internal file.

A user of the package has neither the project's working notes nor its shared folder, so docstrings,
reference-data headers, the manifest and the documentation cite the primary source (guideline, section,
paper, software) instead (issue #21).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Names of project-internal documents (spelled in two parts so that this file does not match itself).
INTERNAL = ("regulatory" + ".md", "../" + "shared/", "/work/" + "shared")
SUFFIXES = {".py", ".md", ".csv", ".yaml", ".yml", ".rst", ".txt", ".j2", ".html", ".toml"}


def _texts() -> list[Path]:
    roots = [ROOT / "src", ROOT / "tests", ROOT / "docs", ROOT / "bench", ROOT / "README.md"]
    files: list[Path] = []
    for root in roots:
        candidates = [root] if root.is_file() else sorted(root.rglob("*"))
        files += [p for p in candidates if p.is_file() and p.suffix in SUFFIXES and "vendor" not in p.parts]
    return files


def test_the_scan_reads_the_sources_and_the_reference_headers() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _texts()}
    assert "src/bioparity/be/limits.py" in names
    assert "src/bioparity/validation/reference/MANIFEST.yaml" in names
    assert "src/bioparity/validation/reference/be/abel_limits_t10.csv" in names


def test_no_file_cites_a_project_internal_document() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}"
        for path in _texts()
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if any(name in line for name in INTERNAL)
    ]
    assert not found, "cite the guideline, paper or software instead of:\n" + "\n".join(found)
