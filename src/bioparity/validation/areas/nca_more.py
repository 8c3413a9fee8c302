"""NCA reference sets added with issue 13: Phoenix-style AUCTAU extrapolation (MetidaNCA #8), time to
steady state (PKNCA test data, R nls and PKNCA's gnls values) and bioavailability (published examples;
MetidaNCA AUClast for parallel groups)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bioparity.nca import NCAOptions, NCASpec, run_nca
from bioparity.nca.bioavailability import bioavailability
from bioparity.nca.multiple.tss import time_to_steady_state, tss_monoexponential
from bioparity.validation.areas._io import read_reference_csv
from bioparity.validation.cases import CaseResult, compare

AREA = "nca"

#: MetidaNCA name -> (bioparity code, factor to bioparity's unit, relative tolerance)
_SET8 = {
    "AUCtau": ("AUCTAU", 1.0, 5e-7),
    "AUMCtau": ("AUMCTAU", 1.0, 5e-7),
    "Ctau": ("CTROUGH", 1.0, 5e-7),
    "Cavg": ("CAVG", 1.0, 5e-7),
    "Ctaumin": ("CMIN", 1.0, 5e-7),
    "Accind": ("AILAMZ", 1.0, 1e-8),
    "Fluc": ("FLUCP", 1.0, 5e-7),
    "Swingtau": ("SWINGTAU", 100.0, 1e-8),  # MetidaNCA: ratio; bioparity: percent
}


def run(ref: Path) -> list[CaseResult]:
    """All cases of the three sets (``ref`` is the ``nca`` folder of the reference data)."""
    return [*_tau_extrapolated(ref), *_tss(ref), *_bioavailability(ref)]


def _tau_extrapolated(ref: Path) -> list[CaseResult]:
    data = read_reference_csv(ref / "metidanca_pkdata2.csv")
    expected = read_reference_csv(ref / "metidanca_tau_extrapolated.csv")
    doses = pd.DataFrame({"Subject": np.unique(data["Subject"]), "time": 0.0, "dose": 100.0})
    spec = NCASpec(
        subject="Subject", time="Time", conc="Concentration", tau=100.0,
        options=NCAOptions(auctau_extrapolate=True),
    )  # fmt: skip
    wide = run_nca(data, spec, dosing=doses).to_wide()
    observed_by_subject = {
        code: dict(zip(wide["Subject"].astype(int), wide[code].to_numpy(dtype=float), strict=True))
        for code, _, _ in _SET8.values()
    }
    out = []
    for row in expected.to_dict("records"):
        subject = int(row["Subject"])
        for name, (code, factor, tol) in _SET8.items():
            expected_value = float(row[name]) * factor
            observed = float(observed_by_subject[code][subject])
            # numpy allclose semantics of the tests: atol 1e-9 + rtol * |expected|
            out.append(
                compare(
                    AREA,
                    "metidanca-tau-extrapolated",
                    f"MetidaNCA set #8 subject {subject}",
                    f"{code} ({name})",
                    expected_value,
                    observed,
                    1e-9 + tol * abs(expected_value),
                )
            )
    return out


def _tss(ref: Path) -> list[CaseResult]:
    troughs = read_reference_csv(ref / "pknca_tss_troughs.csv")
    table = pd.read_csv(ref / "pknca_tss_expected.csv", comment="#", dtype={"subject": str})
    expected: dict[str, dict[str, float]] = {
        str(r["subject"]): {k: float(r[k]) for k in ("r_nls", "css_r_nls", "pknca")}
        for r in table.to_dict("records")
    }
    subjects = troughs["subject"].unique()
    doses = pd.DataFrame(
        {"subject": np.repeat(subjects, 15), "time": np.tile(np.arange(15.0), len(subjects)), "dose": 1.0}
    )
    res = time_to_steady_state(troughs, doses, groups=["treatment"])
    out = []
    for subject, tss, css in zip(
        res.profiles["subject"].astype(str), res.value("TSSMONO"), res.value("CTRSSMON"), strict=True
    ):
        row = expected[subject]
        case = f"PKNCA tss data subject {subject}"
        out.append(
            compare(AREA, "pknca-tss", case, "TSSMONO vs R nls", float(row["r_nls"]), float(tss), 1e-6, "rel")
        )
        out.append(
            compare(
                AREA, "pknca-tss", case, "CTRSSMON vs R nls", float(row["css_r_nls"]), float(css), 1e-6, "rel"
            )
        )
        out.append(
            compare(
                AREA,
                "pknca-tss",
                case,
                "TSSMONO vs PKNCA (gnls)",
                float(row["pknca"]),
                float(tss),
                2.5e-4,
                "rel",
            )
        )
    tss_all, css_all, _ = tss_monoexponential(
        troughs["time"].to_numpy()[None], troughs["conc"].to_numpy()[None]
    )
    row = expected["all"]
    pooled = (
        ("TSSMONO vs R nls", row["r_nls"], tss_all[0]),
        ("TSSMONO vs PKNCA (gnls)", row["pknca"], tss_all[0]),
        ("CTRSSMON vs R nls", row["css_r_nls"], css_all[0]),
    )
    for quantity, reference_value, observed in pooled:
        out.append(
            compare(AREA, "pknca-tss", "PKNCA tss data pooled", quantity, float(reference_value),
                    float(observed), 1e-6, "rel")
        )  # fmt: skip
    return out


def _bioavailability(ref: Path) -> list[CaseResult]:
    published = read_reference_csv(ref / "bioavailability_published.csv")
    out = []
    for row in published.dropna(subset=["expected"]).to_dict("records"):
        pair = published[published["subject"] == row["subject"]]
        res = bioavailability(
            pair, by="level", test=row["level"], reference=row["reference_level"], auc="auc"
        )
        out.append(
            compare(
                AREA,
                "bioavailability-published",
                f"{row['source']} example {row['subject']}",
                f"{res.code} {row['level']} vs {row['reference_level']}",
                float(row["expected"]),
                float(res.geometric_mean),
                1e-12,
                "rel",
            )
        )
    pk = read_reference_csv(ref / "metidanca_pkdata2.csv")
    auclast = read_reference_csv(ref / "metidanca_auclast_luld.csv")
    wide = (
        run_nca(
            pk,
            NCASpec(subject="Subject", time="Time", conc="Concentration", dose=100.0, parameters=("AUCLST",)),
        )
        .to_wide()
        .assign(dose=100.0)
    )
    f = bioavailability(wide, by="Formulation", test="T", reference="R", subject="Subject", auc="AUCLST")
    log_ratio = auclast.groupby("Formulation")["AUClast"].apply(lambda a: np.log(a / 100.0).mean())
    expected = float(np.exp(log_ratio["T"] - log_ratio["R"]))
    out.append(
        compare(
            AREA,
            "bioavailability-published",
            "MetidaNCA pkdata2 T vs R (parallel groups)",
            "FREL from MetidaNCA AUClast",
            expected,
            float(f.geometric_mean),
            1e-8,
            "rel",
        )
    )
    return out
