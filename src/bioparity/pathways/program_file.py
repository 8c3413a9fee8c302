"""Reading a PROGRAM.yaml file into a program profile and evidence inventory.

Layout (every key of the dataclasses in :mod:`bioparity.pathways.inventory`, nothing else)::

    program:
      name: ABC-123 (adalimumab)
      modality: monoclonal_antibody
      moa_understood: true
      indications: [rheumatoid arthritis, Crohn's disease]
      reference_sourcing: {EMA: EU, FDA: EU, MHRA: EU}
    evidence:
      caa:
        - {id: glycan-afuc, name: afucosylated glycans, category: glycosylation, reference: EU, passed: true}
      pk_studies:
        - id: PK-101
          arms: [T, EU, US]
          comparisons:
            - {id: T-US-AUCinf, test: T, reference: US, metric: AUC0-inf, ratio: 0.98, ci: [0.91, 1.06]}
      manual_items:
        - {code: local_reference_used, region: NMPA, value: true}
      process_changes:
        - {id: site-transfer, change: site B vs site A, passed: true, n_attributes: 25}

A PK comparison may give its CI as ``ci: [lower, upper]`` or as ``ci_lower``/``ci_upper``, and
``passed:`` is checked against the CI (``stated_passed``). Any unknown key, missing key or value of the
wrong type is an error naming the file and the path of the entry (``evidence.caa[2].passed``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bioparity.errors import DataFileError, InputError
from bioparity.pathways.inventory import EVIDENCE_KINDS, EvidenceInventory, PKComparison, ProgramProfile


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, path: str, problem: str, expected: str | None = None) -> DataFileError:
        return DataFileError(f"at {path}: {problem}", file=self.file, expected=expected)

    def value(self, annotation: str, raw: Any, path: str) -> Any:
        optional = "None" in annotation
        kind = annotation.replace(" | None", "")
        if raw is None:
            if optional:
                return None
            raise self.fail(path, "a value is required", kind)
        if kind == "bool":
            if not isinstance(raw, bool):
                raise self.fail(path, f"got {raw!r}", "true or false")
            return raw
        if kind == "int":
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise self.fail(path, f"got {raw!r}", "an integer")
            return raw
        if kind == "float":
            if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                raise self.fail(path, f"got {raw!r}", "a number")
            return float(raw)
        if kind == "str":
            if not isinstance(raw, str):
                raise self.fail(path, f"got {raw!r}", "text")
            return raw
        if kind == "tuple[str, str]" or kind == "tuple[str, ...]":
            if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
                raise self.fail(path, f"got {raw!r}", "a list of text values")
            return tuple(raw)
        if kind == "Mapping[str, str]":
            if not isinstance(raw, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
            ):
                raise self.fail(
                    path, f"got {raw!r}", "a mapping of region code to reference source, e.g. {EMA: EU}"
                )
            return dict(raw)
        if kind == "tuple[PKComparison, ...]":
            if not isinstance(raw, list):
                raise self.fail(path, f"got {raw!r}", "a list of comparisons")
            return tuple(self.build(PKComparison, self.comparison(item, f"{path}[{i}]"), f"{path}[{i}]")
                         for i, item in enumerate(raw))  # fmt: skip
        raise AssertionError(f"no reader for {annotation}")  # pragma: no cover - a new field type

    def comparison(self, raw: Any, path: str) -> Any:
        if not isinstance(raw, dict):
            return raw
        entry = dict(raw)
        if "ci" in entry:
            ci = entry.pop("ci")
            if not (isinstance(ci, list) and len(ci) == 2):
                raise self.fail(f"{path}.ci", f"got {ci!r}", "[lower, upper]")
            entry["ci_lower"], entry["ci_upper"] = ci
        if "limits" in entry:
            limits = entry.pop("limits")
            if not (isinstance(limits, list) and len(limits) == 2):
                raise self.fail(f"{path}.limits", f"got {limits!r}", "[lower, upper], e.g. [0.80, 1.25]")
            entry["lower_limit"], entry["upper_limit"] = limits
        if "passed" in entry:
            entry["stated_passed"] = entry.pop("passed")
        return entry

    def build(self, cls: type[Any], raw: Any, path: str) -> Any:
        if not isinstance(raw, dict):
            raise self.fail(path, f"got {raw!r}", f"a mapping with the fields of {cls.__name__}")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = [k for k in raw if k not in fields]
        if unknown:
            raise self.fail(
                path, f"unknown key(s) {', '.join(map(str, unknown))}", f"keys among {', '.join(fields)}"
            )
        required = [
            n for n, f in fields.items()
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ]  # fmt: skip
        absent = [n for n in required if n not in raw]
        if absent:
            raise self.fail(path, f"missing key(s) {', '.join(absent)}")
        kwargs = {k: self.value(str(fields[k].type), v, f"{path}.{k}") for k, v in raw.items()}
        try:
            return cls(**kwargs)
        except InputError as exc:
            raise self.fail(path, str(exc)) from exc


def parse_program(data: Any, file: str = "<program>") -> tuple[ProgramProfile, EvidenceInventory]:
    """Build the profile and inventory from parsed YAML/JSON data.

    Parameters
    ----------
    data : Any
        Parsed content of a PROGRAM file: a mapping with ``program`` (the fields of
        :class:`ProgramProfile`) and optionally ``evidence`` (lists under ``caa``,
        ``analytical_bridges``, ``pk_studies``, ``immunogenicity``, ``clinical_studies``,
        ``manual_items``, ``process_changes``); see the module docstring for the layout.
    file : str, default "<program>"
        Name of the source, used in error messages.

    Returns
    -------
    tuple of (ProgramProfile, EvidenceInventory)
        The program profile and its evidence inventory.

    Raises
    ------
    DataFileError
        On an unknown or missing key, a value of the wrong type, or an invalid entry, naming ``file``
        and the path of the entry (e.g. ``evidence.caa[2].passed``).

    Examples
    --------
    >>> program, inventory = parse_program({
    ...     "program": {"name": "demo", "modality": "insulin", "moa_understood": True},
    ...     "evidence": {"manual_items": [{"code": "local_reference_used", "value": True,
    ...                                    "region": "NMPA"}]},
    ... })
    >>> program.modality, inventory.evidence_ids()
    ('insulin', ['manual:local_reference_used@NMPA'])
    """
    reader = _Reader(file)
    if not isinstance(data, dict):
        raise reader.fail(
            "top level", f"got {type(data).__name__}", "a mapping with 'program' and 'evidence'"
        )
    unknown = [k for k in data if k not in ("program", "evidence")]
    if unknown:
        raise reader.fail(
            "top level", f"unknown key(s) {', '.join(map(str, unknown))}", "'program' and 'evidence'"
        )
    if "program" not in data:
        raise reader.fail("top level", "missing key 'program'")
    program = reader.build(ProgramProfile, data["program"], "program")
    evidence = data.get("evidence") or {}
    if not isinstance(evidence, Mapping):
        raise reader.fail("evidence", f"got {evidence!r}", "a mapping of evidence kinds")
    bad = [k for k in evidence if k not in EVIDENCE_KINDS]
    if bad:
        raise reader.fail(
            "evidence",
            f"unknown key(s) {', '.join(map(str, bad))}",
            f"keys among {', '.join(EVIDENCE_KINDS)}",
        )
    items: dict[str, tuple[Any, ...]] = {}
    for key, cls in EVIDENCE_KINDS.items():
        raw = evidence.get(key) or []
        if not isinstance(raw, list):
            raise reader.fail(f"evidence.{key}", f"got {raw!r}", "a list")
        items[key] = tuple(reader.build(cls, entry, f"evidence.{key}[{i}]") for i, entry in enumerate(raw))
    try:
        inventory = EvidenceInventory(**items)
    except InputError as exc:
        raise reader.fail("evidence", str(exc)) from exc
    return program, inventory


def load_program(path: str | os.PathLike[str]) -> tuple[ProgramProfile, EvidenceInventory]:
    """Read PROGRAM.yaml; errors name the file and the entry.

    Parameters
    ----------
    path : str or os.PathLike
        Path of a UTF-8 YAML file in the layout of the module docstring.

    Returns
    -------
    program : ProgramProfile
        The ``program:`` block.
    inventory : EvidenceInventory
        The ``evidence:`` block (empty when absent).

    Raises
    ------
    DataFileError
        When the file cannot be read or is not valid YAML, or for any entry :func:`parse_program`
        rejects; the message names the file.
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"cannot be read: {exc.strerror or exc}", file=file) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataFileError(f"is not valid YAML: {exc}", file=file) from exc
    return parse_program(data, file)
