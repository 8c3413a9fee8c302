"""Datasets: uploaded files stored once by SHA-256, immutable, versioned by name within a study.

An upload is validated before anything is stored (against the reader of the analysis kind it is meant
for, or as a plain CSV table), and everything it writes — bytes, dataset row, audit row — is in one
transaction: a rejected or failed upload leaves the store unchanged. It runs in three steps so that a
server can parse outside any transaction (a large file must not hold the SQLite write lock):
:func:`check_upload` (reads the store), :func:`parse_upload` (no store) and :func:`store_upload` (a short
write). Each dataset record carries
a MAC with the audit key (:mod:`bioparity.workspace.sealing`), checked whenever its bytes are read, so a
blob swapped and re-pointed by someone without the key is refused rather than served.

Files are parsed from a private temporary folder named ``bioparity-upload-<pid>-*`` that is removed
afterwards; :func:`clean_stale_upload_folders` removes those of processes that died (kill -9) and runs
when a server starts.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import Any

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bioparity.analyses.contract import Analysis
from bioparity.analyses.frames import result_frame
from bioparity.analyses.registry import all_analyses, get_analysis
from bioparity.audit import sha256_hex
from bioparity.delimited import OTHER_SEPARATORS, other_separator, require_comma_separated_header
from bioparity.errors import BioparityError, DataFileError, InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.io import read_table
from bioparity.io.readers import FORMATS, read_any_table
from bioparity.io.tables_out import csv_bytes
from bioparity.nca.unit_column import convert_conc_column
from bioparity.store.models import AnalysisRun, Blob, Dataset, Signature, Study, new_id
from bioparity.workspace.access import Actor, require_dataset, require_run, require_study
from bioparity.workspace.events import record_change
from bioparity.workspace.roles import Permission
from bioparity.workspace.sealing import dataset_mac, dataset_sealed
from bioparity.workspace.text import NAME_MAX, plain_text, reason_text

MAX_UPLOAD_BYTES = 50 * 1024 * 1024

#: Temporary folders of uploads being parsed: ``bioparity-upload-<pid>-<random>``.
UPLOAD_FOLDER_PREFIX = "bioparity-upload-"
_OWNED = re.compile(rf"^{re.escape(UPLOAD_FOLDER_PREFIX)}(\d+)-")
# Folders of versions before the pid was in the name: ``bioparity-<8 random characters>``.
_LEGACY = re.compile(r"^bioparity-[a-z0-9_]{8}$")
LEGACY_FOLDER_AGE_S = 3600.0


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def clean_stale_upload_folders(folder: Path | None = None) -> list[Path]:
    """Remove upload folders left in the temporary directory by processes that no longer run.

    A folder whose name carries the id of a live process is kept (it may be in use); old-style folders
    without a process id are removed once older than an hour. Returns the folders removed.
    """
    base = Path(folder or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        owned = _OWNED.match(entry.name)
        try:
            if not entry.is_dir() or entry.is_symlink():
                continue
            if owned is not None:
                stale = not _process_alive(int(owned.group(1)))
            else:
                stale = bool(_LEGACY.match(entry.name)) and now - entry.stat().st_mtime > LEGACY_FOLDER_AGE_S
        except OSError:
            continue
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            if not entry.exists():
                removed.append(entry)
    return removed


def _safe_filename(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name.strip()
    if not name or name in {".", ".."}:
        raise InputError(_("filename %(name)r has no usable file name, e.g. 'grid.csv'") % {"name": filename})
    return name


#: Text files whose header line a column mapping renames.
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


def unit_option_names() -> tuple[str, ...]:
    """The options holding the units of input columns, over every registered kind (``conc_unit``,
    ``time_unit``, ...): the units an upload may carry, stored with the dataset."""
    names: dict[str, None] = {}
    for analysis in all_analyses().values():
        names.update(dict.fromkeys(o.name for o in analysis.unit_options))
    return tuple(names)


@dataclass(frozen=True)
class ColumnMap:
    """The mapping stored with a dataset (:func:`column_map_json`): ``rename`` (file column -> the
    column the kind expects), ``units`` (unit option -> unit) and ``unit_columns`` (expected column ->
    the file column giving its unit per row, see :attr:`InputColumn.unit_columns`)."""

    rename: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)
    unit_columns: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None) -> ColumnMap:
        """The mapping of a stored :func:`column_map_json` (empty for None)."""
        if not text:
            return cls()
        data = json.loads(text)
        return cls(
            dict(data.get("rename", {})), dict(data.get("units", {})), dict(data.get("unit_columns", {}))
        )


def column_map_json(
    rename: Mapping[str, str] | None,
    units: Mapping[str, str] | None,
    unit_columns: Mapping[str, str] | None = None,
) -> str | None:
    """The mapping stored with a dataset: ``{"rename": {file column: expected}, "units": {...}}`` (and
    ``"unit_columns": {expected column: file column}`` when a file gives units per row) as canonical
    JSON, or None when nothing is renamed, no unit given and no unit column chosen. Identity entries
    are dropped; two file columns mapped to one expected column, and a unit column that is also mapped
    to an expected column, are refused."""
    pairs = {
        plain_text(k, gettext_noop("mapped column"), max_length=200): plain_text(
            v, gettext_noop("expected column"), max_length=200
        )
        for k, v in (rename or {}).items()
        if k.strip() and v.strip() and k.strip() != v.strip()
    }
    targets = list(pairs.values())
    doubled = sorted({t for t in targets if targets.count(t) > 1})
    if doubled:
        raise InputError(
            _("column mapping: several file columns are mapped to %(columns)s")
            % {"columns": ", ".join(doubled)}
        )
    known = unit_option_names()
    unknown = sorted(set(units or {}) - set(known))
    if unknown:
        raise InputError(
            _("units %(unknown)s are unknown; expected %(known)s")
            % {"unknown": unknown, "known": ", ".join(known)}
        )
    chosen = {k: plain_text(v, k, max_length=40) for k, v in (units or {}).items() if v.strip()}
    per_row = {
        plain_text(k, gettext_noop("expected column"), max_length=200): plain_text(
            v, gettext_noop("unit column"), max_length=200
        )
        for k, v in (unit_columns or {}).items()
        if v.strip()
    }
    for target, source in per_row.items():
        if source in pairs or source in pairs.values() or source == target:
            values = {"source": source, "target": target, "mapped": pairs.get(source)}
            raise InputError(
                _(
                    "column mapping: %(source)r cannot give the unit of %(target)s per row and also be "
                    "mapped to %(mapped)s; choose the column that holds the units"
                )
                % values
                if source in pairs
                else _(
                    "column mapping: %(source)r cannot give the unit of %(target)s per row and also be "
                    "an expected column; choose the column that holds the units"
                )
                % values
            )
    if not pairs and not chosen and not per_row:
        return None
    stored: dict[str, Any] = {"rename": pairs, "units": chosen}
    if per_row:  # left out otherwise: mappings stored before unit columns keep their exact text
        stored["unit_columns"] = per_row
    return json.dumps(stored, sort_keys=True, separators=(",", ":"))


def parse_column_map(text: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """``(rename, units)`` of a stored :func:`column_map_json` (empty for None)."""
    mapping = ColumnMap.parse(text)
    return dict(mapping.rename), dict(mapping.units)


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def header_columns(content: bytes, filename: str) -> list[str]:
    """The columns of a delimited text file's header line ([] for another format or undecodable bytes)."""
    if not filename.lower().endswith(_TEXT_SUFFIXES):
        return []
    try:
        first = content.decode("utf-8-sig").split("\n", 1)[0].rstrip("\r")
    except UnicodeDecodeError:
        return []
    return [c.strip() for c in next(csv.reader([first], delimiter=_delimiter(first)), [])]


