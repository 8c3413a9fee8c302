"""The contract of every public result class (issue 21), checked the way scikit-learn's
``parametrize_with_checks`` checks every estimator.

The classes are DISCOVERED: every module of the ``bioparity`` package is imported and every dataclass that
mixes in :class:`bioparity._results.ResultMixin`, or whose name ends in ``Result``, is a result class. Each
needs a factory below that builds a small real instance by calling the real computation on tiny inputs; a
new result class without a factory fails :func:`test_every_result_class_has_a_factory`. Each instance is
then checked: frozen, ``to_dict()`` strict JSON (``allow_nan=False``: NaN is None, see
:mod:`bioparity._results`) that round-trips where a ``from_dict`` exists, ``to_frame()`` a data frame, a
short one-line ``repr``, the software version recorded, the settings that produced it present
(``SETTINGS``), and ``summary()`` a few readable lines that state the key numbers (checked per class).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import math
import pkgutil
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import bioparity
from bioparity._results import ResultMixin

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
MARKET = Path(__file__).resolve().parent / "data" / "market"

#: Packages not walked: the web and API front ends only serve results (importing them builds the app),
#: and the Alembic environment runs only inside Alembic.
SKIPPED_PACKAGES = ("bioparity.web", "bioparity.api", "bioparity.store.migrations")

#: Dataclasses named ``*Result`` that are not results of a computation, with the reason.
NOT_RESULTS = {
    "bioparity.validation.cases.CaseResult": "one comparison row of a validation run; the run "
    "(bioparity.validation.runner.ValidationRun) records the software version and the reference sets",
}

#: Result classes that have no options to record, with the reason (every other class lists ``SETTINGS``).
NO_SETTINGS = {
    "bioparity.audit.chain.ChainVerification": "verifies stored rows as they are; it takes no options",
}


def _walk() -> Iterator[Any]:
    yield bioparity
    for info in pkgutil.walk_packages(bioparity.__path__, "bioparity."):
        if info.name.startswith(SKIPPED_PACKAGES):
            continue
        yield importlib.import_module(info.name)


def _discover_here() -> dict[str, bool]:
    """Every result class of the package by dotted name -> whether it mixes in ResultMixin."""
    found: dict[str, bool] = {}
    for module in _walk():
        for name, obj in vars(module).items():
            if not (isinstance(obj, type) and obj.__module__ == module.__name__):
                continue
            if dataclasses.is_dataclass(obj) and (issubclass(obj, ResultMixin) or name.endswith("Result")):
                found[f"{obj.__module__}.{obj.__qualname__}"] = issubclass(obj, ResultMixin)
    return found


@functools.cache
def discover() -> dict[str, bool]:
    """:func:`_discover_here` in a fresh interpreter: importing every module here would change what later
    tests import (for example the lazily loaded names of a package whose submodule shares a name)."""
    code = "import json, tests.test_result_contract as t; print(json.dumps(t._discover_here()))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=300
    )
    found: dict[str, bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


# --- factories: a small real instance of every class, and what its summary must say ----------------------


@dataclass(frozen=True)
class Built:
    """An instance and the fragments its ``summary()`` must contain (key numbers, verdicts)."""

    result: Any
    says: tuple[str, ...]


Factory = Callable[[Path], Built]
FACTORIES: dict[str, Factory] = {}


def factory(*names: str) -> Callable[[Factory], Factory]:
    def register(fn: Factory) -> Factory:
        for name in names:
            FACTORIES[name] = fn
        return fn

    return register


def pct(x: float, digits: int = 2) -> str:
    return f"{100 * x:.{digits}f}%"


# power -------------------------------------------------------------------------------------------------


@factory("bioparity.power.tost.PowerResult")
def _power(_: Path) -> Built:
    from bioparity.power import power_tost

    res = power_tost(cv=0.30, n=40)
    return Built(res, ("TOST power", f"{float(res.power):.4g}", "2x2", "n 40"))


@factory("bioparity.power.sample_size.SampleSizeResult")
def _sample_size(_: Path) -> Built:
    from bioparity.power import sample_size_tost

    res = sample_size_tost(cv=[0.2, 0.3], target_power=0.8)
    return Built(res, ("TOST sample size", "2 scenarios", f"n {int(res.n.min())} to {int(res.n.max())}"))


@factory("bioparity.power.scaled.ScaledPowerResult")
def _scaled_power(_: Path) -> Built:
    from bioparity.power import power_scabel

    res = power_scabel(0.4, 36, nsims=2000)
    return Built(res, ("Simulated power", f"{res.power:.4f}", "EMA", "2000 simulations"))


@factory("bioparity.power.scaled.ScaledSampleSizeResult")
def _scaled_sample_size(_: Path) -> Built:
    from bioparity.power import sample_size_scabel

    res = sample_size_scabel(0.4, nsims=2000)
    return Built(res, ("Sample size", f"n = {res.n}", f"{res.power:.4f}"))


@factory("bioparity.power.scaled.AdjustedAlphaResult")
def _adjusted_alpha(_: Path) -> Built:
    from bioparity.power import scabel_adjusted_alpha

    res = scabel_adjusted_alpha(0.35, 36, nsims=2000)
    return Built(res, ("Type I error", f"{res.type1_error:.4f}", f"{res.alpha_adjusted:.4f}"))


@factory("bioparity.power.multi_arm.MultiArmSampleSize")
def _multi_arm(_: Path) -> Built:
    from bioparity.power.multi_arm import sample_size_pk_similarity

    res = sample_size_pk_similarity(cv=0.35, target_power=0.8, n_sim=2000)
    return Built(res, (f"{res.n_per_arm} per arm", f"{res.power:.4f}", "90% CI"))


# NCA ---------------------------------------------------------------------------------------------------


def _profiles() -> pd.DataFrame:
    time = [0, 0.5, 1, 2, 4, 6, 8, 12, 24]
    rows = []
    for subject, arm, scale in ((1, "A", 1.0), (2, "A", 1.2), (3, "B", 0.9), (4, "B", 1.1)):
        for t in time:
            rows.append((subject, arm, t, scale * 100 * (math.exp(-0.1 * t) - math.exp(-1.5 * t)), 10.0))
    return pd.DataFrame(rows, columns=["subject", "arm", "time", "conc", "dose"])


@factory("bioparity.nca.single.results.NCAResult")
def _nca(_: Path) -> Built:
    from bioparity.nca import nca

    res = nca(_profiles(), groups=["arm"], dose="dose")
    return Built(res, ("NCA of 4 profiles", "CMAX", "lin-up-log-down"))


def _multiple() -> tuple[pd.DataFrame, pd.DataFrame]:
    times = [0, 1, 2, 4, 8, 12, 13, 14, 16, 20, 24, 36, 48]
    conc = [0, 10, 8, 4, 2, 1, 11, 9, 5, 2.5, 1.2, 0.6, 0.3]
    frame = pd.DataFrame({"subject": 1, "time": times, "conc": conc})
    return frame, pd.DataFrame({"subject": 1, "time": [0, 12], "dose": [100, 100]})


@factory("bioparity.nca.multiple.intervals.IntervalResult")
def _intervals(_: Path) -> Built:
    from bioparity.nca import nca_multiple_dose

    frame, doses = _multiple()
    res = nca_multiple_dose(frame, doses, tau=12)
    return Built(res, ("2 dosing intervals", "1 profile", "AUCTAU"))


@factory("bioparity.nca.multiple.tss.SteadyStateTime")
def _tss(_: Path) -> Built:
    from bioparity.nca import time_to_steady_state

    times = np.arange(0, 24 * 7 + 1, 24.0)
    conc = 10 * (1 - np.exp(-0.02 * times)) + 0.1
    frame = pd.DataFrame({"subject": 1, "time": times, "conc": conc})
    doses = pd.DataFrame({"subject": 1, "time": times[:-1], "dose": 100.0})
    res = time_to_steady_state(frame, doses)
    return Built(res, ("Time to steady state", "90%", "1 profile"))


@factory("bioparity.nca.sparse.frame.SparseResult")
def _sparse(_: Path) -> Built:
    from bioparity.nca import sparse_nca

    rows = [
        (s, t, c * (1 + 0.05 * s)) for s in range(6) for t, c in ((0.5, 5.0), (1, 8.0), (2, 6.0), (4, 3.0))
    ]
    frame = pd.DataFrame(rows, columns=["subject", "time", "conc"])
    frame = frame[(frame["subject"] + (frame["time"] * 2).astype(int)) % 2 == 0]  # two samples each
    res = sparse_nca(frame)
    return Built(res, ("Sparse NCA", "1 group", "95%", "SPARSEAL"))


@factory("bioparity.nca.urine.frame.UrineResult")
def _urine(_: Path) -> Built:
    from bioparity.nca.urine import urine_nca

    frame = pd.DataFrame(
        {"subject": 1, "start": [0, 2, 4, 8, 12], "end": [2, 4, 8, 12, 24], "conc": [10, 8, 5, 3, 1.0],
         "volume": [0.2, 0.2, 0.3, 0.3, 0.5]}
    )  # fmt: skip
    res = urine_nca(frame, dose=100)
    return Built(res, ("Urine NCA", "1 profile", "5 collections"))


@factory("bioparity.nca.bioavailability.BioavailabilityResult")
def _bioavailability(_: Path) -> Built:
    from bioparity.nca import bioavailability

    table = pd.DataFrame(
        {"subject": [1, 1, 2, 2, 3, 3], "route": ["po", "iv"] * 3, "AUCIFO": [80, 100, 90, 110, 70, 100.0],
         "dose": 10.0}
    )  # fmt: skip
    res = bioavailability(table, by="route", test="po", reference="iv")
    return Built(res, ("FABS", "po vs iv", "paired", pct(res.geometric_mean), pct(res.geometric_cv)))


def _pp() -> pd.DataFrame:
    from bioparity.nca import nca

    return nca(_profiles(), groups=["arm"], dose="dose").to_frame()


@factory("bioparity.nca.summary.SummaryStatistics")
def _summary_statistics(_: Path) -> Built:
    from bioparity.nca.summary import summary_statistics

    res = summary_statistics(_pp(), group="arm")
    return Built(res, ("Summary statistics", "2 groups", "by arm"))


@factory("bioparity.nca.summary.FlagCounts")
def _flag_counts(_: Path) -> Built:
    from bioparity.nca.summary import flag_counts

    res = flag_counts(_pp(), group="arm")
    return Built(res, ("Review flags", "by arm", "4 subjects"))


# BE ----------------------------------------------------------------------------------------------------


def _crossover() -> pd.DataFrame:
    rows = []
    values = {1: (100, 90), 2: (95, 105), 3: (80, 85), 4: (110, 100), 5: (120, 115), 6: (90, 97)}
    for s, (first, second) in values.items():
        seq = "TR" if s % 2 else "RT"
        rows += [(s, 1, seq, seq[0], first), (s, 2, seq, seq[1], second)]
    return pd.DataFrame(rows, columns=["subject", "period", "sequence", "treatment", "PK"])


@factory("bioparity.be.results.BEResult")
def _be(_: Path) -> Built:
    from bioparity.be import evaluate_be

    res = evaluate_be(_crossover(), "abe")
    word = "PASS" if res.passed else "FAIL"
    return Built(res, ("abe", word, pct(res.pe), pct(res.ci_lower), pct(res.ci_upper), "80.00%", "125.00%"))


@factory("bioparity.be.similarity.PairwiseComparison")
def _pairwise(_: Path) -> Built:
    from bioparity.be.similarity import pk_similarity

    arm = np.array(["T"] * 4 + ["R"] * 4)
    (res,) = pk_similarity(np.array([100.0, 110, 90, 95, 105, 100, 98, 102]), arm, ["T", "R"], metric="CMAX")
    return Built(res, ("CMAX", "T vs R", pct(res.gmr), pct(res.ci_lower), "90% CI"))


# CAA ---------------------------------------------------------------------------------------------------


def _caa_table() -> pd.DataFrame:
    rows = []
    for source, lots, shift in (("test", 4, 0.0), ("ref-eu", 5, 0.0), ("ref-us", 5, 0.2)):
        for i in range(lots):
            rows.append(("potency", source, f"{source}-{i}", 100 + shift + (i - 2) * 1.5, 2))
    return pd.DataFrame(rows, columns=["attribute", "source", "lot", "value", "tier"])


@factory("bioparity.caa.results.CAAResult")
def _caa(_: Path) -> Built:
    from bioparity.caa import assess

    res = assess(_caa_table(), oc_simulations=200)
    return Built(res, ("3 comparisons", "1 attribute", "qr-2025"))


@factory("bioparity.caa.results.ComparisonResult")
def _comparison(_: Path) -> Built:
    from bioparity.caa import assess

    res = assess(_caa_table(), oc_simulations=200).results()[0]
    return Built(res, ("potency", res.comparison, res.status))


@factory("bioparity.caa.operating.OperatingCharacteristics")
def _operating(_: Path) -> Built:
    from bioparity.caa.catalogue import Catalogue
    from bioparity.caa.operating import operating_characteristics

    res = operating_characteristics(Catalogue().resolve("a", data_tier=2), 10, 10, n_sim=500, seed=1)
    return Built(res, ("10 test and 10 reference lots", "500 simulated", pct(res.probability["equal"], 1)))


# clinical ----------------------------------------------------------------------------------------------


@factory("bioparity.clinical.proportions.DifferenceCI")
def _difference(_: Path) -> Built:
    from bioparity.clinical import ci_difference

    res = ci_difference(56, 70, 48, 80, method="newcombe", conf=0.95)
    return Built(res, ("p1 - p2", "0.2000", "95% CI", f"{float(res.ci_lower):.4f}", "newcombe"))


@factory("bioparity.clinical.ratio.RatioCI")
def _ratio(_: Path) -> Built:
    from bioparity.clinical import ci_ratio

    res = ci_ratio([7, 10], [10, 20], [1, 5], [10, 20], method="koopman", conf=0.90)
    return Built(res, ("p1 / p2", "2 scenarios", "90% CI", "2.0000 to 7.0000"))


@factory("bioparity.clinical.means.MeanDifferenceCI")
def _means(_: Path) -> Built:
    from bioparity.clinical import ci_mean_difference

    res = ci_mean_difference(10.0, 2.0, 20, 9.0, 2.5, 22, method="welch", conf=0.90)
    return Built(res, ("mean1 - mean2", "1", "90% CI", "welch"))


@factory("bioparity.clinical.stratified.StratifiedDifferenceCI")
def _stratified(_: Path) -> Built:
    from bioparity.clinical.stratified import ci_difference_stratified

    res = ci_difference_stratified([20, 15], [30, 25], [18, 12], [30, 25], method="newcombe", conf=0.95)
    return Built(res, ("2 strata", "95% CI", f"{float(np.ravel(res.diff)[0]):.4f}"))


@factory("bioparity.clinical.equivalence.EquivalenceResult")
def _equivalence(_: Path) -> Built:
    from bioparity.clinical import equivalence_proportions

    res = equivalence_proportions(56, 70, 48, 80, margin_lower=-0.15, margin_upper=0.15, conf=0.95)
    return Built(res, ("FAIL", "-0.15", "0.15", "95% CI", "difference of proportions"))


#: Equivalence planning: class -> (function, arguments, its one-sided alpha).
_PLANNING: dict[str, tuple[str, dict[str, Any], str]] = {
    "bioparity.clinical.sample_size_means.MeansPowerResult": (
        "power_equivalence_means", {"n1": 30, "n2": 30, "diff": 0.0, "sd": 1.0}, "0.05"),
    "bioparity.clinical.sample_size_means.MeansSampleSizeResult": (
        "sample_size_equivalence_means", {"diff": 0.0, "sd": 1.0}, "0.05"),
    "bioparity.clinical.sample_size_proportions.ProportionsPowerResult": (
        "power_equivalence_proportions", {"n1": 200, "n2": 200, "p1": 0.6, "p2": 0.6}, "0.025"),
    "bioparity.clinical.sample_size_proportions.ProportionsSampleSizeResult": (
        "sample_size_equivalence_proportions", {"p1": 0.6, "p2": 0.6}, "0.025"),
}  # fmt: skip


def _planning(name: str, _: Path) -> Built:
    import bioparity.clinical

    function, arguments, alpha = _PLANNING[name]
    margin = 0.8 if "means" in function else 0.15
    res = getattr(bioparity.clinical, function)(
        **arguments, margin_lower=-margin, margin_upper=margin, alpha=float(alpha)
    )
    says = [
        f"{float(res.power):.4f}",
        f"alpha {alpha} per one-sided test",
        f"margins {-margin:g} to {margin:g}",
    ]
    if "sample_size" in function:
        says += ["Sample size", f"n1 {int(res.n1)}", f"total {int(res.n_total)}"]
    return Built(res, tuple(says))


for _name in _PLANNING:
    FACTORIES[_name] = functools.partial(_planning, _name)


def _ada() -> pd.DataFrame:
    from tests.clinical.test_treatment_emergent_ada import toy

    return toy()


@factory("bioparity.clinical.immunogenicity.IncidenceResult")
def _incidence(_: Path) -> Built:
    from bioparity.clinical import ada_incidence

    res = ada_incidence(_ada())
    return Built(res, ("ADA incidence", "2 arms", "95%"))


@factory("bioparity.clinical.immunogenicity.IncidenceDifferenceResult")
def _incidence_difference(_: Path) -> Built:
    from bioparity.clinical import ada_incidence, incidence_difference

    res = incidence_difference(ada_incidence(_ada()), reference_arm="reference")
    return Built(res, ("minus reference arm reference", "95%", "newcombe", "D29"))


@factory("bioparity.clinical.immunogenicity.TitreSummaryResult")
def _titres(_: Path) -> Built:
    from bioparity.clinical import titre_summary

    res = titre_summary(_ada())
    return Built(res, ("Titres", "positive samples", "2 arms"))


@factory("bioparity.clinical.immunogenicity.TreatmentEmergentResult")
def _treatment_emergent(_: Path) -> Built:
    from bioparity.clinical.immunogenicity import treatment_emergent_ada

    res = treatment_emergent_ada(_ada())
    return Built(res, ("Treatment-emergent ADA", "biosimilar", "1/3", "4-fold"))


@factory("bioparity.clinical.immunogenicity.ExposureByADAResult")
def _exposure(_: Path) -> Built:
    from bioparity.clinical import exposure_by_ada

    subjects = [f"S{i}" for i in range(8)]
    status = pd.DataFrame({"USUBJID": subjects, "ADA": ["POS", "NEG"] * 4})
    pp = pd.DataFrame(
        {"USUBJID": subjects, "ARM": ["T"] * 8, "PPTESTCD": "AUCIFO",
         "PPSTRESN": [700, 1000, 750, 1100, 650, 950, 720, 1050.0]}
    )  # fmt: skip
    res = exposure_by_ada(pp, status)
    return Built(res, ("ADA-positive / ADA-negative", "AUCIFO", "90% CI"))


# simulate, pathways, market ----------------------------------------------------------------------------


@factory("bioparity.simulate.results.PKSimilarityPower")
def _simulated(_: Path) -> Built:
    from bioparity.scale import simulate_pk_similarity
    from bioparity.simulate import PKSimilarityDesign

    res = simulate_pk_similarity(PKSimilarityDesign(n_per_arm=60), 40, seed=3, workers=0).result
    return Built(res, ("40 simulated studies", f"{res.probability:.4f}", "seed 3"))


def _assessment() -> Any:
    from bioparity.pathways import assess_program, load_program

    program, inventory = load_program(EXAMPLES / "pathways" / "adalimumab_global.yaml")
    return assess_program(program, inventory)


@factory("bioparity.pathways.results.PathwayAssessment")
def _pathways(_: Path) -> Built:
    res = _assessment()
    return Built(res, (res.program, *(f"{r.region}: {r.status}" for r in res.regions)))


@factory("bioparity.pathways.results.RegionReadiness")
def _region(_: Path) -> Built:
    res = _assessment().regions[0]
    required = [r for r in res.requirements if r.kind == "requirement"]
    met = sum(r.status == "met" for r in required)
    return Built(res, (res.region, res.status, f"{met} of {len(required)} requirements met"))


@factory("bioparity.pathways.results.RequirementResult")
def _requirement(_: Path) -> Built:
    res = _assessment().regions[0].requirements[0]
    return Built(res, (res.rule_id, res.status))


@factory("bioparity.market.void.VoidScores")
def _void(_: Path) -> Built:
    from bioparity.market import void_scores

    res = void_scores([0, 2], [1, 5], [3.0, float("nan")], [500.0, 2000.0])
    return Built(res, ("Market void scores", "2 molecule-regions", f"{float(np.nanmax(res.score)):.4g}"))


@factory("bioparity.market.purple_book.PurpleBookCounts")
def _purple_book(_: Path) -> Built:
    from bioparity.market import read_purple_book

    res = read_purple_book(MARKET / "purple_book_2025-06.csv").counts()
    return Built(res, ("Purple Book", f"{res.products} products", f"{res.biosimilar_products} biosimilar"))


@factory("bioparity.market.ema.EmaCounts")
def _ema(folder: Path) -> Built:
    from bioparity.market import read_ema_medicines
    from tests.market.conftest import write_ema_workbook

    res = read_ema_medicines(write_ema_workbook(folder / "ema.xlsx")).counts()
    return Built(res, ("EMA medicines", f"{res.authorised_biosimilars} authorised biosimilars"))


# potency, bioassay, stability, profiles ----------------------------------------------------------------


def _potency_frame() -> pd.DataFrame:
    rows = []
    for sample, factor, wobble in (("standard", 1.0, 0.0), ("T1", 0.9, 0.05)):
        for i, dose in enumerate((1.0, 2.0, 4.0, 8.0)):
            for rep in (-1, 1):
                rows.append(("A1", sample, dose, 10 + 5 * math.log(factor * dose) + rep * (0.2 + wobble * i)))
    return pd.DataFrame(rows, columns=["assay", "sample", "dose", "response"])


@factory("bioparity.potency.results.PotencyTable")
def _potency_table(_: Path) -> Built:
    from bioparity.potency import AnalysisOptions, analyse

    res = analyse(_potency_frame(), AnalysisOptions(model="parallel-line"))
    return Built(res, ("1 estimate", "parallel-line", f"{res.estimates[0].relative_potency:.4g}"))


@factory("bioparity.potency.results.PotencyEstimate")
def _potency(_: Path) -> Built:
    from bioparity.potency import AnalysisOptions, analyse

    res = analyse(_potency_frame(), AnalysisOptions(model="parallel-line")).estimates[0]
    return Built(res, ("T1", "A1", f"{res.relative_potency:.4g}", "95% CI"))


@factory("bioparity.potency.combine.CombinedPotency")
def _combined(_: Path) -> Built:
    from bioparity.potency import combine_assays

    res = combine_assays([0.95, 1.02, 0.98], [0.85, 0.9, 0.88], [1.06, 1.15, 1.09], [10, 12, 9], sample="T1")
    return Built(res, ("T1", "3 assays", f"{res.potency:.4g}", res.method))


def _donors() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    u, r = rng.normal(0, 0.3, 15), rng.normal(0, 0.1, 3)
    rows = [
        {"donor": f"D{d:02d}", "run": f"R{j}", "value": float(np.exp(u[d] + r[j] + rng.normal(0, 0.08)))}
        for d in range(15)
        for j in range(3)
    ]
    return pd.DataFrame(rows)


@factory("bioparity.bioassay.results.CutPointResult")
def _cut_point(_: Path) -> Built:
    from bioparity.bioassay import compute_cut_point

    res = compute_cut_point(_donors())
    return Built(res, ("Screening cut point", f"{res.cut_point:.4g}", "15 donors", "5%"))


@factory("bioparity.bioassay.results.SensitivityResult")
def _sensitivity(_: Path) -> Built:
    from bioparity.bioassay import sensitivity

    conc = [1.0, 3.0, 10.0, 30.0, 100.0, 300.0]
    rows = [
        {"run": f"R{i}", "concentration": c, "signal": 1.0 + math.log10(c / x)}
        for i, x in enumerate((10.0, 20.0, 30.0))
        for c in conc
    ]
    res = sensitivity(pd.DataFrame(rows), cut_point=1.0)
    return Built(res, ("Sensitivity", f"{res.sensitivity_95:.4g}", "3 runs"))


@factory("bioparity.bioassay.results.DrugToleranceResult")
def _drug_tolerance(_: Path) -> Built:
    from bioparity.bioassay import drug_tolerance

    rows = [
        {"ada_level": a, "drug_level": d, "signal": 2.0 * a / 100 / (1 + d / (10 * a / 100))}
        for a in (100.0, 500.0)
        for d in (0.0, 1.0, 10.0, 100.0)
    ]
    res = drug_tolerance(pd.DataFrame(rows), cut_point=1.0)
    return Built(res, ("Drug tolerance", "2 ADA levels", "cut point 1"))


@factory("bioparity.bioassay.results.IsrResult")
def _isr(_: Path) -> Built:
    from bioparity.bioassay import isr

    frame = pd.DataFrame({"sample": ["a", "b", "c"], "original": [100, 50, 20.0], "repeat": [110, 52, 30.0]})
    res = isr(frame, "ligand-binding")
    return Built(res, ("ISR", "2 of 3", "PASS" if res.passed else "FAIL", "30%"))


@factory("bioparity.bioassay.results.LinearityResult")
def _linearity(_: Path) -> Built:
    from bioparity.bioassay import linearity

    frame = pd.DataFrame(
        {"level": [50, 50, 75, 100, 100, 125, 150], "response": [101, 99, 152, 198, 203, 249, 301]}
    )
    res = linearity(frame, target=100)
    # R 4.x: lm(response ~ level) slope 1.99957446808511; anova against factor(level): F 0.23967, p 0.86402
    return Built(res, ("7 results at 5 levels", "slope 1.9996", "R^2 = 0.99941", "p = 0.864: PASS", "0.23%"))


def _stability_data() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for product, lots, slope in (
        ("test", ("T1", "T2", "T3"), -0.5),
        ("reference", ("R1", "R2", "R3"), -0.55),
    ):
        for k, lot in enumerate(lots):
            for t in (0, 3, 6, 9, 12, 18):
                rows.append(
                    ("potency", lot, float(t), 100 + k * 0.3 + slope * t + rng.normal(0, 0.3), product)
                )
    return pd.DataFrame(rows, columns=["attribute", "lot", "time", "value", "product"])


@factory("bioparity.stability.core.StabilityResult")
def _stability(_: Path) -> Built:
    from bioparity.stability import fit_stability

    d = _stability_data()
    d = d[d["product"] == "test"]
    res = fit_stability(d["time"], d["value"], d["lot"], lower=90.0, attribute="potency")
    return Built(res, ("potency", res.pooling, f"{res.shelf_life:.3g}", "95%"))


@factory("bioparity.stability.core.SlopeComparison")
def _slopes(_: Path) -> Built:
    from bioparity.stability import compare_slopes

    d = _stability_data()
    res = compare_slopes(d["time"], d["value"], d["lot"], d["product"], margin=0.2, attribute="potency")
    return Built(res, ("potency", "PASS" if res.passed else "FAIL", f"{res.difference:.4g}", "90% CI"))


@factory("bioparity.stability.table.StabilityTable")
def _stability_table(_: Path) -> Built:
    from bioparity.stability import stability_table

    res = stability_table(_stability_data(), {"potency": {"lower": 90.0, "slope_margin": 0.2}})
    return Built(res, ("1 attribute", "2 products", "potency"))


@factory("bioparity.profiles.core.ProfileResult")
def _profile(_: Path) -> Built:
    from bioparity.profiles import profile_similarity

    parts = [[60, 30, 10], [61, 29, 10], [59, 31, 10], [60.5, 29.5, 10], [60, 31, 9], [62, 28, 10]]
    lots = ["R1", "R2", "R3", "R4", "T1", "T2"]
    sources = ["reference"] * 4 + ["test"] * 2
    res = profile_similarity(parts, lots, sources, ["G0F", "G1F", "G2F"])
    return Built(res, ("Profile similarity", f"{res.n_test_within} of 2", "PASS" if res.passed else "FAIL"))


# audit trail -------------------------------------------------------------------------------------------


@factory("bioparity.audit.chain.ChainVerification")
def _chain(_: Path) -> Built:
    from bioparity.audit.chain import verify_chain

    res = verify_chain([])
    return Built(res, ("audit trail intact", "0 rows"))


@factory("bioparity.workspace.integrity.IntegrityReport")
def _integrity(folder: Path) -> Built:
    from bioparity.store import make_engine
    from bioparity.workspace.integrity import upgrade, verify_workspace

    engine = make_engine(f"sqlite:///{folder / 'contract.sqlite3'}")
    try:
        upgrade(engine)
        res = verify_workspace(engine)
    finally:
        engine.dispose()
    return Built(res, ("intact", "key"))


# --- the checks -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Built]:
    cache: dict[str, Built] = {}

    def get(name: str) -> Built:
        if name not in cache:
            cache[name] = FACTORIES[name](tmp_path_factory.mktemp(name.rsplit(".", 1)[-1]))
        return cache[name]

    return get


def test_every_result_class_has_a_factory() -> None:
    """Completeness: a result class without a factory (or a factory for a class that is gone) fails."""
    found = discover()
    assert set(NOT_RESULTS) <= set(found), "a NOT_RESULTS entry no longer exists"
    results = set(found) - set(NOT_RESULTS)
    assert sorted(results - set(FACTORIES)) == [], "result classes without a factory in this file"
    assert sorted(set(FACTORIES) - results) == [], "factories for classes that are not discovered"
    assert all(found[n] for n in results), "every result class mixes in ResultMixin"


def test_discovery_finds_classes_by_marker_and_by_name() -> None:
    found = discover()
    assert "bioparity.be.similarity.PairwiseComparison" in found  # by the ResultMixin marker
    assert "bioparity.validation.cases.CaseResult" in found  # by its name alone


CLASSES = sorted(FACTORIES)


@pytest.mark.parametrize("name", CLASSES)
def test_built_by_the_right_factory_and_frozen(name: str, build: Callable[[str], Built]) -> None:
    res = build(name).result
    assert f"{type(res).__module__}.{type(res).__qualname__}" == name
    first = dataclasses.fields(res)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(res, first, getattr(res, first))


@pytest.mark.parametrize("name", CLASSES)
def test_to_dict_is_strict_json_and_round_trips(name: str, build: Callable[[str], Built]) -> None:
    res = build(name).result
    record = res.to_dict()
    assert isinstance(record, dict) and record
    text = json.dumps(record, allow_nan=False)
    assert json.loads(text) == record
    if hasattr(type(res), "from_dict"):
        again = type(res).from_dict(record)
        assert again.to_dict() == record


@pytest.mark.parametrize("name", CLASSES)
def test_to_frame_is_a_data_frame(name: str, build: Callable[[str], Built]) -> None:
    frame = build(name).result.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame.columns) > 0


@pytest.mark.parametrize("name", CLASSES)
def test_repr_is_one_short_line_naming_the_class(name: str, build: Callable[[str], Built]) -> None:
    res = build(name).result
    text = repr(res)
    assert text.startswith(type(res).__name__ + "(") and text.endswith(")")
    assert "\n" not in text and len(text) <= 400, text


@pytest.mark.parametrize("name", CLASSES)
def test_software_version_recorded(name: str, build: Callable[[str], Built]) -> None:
    res = build(name).result
    assert res.software_version == bioparity.__version__
    assert res.to_dict()["software_version"] == bioparity.__version__


@pytest.mark.parametrize("name", CLASSES)
def test_settings_present(name: str, build: Callable[[str], Built]) -> None:
    res = build(name).result
    settings = type(res).SETTINGS
    if name in NO_SETTINGS:
        assert settings == ()
        return
    assert settings, f"{name} names no SETTINGS (the options that produced it)"
    fields = {f.name for f in dataclasses.fields(res)}
    record = res.to_dict()
    for setting in settings:
        assert setting in fields, f"SETTINGS names {setting!r}, not a field"
        assert setting in record, f"setting {setting!r} missing from to_dict()"


@pytest.mark.parametrize("name", CLASSES)
def test_summary_states_the_key_numbers(name: str, build: Callable[[str], Built]) -> None:
    built = build(name)
    text = built.result.summary()
    assert isinstance(text, str) and text.strip()
    lines = text.splitlines()
    assert 1 <= len(lines) <= 6 and all(len(line) <= 130 for line in lines), text
    assert re.search(r"\bnan\b", text.lower()) is None, text
    for fragment in built.says:
        assert fragment in text, f"{fragment!r} not in summary:\n{text}"


#: Names the vocabulary replaced (issue 21): ``ci_lower``/``ci_upper``, ``conf_level`` and ``passed`` instead.
RETIRED_NAMES = {
    "lower",
    "upper",
    "conf",
    "ci_level",
    "equivalent",
    "profile_similar",
    "pass",
    "pass_without_outliers",
}


@pytest.mark.parametrize("name", CLASSES)
def test_fields_follow_the_vocabulary(name: str, build: Callable[[str], Built]) -> None:
    """No retired name; a field ending in ``_lower``/``_upper`` is a CI bound or a margin."""
    for f in dataclasses.fields(build(name).result):
        assert f.name not in RETIRED_NAMES, f"{name}.{f.name}: use ci_lower/ci_upper, conf_level or passed"
        if f.name.endswith(("_lower", "_upper")):
            assert re.fullmatch(r"(\w+_)?(ci|margin)_(lower|upper)", f.name), f"{name}.{f.name}"


#: A key that holds a count (subjects, lots, events, rows): ``n``, ``n1``, ``n_test``, ``x2``, ``n_within``.
COUNT_KEY = re.compile(r"n|n\d+|x\d+|n_[a-z0-9_]+")


def _count_values(record: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """(key, value) of every count-like key of a ``to_dict()`` record, in nested records and lists."""
    if isinstance(record, dict):
        for k, v in record.items():
            if isinstance(v, dict | list):
                yield from _count_values(v, str(k))
            elif COUNT_KEY.fullmatch(str(k)):
                yield str(k), v
    elif isinstance(record, list):
        for item in record:
            if isinstance(item, dict | list):
                yield from _count_values(item, key)
            elif COUNT_KEY.fullmatch(key):
                yield key, item


@pytest.mark.parametrize("name", CLASSES)
def test_counts_are_whole_numbers_in_json(name: str, build: Callable[[str], Built]) -> None:
    """A count (``n1``, ``n_test``) is an int in the JSON, never ``20.0`` (missing: None)."""
    bad = {
        k: v for k, v in _count_values(build(name).result.to_dict()) if v is not None and type(v) is not int
    }
    assert not bad, f"{name}: counts not written as whole numbers: {bad}"
