"""Subject-level columns carried through NCA (``bioparity nca --keep WT``, the NCA option ``keep``).

A covariate-adjusted comparison of PK parameters, such as an ANCOVA of log AUC on body weight in a
parallel PK similarity study, needs the covariate beside each subject's parameters: the EMA Guideline on
similar biological medicinal products containing monoclonal antibodies (EMA/CHMP/BMWP/403543/2010,
section 4.3, PK studies) and the FDA guidance Clinical Pharmacology Data to Support a Demonstration of
Biosimilarity (2016, section IV.A.3) allow a pre-specified adjustment for a covariate such as body weight.
A kept column is not a grouping column: it splits no profile and no summary statistic, it is copied to
every profile of its subject. It must hold one value per subject (a baseline value), checked here, since
a value that changes between the samples of a subject has no single value to carry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from bioparity.errors import DataFileError
from bioparity.nca.samples import Where, text_cells
from bioparity.problems import (
    KEPT_ONE_VALUE,
    NO_COLUMN,
    ONE_OF,
    SUBJECT_TWO_VALUES,
    SUBJECT_TWO_VALUES_IN_FILE,
)

#: Where a row of the table is in the files read: file, 1-based data row and file line (or None), for a
#: table gathered from the rows of several files (``bioparity nca-batch``: :func:`subject_covariates`).
Place = Callable[[int], tuple[str | None, int, int | None]]


def subject_covariates(
    frame: pd.DataFrame,
    subject: str,
    keep: Sequence[str],
    where: Where | None = None,
    *,
    place: Place | None = None,
) -> pd.DataFrame:
    """One row per subject (in order of first appearance): the subject and the ``keep`` columns.

    Parameters
    ----------
    frame : DataFrame
        One row per sample.
    subject : str
        The subject column.
    keep : sequence of str
        Columns to carry, each holding one value per subject (an empty cell beside a value is another
        value).
    where : Where, optional
        The table's file, for errors naming row and column.
    place : callable, optional
        The file, row and line of each row of ``frame`` (by position) when its rows were gathered from
        several places: batch NCA checks the first rows of each subject's values of every partition
        together (a subject's profiles may sit in different partitions), and names the rows of the files.

    Returns
    -------
    DataFrame
        ``subject`` and the ``keep`` columns, each subject's value as the table holds it.

    Raises
    ------
    DataFileError
        A column missing (the columns found named), or a subject with two values of a column: the file,
        the row and column of the second value, the subject and the row of its first value.

    Examples
    --------
    >>> data = pd.DataFrame({"subject": ["A", "A", "B"], "time": [0, 1, 0], "WT": [70, 70, 82.5]})
    >>> subject_covariates(data, "subject", ["WT"]).to_dict("list")
    {'subject': ['A', 'B'], 'WT': [70.0, 82.5]}
    """
    w = where or Where()
    columns = [str(c) for c in frame.columns]
    for name in keep:
        if name not in columns:
            raise DataFileError(
                NO_COLUMN.format(column=repr(name)),
                file=w.file,
                expected=ONE_OF.format(choices=", ".join(columns)),
            )
    codes, _uniques = pd.factorize(frame[subject], use_na_sentinel=False)
    _seen, first = np.unique(codes, return_index=True)
    first_row = first[codes]  # each row's subject's first row
    for name in keep:
        cells = text_cells(frame[name])
        text = cells.to_numpy(dtype=object)
        differs = text != text[first_row]
        if differs.any():
            i = int(np.argmax(differs))
            who, value = frame[subject].iloc[i], repr(text[first_row[i]])
            raise _two_values(who, value, (i, int(first_row[i])), name, cells.iloc[i], w, place)
    kept = frame.take(np.sort(first))
    return pd.DataFrame({c: kept[c].to_numpy() for c in [subject, *keep]})


def _two_values(
    subject: object,
    first: str,
    rows: tuple[int, int],
    column: str,
    value: object,
    where: Where,
    place: Place | None,
) -> DataFileError:
    """The error of a kept ``column`` with two values for ``subject``: at the row of the second value
    (``rows``: its position and that of the subject's first row), naming the ``first`` value and its row
    (and its file, when ``place`` puts it in another file than the second)."""
    at, first_at = rows
    if place is None:
        problem = SUBJECT_TWO_VALUES.format(subject=subject, first=first, first_row=first_at + 1)
        return where.error(problem, at, column, value, KEPT_ONE_VALUE)
    file, row, line = place(at)
    first_file, first_row, _line = place(first_at)
    problem = (
        SUBJECT_TWO_VALUES.format(subject=subject, first=first, first_row=first_row)
        if first_file == file
        else SUBJECT_TWO_VALUES_IN_FILE.format(
            subject=subject, first=first, first_row=first_row, first_file=first_file
        )
    )
    return DataFileError(
        problem, file=file, row=row, line=line, column=column, value=value, expected=KEPT_ONE_VALUE
    )


def with_covariates(profiles: pd.DataFrame, covariates: pd.DataFrame, subject: str) -> pd.DataFrame:
    """``profiles`` (one row per profile or interval, in order) with each subject's ``covariates`` columns
    (from :func:`subject_covariates`) appended; columns ``profiles`` already has are not added again.

    Examples
    --------
    >>> p = pd.DataFrame({"subject": ["B", "A", "B"], "period": [1, 1, 2]})
    >>> c = pd.DataFrame({"subject": ["A", "B"], "WT": [70.0, 82.5]})
    >>> with_covariates(p, c, "subject")["WT"].tolist()
    [82.5, 70.0, 82.5]
    """
    new = [c for c in covariates.columns if c != subject and c not in profiles.columns]
    if not new:
        return profiles
    at = pd.Index(covariates[subject]).get_indexer(profiles[subject])
    added = covariates[new].iloc[at].reset_index(drop=True).set_axis(profiles.index)
    joined: pd.DataFrame = pd.concat([profiles, added], axis=1)
    return joined
