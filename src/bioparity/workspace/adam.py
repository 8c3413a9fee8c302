"""The ADaM data sets of a stored NCA run: ADPP (its parameters) and ADNCA (its concentrations), as
``bioparity nca --adpp/--adnca`` writes them for the same file and options.

FDA's Study Data Technical Conformance Guide (section 4.1.2) asks for ADaM data sets of the analyses in a
submission; a sponsor who ran NCA in the workspace downloads them from the run rather than running it again
on the command line. Built from the run's stored result (its PP long table) and its input dataset as stored,
whose SHA-256 must be the one the run recorded (and so must that of each dataset an option names: the dose
records, DM, ADSL), through the functions ``bioparity nca`` uses (:mod:`bioparity.analyses.nca_adam`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from bioparity.analyses.frames import result_frame
from bioparity.analyses.nca import NAME, nca_input
from bioparity.analyses.nca_adam import adnca_records, adpp_records, pp_dating
from bioparity.analyses.registry import get_analysis
from bioparity.audit import SPELLED_INFINITIES, sha256_hex
from bioparity.errors import InputError
from bioparity.io.adam import write_adam
from bioparity.nca import prepare_input
from bioparity.store.models import AnalysisRun, Dataset, Program, Study
from bioparity.workspace.access import Actor, require_run
from bioparity.workspace.analyses import RunInput, option_files, run_result
from bioparity.workspace.datasets import dataset_content, option_dataset_ids, read_mapped
from bioparity.workspace.errors import ConflictError, NotFoundError

#: The ADaM data sets a run offers, by the name of their file (lower case), and the formats.
ADAM_DATASETS = {"adpp": "ADPP", "adnca": "ADNCA"}
ADAM_FORMATS = {"xpt": "application/x-sas-xport", "csv": "text/csv"}


@dataclass(frozen=True)
class AdamFile:
    """An ADaM data set of a run as a file: its name (``ADPP``, ``ADNCA``), format (``xpt``, ``csv``), bytes
    and media type, with the run, its study and its program (the scope of the download's audit row; the
    download is named after them)."""

    name: str
    fmt: str
    content: bytes
    media_type: str
    run: AnalysisRun
    study: Study
    program: Program


def run_adam(session: Session, actor: Actor, run_id: str, dataset: str, fmt: str) -> AdamFile:
    """The ADaM data set ``dataset`` (``adpp`` or ``adnca``) of NCA run ``run_id`` as a ``fmt`` file
    (``xpt``: SAS transport v5 with variable and data set labels, :func:`bioparity.io.adam.write_adam`;
    ``csv``), for a user who may read the run.

    The records are those ``bioparity nca IN --adpp/--adnca`` writes for the run's dataset and options
    (STUDYID the data's own, else the workspace study's name, as ``--studyid NAME``: SDTMIG/ADaMIG make
    STUDYID required, and a data set without one fails conformance checks): ADPP from the stored result
    table, ADNCA from the samples read again from the stored file. Refused: a run that is not a succeeded
    NCA run (ConflictError), an unknown data set or format (NotFoundError), a stored dataset whose SHA-256
    is not the one the run recorded (InputError: the run's input cannot be shown to be the one it read).

    Example: ``run_adam(session, actor, run.id, "adpp", "xpt").content`` opens with
    ``pyreadstat.read_xport``.
    """
    if dataset not in ADAM_DATASETS or fmt not in ADAM_FORMATS:
        raise NotFoundError("ADaM data set", f"{dataset}.{fmt}")
    run, study, program = require_run(session, actor, run_id)
    if run.kind != NAME or run.status != "succeeded" or run.result_json is None:
        raise ConflictError(
            f"run {run.id}: ADPP and ADNCA are made of a succeeded NCA run (this is a {run.kind} run, "
            f"{run.status})"
        )
    options = json.loads(run.options_json or "{}")
    recorded = json.loads(run.inputs_json or "{}")
    main = session.get(Dataset, run.dataset_id)
    assert main is not None  # the run's dataset, in its study (require_run found the run)
    content = _checked(session, main, recorded.get("dataset"))
    others = [
        RunInput(
            option, other.id, other.filename, other.sha256, _checked(session, other, recorded.get(option))
        )
        for option, other in _option_datasets(session, run)
    ]
    frame = read_mapped(content, main.filename, main.column_map, get_analysis(NAME), options)
    with option_files(others, options) as given:
        samples, doses = nca_input(frame, given)
    read, spec = prepare_input(samples.frame, samples.spec, where=samples.where)
    name = ADAM_DATASETS[dataset]
    if name == "ADPP":
        multiple = doses is not None and not doses.per_subject
        origin = doses.origin if multiple and doses is not None else None
        long = stored_table(run_result(run))
        records = adpp_records(
            pp_dating(long, spec, samples.sdtm_pc, origin, read if multiple else None),
            spec,
            studyid=study.name,
        )
    else:
        records = adnca_records(read, spec, samples, doses, studyid=study.name)
    with tempfile.TemporaryDirectory(prefix="bioparity-adam-") as folder:
        path = Path(folder) / f"{dataset}.{fmt}"
        write_adam(records, path, name)
        data = path.read_bytes()
    return AdamFile(name, fmt, data, ADAM_FORMATS[fmt], run, study, program)


def stored_table(result: Mapping[str, Any]) -> pd.DataFrame:
    """The table of a stored result as the analysis made it, numbers where it had numbers: a column whose
    values are all numbers, missing or an infinity spelled as canonical JSON spells it (``"Infinity"``: an
    interval to infinity's ``end``) is read back as floats.

    Example: a stored ``end`` column ``[24, "Infinity"]`` gives ``[24.0, inf]``."""
    table = result_frame(result)
    for column in table.columns:
        values = table[column]
        if not pd.api.types.is_numeric_dtype(values) and values.isin(list(SPELLED_INFINITIES)).any():
            rest = values[values.notna() & ~values.isin(list(SPELLED_INFINITIES))]
            if all(isinstance(v, int | float) and not isinstance(v, bool) for v in rest):
                table[column] = values.replace(SPELLED_INFINITIES).astype(float)
    return table


def _option_datasets(session: Session, run: AnalysisRun) -> list[tuple[str, Dataset]]:
    """The datasets the run's options of type ``dataset`` name (the dose records, DM, ADSL)."""
    named = []
    for option, dataset_id in option_dataset_ids(run).items():
        other = session.get(Dataset, dataset_id)
        if other is None or other.study_id != run.study_id:
            raise NotFoundError("dataset", dataset_id)
        named.append((option, other))
    return named


def _checked(session: Session, dataset: Dataset, recorded: object) -> bytes:
    """The stored bytes of ``dataset`` (checked against their seal: :func:`dataset_content`), refused when
    their SHA-256 is not ``recorded``, the one the run recorded for this input."""
    content = dataset_content(session, dataset)
    if sha256_hex(content) != recorded:
        raise InputError(
            f"dataset {dataset.filename} (version {dataset.version}): its stored SHA-256 "
            f"{sha256_hex(content)} is not the {recorded} the run recorded; no ADaM data set is made of "
            "another input than the run read"
        )
    return content
