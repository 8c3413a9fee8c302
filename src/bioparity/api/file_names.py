"""Meaningful names for downloaded files and their ``Content-Disposition``, e.g.
``MB-201_PK-101_pk-similarity_run-3cdd892b.pdf``: program, study, analysis kind and run, so a file saved
from the browser still says what it is once it sits in a submission folder.

Shared by the API's downloads (a run's ADaM data sets) and the web pages' (reports, result tables, audit
trail exports): the web layer imports the API, never the other way (``tests/test_import_graph.py``).
"""

from __future__ import annotations

import re
from urllib.parse import quote

_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def program_part(name: str) -> str:
    """A program's short name for file names: its name without a trailing parenthesis, so
    ``MB-201 (IgG1 mAb)`` -> ``MB-201`` (the code people file documents under)."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip() or name


def name_part(text: str) -> str:
    """One part of a file name: letters, digits, ``.`` and ``-`` kept, runs of anything else -> ``-``."""
    return _UNSAFE.sub("-", text).strip("-.") or "x"


def file_name(*parts: str, ext: str) -> str:
    """``part1_part2_..._partN.ext`` from the non-empty ``parts`` (each made safe by :func:`name_part`)."""
    return "_".join(name_part(p) for p in parts if p) + "." + ext


def run_file_name(program: str, study: str, kind: str, run_id: str, ext: str, *, part: str = "") -> str:
    """The name of a run's report or result table: ``<program>_<study>_<kind>_run-<first 8 of id>.<ext>``;
    with ``part``, one of several files of the run, named after it: ``..._run-<first 8 of id>_<part>.<ext>``
    (e.g. ``MB-201_PK-101_nca_run-3cdd892b_ADPP.xpt``, a run's ADaM data set)."""
    return file_name(program_part(program), study, kind, f"run-{run_id[:8]}", part, ext=ext)


def disposition(name: str, *, inline: bool = False) -> str:
    """A ``Content-Disposition`` value naming the file (RFC 6266; ``filename*`` for non-ASCII safety)."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
