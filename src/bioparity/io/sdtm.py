"""CDISC SDTM at the edges: detecting and reading a PC (pharmacokinetic concentrations) domain, and
writing NCA results as a PP (pharmacokinetic parameters) domain in SAS transport (XPT v5).

PC mapping: subject ``USUBJID``; profile groups ``STUDYID``, ``PCTESTCD`` (analyte), ``PCSPEC``
(matrix) and ``PCRFTDTC`` (reference dose time) when present; time = ``PCELTM`` (ISO 8601 elapsed
time, converted to hours) or, when absent, ``PCTPTNUM`` taken as hours; concentration ``PCSTRESN``;
BLQ when ``PCSTRESC`` is a BLQ marker (BLQ, <LLOQ, ...) or ``PCSTRESN < PCLLOQ``.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd

from bioparity.errors import DataFileError
from bioparity.nca.results import NCAResult

PC_REQUIRED = ("USUBJID", "PCTESTCD", "PCSTRESN")
PC_GROUPS = ("STUDYID", "PCTESTCD", "PCSPEC", "PCRFTDTC")
_BLQ = re.compile(r"^\s*(BLQ|BQL|BLOQ|NQ|<\s*LLOQ|<\s*LOQ|<\s*[0-9.]+)\s*$", re.IGNORECASE)
_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<w>[\d.]+)W)?(?:(?P<d>[\d.]+)D)?(?:T(?:(?P<h>[\d.]+)H)?(?:(?P<m>[\d.]+)M)?(?:(?P<s>[\d.]+)S)?)?$"
)


def is_sdtm_pc(frame: pd.DataFrame) -> bool:
    """True when the table looks like an SDTM PC domain (USUBJID, PCTESTCD, PCSTRESN)."""
    cols = {c.upper() for c in frame.columns}
    return all(c in cols for c in PC_REQUIRED)


def iso8601_duration_hours(text: str) -> float:
    """``PT1H30M`` -> 1.5, ``-PT15M`` -> -0.25, ``P1DT2H`` -> 26; NaN for an empty string."""
    t = text.strip().upper()
    if not t:
        return float("nan")
    m = _DURATION.match(t)
    if not m or t in {"P", "-P", "PT", "-PT"}:
        raise ValueError(text)
    parts = {k: float(v) if v else 0.0 for k, v in m.groupdict().items() if k != "sign"}
    hours = parts["w"] * 168 + parts["d"] * 24 + parts["h"] + parts["m"] / 60 + parts["s"] / 3600
    return -hours if m.group("sign") else hours


def hours_to_iso8601(hours: float) -> str:
    """Hours as an ISO 8601 duration (``PT24H``, ``-PT0.5H``); empty for NaN or infinity."""
    if not np.isfinite(hours):
        return ""
    sign = "-" if hours < 0 else ""
    return f"{sign}PT{abs(hours):g}H"


def read_sdtm_pc(frame: pd.DataFrame, file: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """A PC domain as a plain long table (``subject``, ``time``, ``conc`` with BLQ markers, groups).

    Returns the table and the names of its grouping columns. Unparseable PCELTM values are reported
    with their row.
    """
    df = frame.rename(columns={c: c.upper() for c in frame.columns}).reset_index(drop=True)
    out = pd.DataFrame({"subject": df["USUBJID"].astype("string").str.strip()})
    groups = [g for g in PC_GROUPS if g in df.columns]
    for g in groups:
        out[g] = df[g].astype("string").fillna("")
    if "PCELTM" in df.columns:
        texts = df["PCELTM"].astype("string").fillna("").tolist()
        hours = np.empty(len(texts))
        for i, text in enumerate(texts):  # per-row parse of a text format, at the edge only
            try:
                hours[i] = iso8601_duration_hours(str(text))
            except ValueError:
                raise DataFileError(
                    "not an ISO 8601 duration",
                    file=file,
                    row=i + 1,
                    column="PCELTM",
                    value=text,
                    expected="an elapsed time such as PT1H30M",
                ) from None
        out["time"] = hours
    elif "PCTPTNUM" in df.columns:
        out["time"] = pd.to_numeric(df["PCTPTNUM"], errors="coerce")
    else:
        raise DataFileError(
            "SDTM PC without a time column",
            file=file,
            expected="PCELTM (ISO 8601 elapsed time) or PCTPTNUM (hours)",
        )
    conc = pd.to_numeric(df["PCSTRESN"], errors="coerce")
    blq = np.zeros(len(df), dtype=bool)
    if "PCSTRESC" in df.columns:
        blq |= df["PCSTRESC"].astype("string").fillna("").str.match(_BLQ).fillna(False).to_numpy(dtype=bool)
    if "PCLLOQ" in df.columns:
        lloq = pd.to_numeric(df["PCLLOQ"], errors="coerce").to_numpy(dtype=float)
        c = conc.to_numpy(dtype=float)
        blq |= ~np.isnan(lloq) & ~np.isnan(c) & (c < lloq)
    conc_text = conc.map(lambda v: "" if pd.isna(v) else repr(float(v))).astype(object)
    conc_text[blq] = "BLQ"
    out["conc"] = conc_text
    return out, groups


_PP_LABELS = {
    "STUDYID": "Study Identifier",
    "DOMAIN": "Domain Abbreviation",
    "USUBJID": "Unique Subject Identifier",
    "PPSEQ": "Sequence Number",
    "PPTESTCD": "Parameter Short Name",
    "PPTEST": "Parameter Name",
    "PPCAT": "Parameter Category",
    "PPORRES": "Result or Finding in Original Units",
    "PPSTRESC": "Character Result/Finding in Std Format",
    "PPSTRESN": "Numeric Result/Finding in Standard Units",
    "PPORRESU": "Original Units",
    "PPSTRESU": "Standard Units",
    "PPSTAT": "Completion Status",
    "PPREASND": "Reason Parameter Not Calculated",
    "PPSPEC": "Specimen Material Type",
    "PPRFTDTC": "Date/Time of Reference Point",
    "PPSTINT": "Planned Start of Assessment Interval",
    "PPENINT": "Planned End of Assessment Interval",
}


def pp_domain(result: NCAResult | pd.DataFrame, *, subject: str, studyid: str = "") -> pd.DataFrame:
    """The NCA result (or its long table) as an SDTM PP domain (one record per subject, profile and
    parameter); with units (:func:`bioparity.nca.add_units`) PPORRES/PPORRESU and PPSTRESU are filled."""
    from bioparity.nca import LABELS

    long = result if isinstance(result, pd.DataFrame) else result.to_frame()
    prof = long[subject].astype(str) if subject in long.columns else long.iloc[:, 0].astype(str)
    values = long["PPSTRESN"].to_numpy(dtype=float)
    present = ~np.isnan(values)
    resc = np.where(present, [f"{v:.10g}" for v in values], "")
    pp = pd.DataFrame(
        {
            "STUDYID": long["STUDYID"].astype(str) if "STUDYID" in long.columns else studyid,
            "DOMAIN": "PP",
            "USUBJID": prof,
            "PPTESTCD": long["PPTESTCD"].astype(str),
            "PPTEST": [LABELS.get(c, c) for c in long["PPTESTCD"]],
            "PPCAT": long["PCTESTCD"].astype(str) if "PCTESTCD" in long.columns else "",
            "PPORRES": (
                [f"{v:.10g}" if np.isfinite(v) else "" for v in long["PPORRES"].to_numpy(dtype=float)]
                if "PPORRES" in long.columns
                else resc
            ),
            "PPORRESU": long["PPORRESU"].astype(str) if "PPORRESU" in long.columns else "",
            "PPSTRESC": resc,
            "PPSTRESN": values,
            "PPSTRESU": long["PPSTRESU"].astype(str) if "PPSTRESU" in long.columns else "",
            "PPSTAT": np.where(present, "", "NOT DONE"),
            "PPREASND": np.where(present, "", long["reason"].astype(str).str.slice(0, 200)),
            "PPSPEC": long["PCSPEC"].astype(str) if "PCSPEC" in long.columns else "",
            "PPRFTDTC": long["PCRFTDTC"].astype(str) if "PCRFTDTC" in long.columns else "",
            "PPSTINT": [hours_to_iso8601(s) for s in long["start"]],
            "PPENINT": [hours_to_iso8601(e) for e in long["end"]],
        }
    )
    pp.insert(3, "PPSEQ", pp.groupby(["STUDYID", "USUBJID"], sort=False).cumcount().to_numpy() + 1)
    return pp


def write_sdtm_pp(pp: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a PP domain as SAS transport v5 (``.xpt``), table name PP, with variable labels."""
    import pyreadstat

    pp = pp.copy()
    pp["PPSEQ"] = pp["PPSEQ"].astype(float)
    labels: list[str | None] = [_PP_LABELS.get(c, c) for c in pp.columns]
    pyreadstat.write_xport(pp, str(path), table_name="PP", file_format_version=5, column_labels=labels)