def require_separator(content: bytes, filename: str, analysis: Analysis | None) -> None:
    """Refuse a delimited text file separated by semicolons or tabs when the reader of ``analysis`` (a
    plain CSV table when None) reads commas only (:attr:`Analysis.separators`), with the readers' message
    (:func:`bioparity.delimited.require_comma_separated_header`): before its columns are mapped, since no
    mapping can make the reader take it."""
    if not filename.lower().endswith(_TEXT_SUFFIXES):
        return
    try:
        first = content.decode("utf-8-sig").split("\n", 1)[0].rstrip("\r")
    except UnicodeDecodeError:
        return  # the reader names the first byte that is not UTF-8
    header = next(csv.reader([first]), [])
    accepted = {OTHER_SEPARATORS.get(s) for s in ((",",) if analysis is None else analysis.separators)}
    if other_separator(header) not in accepted:
        require_comma_separated_header(header, filename)


def detect_unit_columns(
    analysis: Analysis, header: Sequence[str], rename: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Expected column -> the header column that gives its unit per row, found by the usual names of
    :attr:`InputColumn.unit_columns` (letter case ignored, the first name listed first); columns
    mapped to an expected column are not candidates. None in a layout the kind reads by its own rules
    (:attr:`Analysis.layout`, e.g. PCSTRESU of an SDTM PC domain for NCA)."""
    if not rename and analysis.layout_of(header) is not None:
        return {}
    free = [c for c in header if c not in (rename or {})]
    found: dict[str, str] = {}
    for column in analysis.columns:
        for name in column.unit_columns:
            match = next((c for c in free if c.casefold() == name.casefold()), None)
            if match is not None:
                found[column.name] = match
                break
    return found


def check_mapping(
    analysis: Analysis | None, rename: Mapping[str, str], unit_columns: Mapping[str, str]
) -> None:
    """A mapping names columns of the analysis kind: renamed columns become columns it expects, unit
    columns give the units of columns that may have units per row (InputError listing the accepted)."""
    if analysis is None:
        if any(v.strip() for v in rename.values()) or any(v.strip() for v in unit_columns.values()):
            raise InputError(
                _("a column mapping maps to the columns of an analysis kind: give analysis_kind too")
            )
        return
    expected = analysis.expected_columns
    wrong = sorted({v for v in rename.values() if v.strip() and v not in expected})
    if wrong:
        raise InputError(
            _("column mapping: %(wrong)s is not a column of %(kind)s; expected one of %(expected)s")
            % {"wrong": ", ".join(wrong), "kind": analysis.name, "expected": ", ".join(expected)}
        )
    per_row = [c.name for c in analysis.columns if c.unit_columns]
    wrong = sorted(k for k, v in unit_columns.items() if v.strip() and k not in per_row)
    if wrong:
        accepted = ", ".join(per_row) or _("none")
        raise InputError(
            _(
                "unit columns: %(kind)s does not take the units of %(wrong)s per row; "
                "columns that may have units per row: %(accepted)s"
            )
            % {"kind": analysis.name, "wrong": ", ".join(wrong), "accepted": accepted}
        )


def convert_unit_columns(
    frame: pd.DataFrame,
    analysis: Analysis,
    unit_columns: Mapping[str, str],
    units: Mapping[str, Any],
    *,
    filename: str | None = None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The table with each column that has a unit column converted, row by row, into one unit.

    The unit is that of the column's ``unit_option`` in ``units`` (the run's options or the units given
    at upload), or when empty the unit of the first row with a number. Returns the table (the unit
    column then holds that unit on every row) and unit option -> unit used. Errors name the row and
    column: an empty, unknown or inconvertible unit (:func:`bioparity.nca.unit_column.convert_conc_column`,
    which keeps BLQ markers as they are).
    """
    used: dict[str, str] = {}
    columns = {c.name: c for c in analysis.columns}
    lines = (filename or "").lower().endswith(_TEXT_SUFFIXES)  # a text file's line = row + 1
    for target, source in unit_columns.items():
        column = columns.get(target)
        if column is None or column.unit_option is None:
            continue  # a mapping of another kind's column: nothing of this kind to convert
        wanted = str(units.get(column.unit_option) or "").strip() or None
        try:
            frame, unit = convert_conc_column(
                frame,
                conc=target,
                unit_column=source,
                target=wanted,
                target_source=f"option {column.unit_option}",
            )
        except DataFileError as exc:
            raise exc.relocated(filename, row=exc.row, line=exc.line if lines else None) from None
        frame[source] = unit
        used[column.unit_option] = unit
    return frame, used


def rename_header(content: bytes, filename: str, rename: Mapping[str, str]) -> bytes:
    """The file with its header line's columns renamed (every other byte, and so every line number, kept).

    Only delimited text files can be mapped; a column named in the mapping must be in the header, and a
    new name must not already be one of its columns.
    """
    if not rename:
        return content
    if not filename.lower().endswith(_TEXT_SUFFIXES):
        raise InputError(
            _("%(file)s: a column mapping applies to CSV files; rename the columns in the file instead")
            % {"file": filename}
        )
    text = content.decode("utf-8-sig")
    end = len(text.split("\n", 1)[0])
    header = text[:end].rstrip("\r")
    delimiter = _delimiter(header)
    columns = next(csv.reader([header], delimiter=delimiter))
    stripped = [c.strip() for c in columns]
    missing = [k for k in rename if k not in stripped]
    if missing:
        raise DataFileError(
            _("column(s) %(missing)s chosen in the mapping are not in the header; columns found: %(found)s")
            % {"missing": ", ".join(map(repr, missing)), "found": ", ".join(stripped)},
            file=filename,
            line=1,
            expected=_("a mapping naming columns of the file"),
        )
    clash = [v for k, v in rename.items() if v in stripped and v not in rename]
    if clash:
        raise DataFileError(
            _("the file already has column(s) %(columns)s; map that column instead of another one")
            % {"columns": ", ".join(clash)},
            file=filename,
            line=1,
            column=clash[0],
        )
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow([rename.get(c, c) for c in stripped])
    return (out.getvalue() + text[len(header) :]).encode("utf-8")


def read_stored(
    content: bytes,
    filename: str,
    reader: Callable[[Path], pd.DataFrame],
    rename: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Run a file reader on stored bytes (header columns renamed by ``rename`` first); errors name the
    dataset's file, not a temporary path."""
    content = rename_header(content, filename, rename or {})
    with tempfile.TemporaryDirectory(prefix=f"{UPLOAD_FOLDER_PREFIX}{os.getpid()}-") as folder:
        path = Path(folder) / filename
        path.write_bytes(content)
        try:
            return reader(path)
        except DataFileError as exc:
            raise exc.relocated(filename, row=exc.row, line=exc.line) from None


def read_plain_csv(path: Path) -> pd.DataFrame:
    """The check applied to a dataset not meant for a particular analysis: a CSV with a header and rows."""
    return read_table(path, [])


def _store_blob(session: Session, digest: str, content: bytes) -> None:
    """Insert the bytes unless already stored; concurrent uploads of the same bytes both succeed."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Blob).values(sha256=digest, size=len(content), content=content)
    session.execute(statement.on_conflict_do_nothing(index_elements=["sha256"]))


@dataclass(frozen=True)
class PendingUpload:
    """An upload that passed the checks that need the store (permission, name, size, kind), not yet parsed.

    ``n_rows`` is None until :func:`parse_upload` has read the file with the kind's reader.
    """

    study_id: str
    name: str
    filename: str
    content: bytes
    sha256: str
    media_type: str
    analysis_kind: str | None
    derived_from_run: str | None
    n_rows: int | None = None
    column_map: str | None = None
    reason: str | None = None


class ReasonRequiredError(InputError):
    """A new version of a dataset whose earlier version a signed run used, uploaded without a reason
    (EU GMP Annex 11 section 9: the replacement of data behind signed evidence is a GMP-relevant change)."""


def option_dataset_ids(run: AnalysisRun) -> dict[str, str]:
    """The datasets named by the options of type ``dataset`` that ``run`` set (option name -> dataset id,
    e.g. NCA's ``dosing``); empty for a kind no longer registered."""
    analysis = all_analyses().get(run.kind)
    options = json.loads(run.options_json or "{}")
    if analysis is None or not isinstance(options, dict):
        return {}
    return {o.name: str(options[o.name]) for o in analysis.dataset_options if options.get(o.name)}


def signed_run_of(session: Session, study_id: str, name: str) -> str | None:
    """The id of the first signed run that used a stored version of dataset ``name`` of the study, as its
    main dataset or as a dataset an option names (e.g. NCA's ``dosing``; options name datasets of the
    run's own study, checked when it was submitted); None when none did."""
    versions = list(
        session.scalars(select(Dataset.id).where(Dataset.study_id == study_id, Dataset.name == name))
    )
    if not versions:
        return None
    # Options are stored as JSON text: a run whose text names none of the ids cannot use one (the
    # candidates are then read as the run reads them, option by option).
    named = or_(
        AnalysisRun.dataset_id.in_(versions), *(AnalysisRun.options_json.contains(i) for i in versions)
    )
    query = (
        select(AnalysisRun)
        .where(AnalysisRun.study_id == study_id, named)
        .where(select(Signature.id).where(Signature.run_id == AnalysisRun.id).exists())
        .order_by(AnalysisRun.created_at, AnalysisRun.id)
    )
    for run in session.scalars(query):
        if run.dataset_id in versions or set(option_dataset_ids(run).values()) & set(versions):
            return run.id
    return None


def upload_reason(session: Session, study_id: str, name: str, reason: str | None) -> str | None:
    """The checked reason of an upload: required (:class:`ReasonRequiredError` when missing) when a signed
    run used an earlier version of the name, else optional (checked when given)."""
    if reason is not None and reason.strip():
        try:
            return reason_text(reason)
        except InputError as exc:  # too long, a control character: the form shows it by the reason field
            raise ReasonRequiredError(str(exc)) from None
    run_id = signed_run_of(session, study_id, name)
    if run_id is None:
        return None
    raise ReasonRequiredError(
        _(
            "reason must not be empty: the signed run %(run)s used an earlier version of dataset %(name)r; "
            "say why it is replaced"
        )
        % {"run": run_id[:8], "name": name}
    )


def check_upload(
    session: Session,
    actor: Actor,
    study_id: str,
    *,
    name: str,
    filename: str,
    content: bytes,
    media_type: str = "text/csv",
    analysis_kind: str | None = None,
    derived_from_run: str | None = None,
    rename: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    unit_columns: Mapping[str, str] | None = None,
    reason: str | None = None,
) -> PendingUpload:
    """The cheap checks of an upload (only reads the store): the caller may write data in the study, the
    name and file name are acceptable, the file is not too large and the analysis kind exists, and a
    ``reason`` is given when a signed run used an earlier version of the name (:func:`upload_reason`).

    ``rename`` maps file columns to the names the kind expects (e.g. ``Subject -> subject``), ``units``
    holds unit options (``conc_unit``, ``time_unit``, ...) and ``unit_columns`` maps expected columns to
    the file column giving their unit per row (e.g. ``conc -> PCSTRESU``; None: found by the usual names
    in a CSV header, ``{}``: none); all are checked against the kind and stored with the dataset."""
    study, _program = require_study(session, actor, study_id, Permission.write_data)
    name = plain_text(name, gettext_noop("dataset name"), max_length=NAME_MAX)
    reason = upload_reason(session, study.id, name, reason)
    if len(content) > MAX_UPLOAD_BYTES:
        raise InputError(
            _("file too large: %(size)d bytes; at most %(max)d bytes")
            % {"size": len(content), "max": MAX_UPLOAD_BYTES}
        )
    filename = _safe_filename(plain_text(filename, gettext_noop("filename"), max_length=255))
    analysis = None if analysis_kind is None else get_analysis(analysis_kind)
    check_mapping(analysis, rename or {}, unit_columns or {})
    require_separator(content, filename, analysis)
    if unit_columns is None:
        unit_columns = {}
        if analysis is not None:
            unit_columns = detect_unit_columns(analysis, header_columns(content, filename), rename)
    return PendingUpload(
        study_id=study.id,
        name=name,
        filename=filename,
        content=content,
        sha256=sha256_hex(content),
        media_type=media_type,
        analysis_kind=analysis_kind,
        derived_from_run=derived_from_run,
        column_map=column_map_json(rename, units, unit_columns),
        reason=reason,
    )


def parse_upload(pending: PendingUpload) -> PendingUpload:
    """Read the file with the reader of its analysis kind (or as a plain CSV table); needs no store, so
    servers run it outside any transaction. Raises DataFileError naming the file, row and column.

    Units given per row are converted once here to check them; a unit left empty at upload becomes the
    unit of the first row with a number, stored with the mapping (the default of the run's option)."""
    analysis = None if pending.analysis_kind is None else get_analysis(pending.analysis_kind)
    mapping = ColumnMap.parse(pending.column_map)
    frame = read_stored(
        pending.content,
        pending.filename,
        read_plain_csv if analysis is None else analysis.read,
        mapping.rename,
    )
    column_map = pending.column_map
    if analysis is not None and mapping.unit_columns:
        _frame, used = convert_unit_columns(
            frame, analysis, mapping.unit_columns, mapping.units, filename=pending.filename
        )
        column_map = column_map_json(mapping.rename, {**used, **mapping.units}, mapping.unit_columns)
    return replace(pending, n_rows=len(frame), column_map=column_map)


def read_mapped(
    content: bytes,
    filename: str,
    column_map: str | None,
    analysis: Analysis,
    options: Mapping[str, Any],
) -> pd.DataFrame:
    """A stored file as the kind reads it for a run: its reader on the file with the dataset's columns
    renamed (:func:`read_stored`), then the units given per row converted into the unit of the run's
    ``options`` (:func:`convert_unit_columns`)."""
    mapping = ColumnMap.parse(column_map)
    frame = read_stored(content, filename, analysis.read, mapping.rename)
    return convert_unit_columns(frame, analysis, mapping.unit_columns, options, filename=filename)[0]


def mapped_table(
    dataset: Dataset, content: bytes | None, options: Mapping[str, Any] | None = None
) -> pd.DataFrame | None:
    """A stored file as a plain table for plots, with the dataset's mapping applied (:func:`apply_mapping`);
    None when there is no content or the file cannot be read as a table (:func:`plain_table`)."""
    frame = None if content is None else plain_table(content, dataset.filename)
    return None if frame is None else apply_mapping(frame, dataset, options)


def plain_table(content: bytes, filename: str) -> pd.DataFrame | None:
    """A stored file read once as a plain table, by the format of its name: delimited text by pandas (the
    types of its columns inferred), any other format the upload takes (XLSX, Parquet, SAS XPT) by the
    readers of the upload and the analyses (:func:`bioparity.io.readers.read_any_table` on the stored
    bytes, :func:`read_stored`), columns of numbers as numbers. None when the format is not one of them or
    the file cannot be read so."""
    name = filename.lower()
    if name.endswith(_TEXT_SUFFIXES):
        try:
            return pd.read_csv(io.BytesIO(content), sep="\t" if name.endswith(".tsv") else ",")
        except (ValueError, UnicodeDecodeError):
            return None
    if PurePath(name).suffix not in FORMATS:
        return None
    try:
        frame = read_stored(content, filename, lambda path: read_any_table(path, label=filename).frame)
    except BioparityError:
        return None
    return frame.infer_objects()  # an XLSX sheet is read as objects: its columns of numbers as numbers


def apply_mapping(
    frame: pd.DataFrame, dataset: Dataset, options: Mapping[str, Any] | None = None
) -> pd.DataFrame | None:
    """A dataset's file read as a plain table, as its analyses see it: columns renamed by the stored
    mapping, and units given per row converted into the unit of ``options`` (else the unit stored at
    upload). None when the units cannot be converted (nothing is drawn rather than mixed units)."""
    mapping = ColumnMap.parse(dataset.column_map)
    frame = frame.rename(columns=dict(mapping.rename))
    if not mapping.unit_columns or dataset.validated_for is None:
        return frame
    given = {k: v for k, v in (options or {}).items() if v not in ("", None)}
    try:
        analysis = get_analysis(dataset.validated_for)
        return convert_unit_columns(frame, analysis, mapping.unit_columns, {**mapping.units, **given})[0]
    except BioparityError:
        return None


def store_upload(session: Session, actor: Actor, pending: PendingUpload) -> Dataset:
    """Write a parsed upload as the next version of its dataset name (a short write transaction).

    The permission is checked again (it may have changed since :func:`check_upload`). Two uploads of
    the same name at once queue on the study's row (``SELECT ... FOR UPDATE``), so each reads the version the
    previous one wrote; should a flush still lose a race on the unique key, it raises IntegrityError and the
    server retries the whole write (see ``bioparity.api.deps.write_unit``).
    """
    if pending.n_rows is None:
        raise ValueError("store_upload needs an upload that went through parse_upload")
    study, program = require_study(session, actor, pending.study_id, Permission.write_data)
    _store_blob(session, pending.sha256, pending.content)
    # Writers of one study queue on its row (PostgreSQL; SQLite's BEGIN IMMEDIATE already queues every
    # writer), so the version number below is read after the previous upload committed: many uploads of
    # one name at once then all succeed instead of racing on the unique key until the retries run out.
    session.execute(select(Study.id).where(Study.id == study.id).with_for_update())
    latest = session.scalar(
        select(func.max(Dataset.version)).where(Dataset.study_id == study.id, Dataset.name == pending.name)
    )
    # Again in the write transaction: a run of the name may have been signed since check_upload.
    reason = upload_reason(session, study.id, pending.name, pending.reason)
    dataset = Dataset(
        id=new_id(),
        study_id=study.id,
        name=pending.name,
        version=(latest or 0) + 1,
        sha256=pending.sha256,
        filename=pending.filename,
        media_type=pending.media_type,
        validated_for=pending.analysis_kind,
        n_rows=pending.n_rows,
        created_by=actor.user_id,
        derived_from_run=pending.derived_from_run,
        column_map=pending.column_map,
    )
    dataset.mac = dataset_mac(dataset)
    session.add(dataset)
    session.flush()
    record_change(session, actor, "upload", "dataset", dataset, program, reason=reason)
    return dataset


def upload_dataset(session: Session, actor: Actor, study_id: str, **upload: Any) -> Dataset:
    """Validate and store a new version of a dataset in the study, all in the caller's session
    (:func:`check_upload` with the keywords ``upload``, :func:`parse_upload`, :func:`store_upload`; the
    server runs them apart)."""
    return store_upload(session, actor, parse_upload(check_upload(session, actor, study_id, **upload)))


def list_datasets(session: Session, actor: Actor, study_id: str) -> Sequence[Dataset]:
    study, _program = require_study(session, actor, study_id)
    query = select(Dataset).where(Dataset.study_id == study.id).order_by(Dataset.name, Dataset.version)
    return list(session.scalars(query))


def get_dataset(session: Session, actor: Actor, dataset_id: str) -> Dataset:
    return require_dataset(session, actor, dataset_id)[0]


def dataset_content(session: Session, dataset: Dataset) -> bytes:
    """The stored bytes, checked against the record's seal and their address (tampering is an error)."""
    if not dataset_sealed(dataset):
        raise DataFileError(
            "the dataset record does not carry the workspace's seal (audit-key MAC): it was changed or "
            "inserted outside the application; run `bioparity audit verify`",
            file=dataset.filename,
            expected=f"dataset {dataset.id} as recorded at upload",
        )
    blob = session.get(Blob, dataset.sha256)
    if blob is None or sha256_hex(blob.content) != dataset.sha256:
        raise DataFileError(
            "stored content does not match its SHA-256: the store is corrupted",
            file=dataset.filename,
            expected=f"content with SHA-256 {dataset.sha256}",
        )
    return bytes(blob.content)


def check_derive(
    session: Session,
    actor: Actor,
    run_id: str,
    *,
    name: str | None = None,
    analysis_kind: str | None = None,
    reason: str | None = None,
) -> PendingUpload:
    """The table of a succeeded run as a pending upload into the run's study (only reads the store).

    The CSV is written deterministically from the stored result (same run, same bytes, same SHA-256), and
    the dataset records the run it came from; it is validated for ``analysis_kind`` like an upload.
    """
    run, study, _program = require_run(session, actor, run_id, Permission.write_data)
    if run.status != "succeeded" or run.result_json is None:
        raise InputError(
            _("run %(run)s has status %(status)r; only a succeeded run's table can be stored")
            % {"run": run.id, "status": run.status}
        )
    table = result_frame(json.loads(run.result_json))
    content = csv_bytes(table)
    return check_upload(
        session,
        actor,
        study.id,
        name=name or f"{run.kind}-result",
        filename=f"{run.kind}-result.csv",
        content=content,
        analysis_kind=analysis_kind,
        derived_from_run=run.id,
        reason=reason,
    )


def derive_dataset(
    session: Session, actor: Actor, run_id: str, *, name: str | None = None, analysis_kind: str | None = None
) -> Dataset:
    """Store the table of a succeeded run as a new dataset version in the run's study (see
    :func:`check_derive`), all in the caller's session."""
    pending = check_derive(session, actor, run_id, name=name, analysis_kind=analysis_kind)
    return store_upload(session, actor, parse_upload(pending))
