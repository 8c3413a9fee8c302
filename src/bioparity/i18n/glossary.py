"""The terminology glossary: regulatory and statistical terms in English and Simplified Chinese, with sources.

``glossary.csv`` (columns ``term_en``, ``term_zh_cn``, ``source``, ``note``) lists the terms the reports and
the command line use, each with the Chinese term and the CDE/NMPA guideline (or Chinese Pharmacopoeia
general chapter, or national standard) that uses it, e.g. 参照药 (reference product) from NMPA 2015
《生物类似药研发与评价技术指导原则（试行）》 and 几何均值比 (geometric mean ratio) from NMPA 2016
《以药动学参数为终点评价指标的化学药物仿制药人体生物等效性研究技术指导原则》. The catalogues follow it: a
test checks that every message naming a glossary term is translated with the glossary's Chinese.

The mapping was compiled from the titles and the usage of those texts; it has not yet been reviewed by a
native Chinese regulatory reader, and terms marked "review" in the note column are renderings without a
settled CDE/NMPA equivalent (e.g. FDA's "quality range", "interchangeability").

References
----------
* NMPA (CFDA) 2015, 《生物类似药研发与评价技术指导原则（试行）》.
* CDE 2021, 《生物类似药相似性评价和适应症外推技术指导原则》.
* CDE 2021, 《药物免疫原性研究技术指导原则》.
* NMPA 2016, 《以药动学参数为终点评价指标的化学药物仿制药人体生物等效性研究技术指导原则》.
* NMPA 2016, 《药物临床试验的生物统计学指导原则》.
* NMPA 2018, 《高变异药物生物等效性研究技术指导原则》.
* Chinese Pharmacopoeia 2020, general chapters 1431, 9001 and 9012; GB/T 3359-2009.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

#: The columns of ``glossary.csv``, in order.
COLUMNS = ("term_en", "term_zh_cn", "source", "note")


@dataclass(frozen=True)
class Term:
    """One glossary entry: the English term, its Chinese, the text that uses it and a note."""

    term_en: str
    term_zh_cn: str
    source: str
    note: str = ""


def load_glossary() -> tuple[Term, ...]:
    """The glossary shipped with the package, in file order.

    Returns
    -------
    tuple of Term
        One entry per row of ``bioparity/i18n/glossary.csv``.

    Examples
    --------
    >>> terms = {t.term_en: t.term_zh_cn for t in load_glossary()}
    >>> terms["reference product"], terms["geometric mean ratio"]
    ('参照药', '几何均值比')
    """
    text = resources.files("bioparity.i18n").joinpath("glossary.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"glossary.csv: expected the columns {', '.join(COLUMNS)}; got {reader.fieldnames}")
    return tuple(Term(**{k: (row[k] or "").strip() for k in COLUMNS}) for row in reader)
