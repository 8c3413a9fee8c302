"""Clinical equivalence and immunogenicity statistics.

Confidence intervals for a difference of proportions (Wald, Newcombe hybrid score, Miettinen-Nurminen,
Farrington-Manning), a ratio of proportions (Koopman, Miettinen-Nurminen, Katz), a difference of means
(Welch, pooled) and a stratified risk difference (CMH weights); equivalence decisions with an explicit CI
level; power and sample size for the equivalence of two proportions (normal approximation, exact
enumeration) and two means (exact t, normal); ADA/NAb incidence, titres and exposure by ADA status.
"""

from bioparity.clinical.equivalence import (
    EquivalenceResult,
    equivalence_decision,
    equivalence_means,
    equivalence_proportions,
    equivalence_ratio,
)
from bioparity.clinical.immunogenicity import (
    ExposureByADAResult,
    IncidenceDifferenceResult,
    IncidenceResult,
    TitreSummaryResult,
    TreatmentEmergentResult,
    ada_incidence,
    exposure_by_ada,
    incidence_difference,
    titre_summary,
    treatment_emergent_ada,
)
from bioparity.clinical.means import (
    MEAN_METHODS,
    MeanDifferenceCI,
    ci_mean_difference,
    ci_mean_difference_samples,
)
from bioparity.clinical.proportions import DIFFERENCE_METHODS, DifferenceCI, ci_difference
from bioparity.clinical.ratio import RATIO_METHODS, RatioCI, ci_ratio
from bioparity.clinical.sample_size_means import (
    MeansPowerResult,
    MeansSampleSizeResult,
    power_equivalence_means,
    sample_size_equivalence_means,
)
from bioparity.clinical.sample_size_proportions import (
    ProportionsPowerResult,
    ProportionsSampleSizeResult,
    power_equivalence_proportions,
    sample_size_equivalence_proportions,
)
from bioparity.clinical.score import wilson_cc_interval, wilson_interval
from bioparity.clinical.stratified import STRATIFIED_METHODS, StratifiedDifferenceCI, ci_difference_stratified

__all__ = [
    "DIFFERENCE_METHODS",
    "MEAN_METHODS",
    "RATIO_METHODS",
    "STRATIFIED_METHODS",
    "DifferenceCI",
    "EquivalenceResult",
    "ExposureByADAResult",
    "IncidenceDifferenceResult",
    "IncidenceResult",
    "MeanDifferenceCI",
    "MeansPowerResult",
    "MeansSampleSizeResult",
    "ProportionsPowerResult",
    "ProportionsSampleSizeResult",
    "RatioCI",
    "StratifiedDifferenceCI",
    "TitreSummaryResult",
    "TreatmentEmergentResult",
    "ada_incidence",
    "ci_difference",
    "ci_difference_stratified",
    "ci_mean_difference",
    "ci_mean_difference_samples",
    "ci_ratio",
    "equivalence_decision",
    "equivalence_means",
    "equivalence_proportions",
    "equivalence_ratio",
    "exposure_by_ada",
    "incidence_difference",
    "power_equivalence_means",
    "power_equivalence_proportions",
    "sample_size_equivalence_means",
    "sample_size_equivalence_proportions",
    "titre_summary",
    "treatment_emergent_ada",
    "wilson_cc_interval",
    "wilson_interval",
]
