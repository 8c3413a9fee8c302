"""What the pathway engine reads: a program profile and its evidence inventory.

Both are plain frozen dataclasses with no knowledge of where they came from: a PROGRAM.yaml file
(:mod:`bioparity.pathways.program_file`), the workspace's stored analyses, or a test. Every evidence
item has a stable ``id``; the engine cites evidence as ``"<kind>:<id>"`` (for example
``"caa:glycan-afucose"``, ``"pk:PK-301/T-US-AUCinf"``, ``"manual:local_reference_used@NMPA"``).

Inventory schema
----------------
``ProgramProfile``
    ``name``; ``modality`` (one of :data:`MODALITIES`); ``moa_understood`` (mechanism of action known
    and covered by functional assays); ``clonal_cell_line``; ``glycosylated``; ``pk_study_feasible``
    (a comparative PK study in a suitable population is feasible and clinically relevant);
    ``reference_sourcing`` (region code -> source of the reference product relied on for that
    region's dossier, e.g. ``{"EMA": "EU", "FDA": "EU", "NMPA": "CN"}``); ``indications``;
    ``target_regions`` (empty = every region with a rule file); ``interchangeability_sought`` (US, UK);
    ``pd_marker_accepted`` (a pharmacodynamic marker is the accepted basis of similarity, e.g. the
    glucose infusion rate for insulins, ANC and CD34+ counts for filgrastim and pegfilgrastim).
``CAAAttribute``
    One quality attribute compared with one reference product: ``id``, ``name``, ``category`` (one of
    :data:`CAA_CATEGORIES`), ``reference`` (source label such as ``"EU"``), ``passed``,
    ``critical`` (high-risk / MoA-relevant), ``n_test_lots``, ``n_reference_lots``, ``method``.
``AnalyticalBridge``
    Side-by-side comparison of reference products: ``id``, ``references`` (two source labels, e.g.
    ``("EU", "US")``, or a three-way comparison including the proposed product, e.g.
    ``("T", "EU", "US")``: every pair compared), ``passed`` (every pairwise comparison met its
    criterion), ``n_attributes``.
``PKStudy`` / ``PKComparison``
    A comparative PK study: ``id``, ``arms`` (``"T"`` for the proposed biosimilar, reference arms by
    source label, e.g. ``("T", "EU", "US")``), ``population`` (``healthy_volunteers`` or
    ``patients``), ``subject_populations`` (e.g. ``("chinese",)``), ``design``, ``dosing``
    (``single``/``multiple``) and its pairwise ``comparisons``: ``id``, ``test`` and ``reference`` arm,
    ``metric`` (single dose ``AUC0-inf``, ``AUC0-t``, ``Cmax``; multiple dose at steady state
    ``AUCtau``, ``Cmax,ss``, ``Ctrough``; CDISC codes AUCIFO/AUCINF, AUCLST, CMAX, AUCTAU, CTROUGH
    accepted),
    ``ratio`` and the ``ci_lower``/``ci_upper`` of the geometric mean ratio, acceptance limits
    (default 0.80-1.25). ``passed`` is computed from the CI; a stated ``passed`` that contradicts the
    CI is an error, never silently overridden.
``ImmunogenicityAssessment``
    ADA comparison of T with one reference: ``id``, ``study`` (PK or clinical study id),
    ``reference``, ``comparable``, ``nab_assessed``, ``multiple_dose``.
``ClinicalStudy``
    ``id``, ``kind`` (one of :data:`CLINICAL_KINDS`), ``reference``, ``population``,
    ``subject_populations``, ``outcome`` (``equivalent``, ``not_equivalent``, ``ongoing``, ``planned``).
``ManualItem``
    A fact entered by hand: ``code`` (one of :data:`MANUAL_ITEMS`), ``value`` (true/false), optional
    ``region`` it applies to (``None`` = every region) and a ``note``.
``ProcessComparability``
    A manufacturing change of the proposed product bridged by an ICH Q5E comparability exercise
    (post-change lots against pre-change lots): ``id``, ``change`` (e.g. ``"site B vs site A"``),
    ``passed``, ``n_attributes``, ``not_comparable`` (what was not shown comparable). The engine cites it
    as ``q5e:<id>``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bioparity.errors import InputError
from bioparity.i18n import gettext_noop

#: Product classes the rules know. Rules decide which of them each pathway covers (names translated
#: where shown).
MODALITIES: dict[str, str] = {
    "monoclonal_antibody": gettext_noop("monoclonal antibody (e.g. IgG1, IgG4)"),
    "fusion_protein": gettext_noop("Fc-fusion or other fusion protein"),
    "recombinant_protein": gettext_noop(
        "recombinant therapeutic protein (e.g. filgrastim, somatropin, epoetin)"
    ),
    "insulin": gettext_noop("recombinant human insulin or insulin analogue"),
    "pegylated_protein": gettext_noop("PEGylated recombinant protein (e.g. pegfilgrastim)"),
    "antibody_drug_conjugate": gettext_noop("antibody-drug conjugate"),
    "peptide": gettext_noop("recombinant or synthetic peptide"),
    "polyclonal_antibody": gettext_noop(
        "polyclonal antibody (e.g. plasma-derived or animal-derived immunoglobulins)"
    ),
}

#: Categories of comparative analytical assessment (the quality attributes the regions' rules ask to compare).
CAA_CATEGORIES: dict[str, str] = {
    "primary_structure": "primary structure (amino-acid sequence, peptide map, intact mass)",
    "higher_order_structure": "higher-order structure",
    "glycosylation": "glycosylation and other post-translational modifications",
    "charge_variants": "charge variants",
    "size_variants": "size variants (aggregates, fragments)",
    "purity_impurities": "purity and product-related impurities",
    "potency": "potency (biological activity)",
    "moa_functional": "mechanism-of-action-related functional assays (binding, effector functions)",
    "conjugation": "conjugation (PEG site and size, drug-to-antibody ratio, linker-payload)",
    "stability": "stability and forced degradation",
}

PK_METRICS: dict[str, str] = {
    "AUC0-inf": "AUC0-inf",
    "AUCINF": "AUC0-inf",
    "AUCIFO": "AUC0-inf",
    "AUC0-t": "AUC0-t",
    "AUCLST": "AUC0-t",
    "Cmax": "Cmax",
    "CMAX": "Cmax",
    "AUCtau": "AUCtau",
    "AUCTAU": "AUCtau",
    "Cmax,ss": "Cmax,ss",
    "Cmax_ss": "Cmax,ss",
    "CMAXSS": "Cmax,ss",
    "Ctrough": "Ctrough",
    "Ctrough,ss": "Ctrough",
    "CTROUGH": "Ctrough",
}

#: Primary metrics by dosing when a rule does not say otherwise: single dose (AUC0-inf, AUC0-t, Cmax)
#: and multiple dose at steady state in patients (AUCtau, Cmax,ss, Ctrough).
SINGLE_DOSE_METRICS = ("AUC0-inf", "AUC0-t", "Cmax")
MULTIPLE_DOSE_METRICS = ("AUCtau", "Cmax,ss", "Ctrough")

PK_POPULATIONS = ("healthy_volunteers", "patients")
CLINICAL_KINDS: dict[str, str] = {
    "comparative_efficacy": "comparative efficacy (equivalence) study in a sensitive population",
    "pd_similarity": "comparative pharmacodynamic study (e.g. euglycaemic clamp, ANC)",
    "switching": "switching study (alternating T and R)",
    "safety_immunogenicity": "comparative safety / immunogenicity study",
}
CLINICAL_OUTCOMES = ("equivalent", "not_equivalent", "ongoing", "planned")

#: Facts a developer records by hand; the rules name them by code.
MANUAL_ITEMS: dict[str, str] = {
    "local_reference_used": "the locally licensed reference product was used (region-specific)",
    "reference_representativeness_justified": "a non-local reference product is justified as representative",
    "extrapolation_justified": "scientific justification for extrapolation to all claimed indications",
    "scientific_advice_supports_waiver": "the agency's advice supports the tailored (no CES) approach",
    "no_in_vivo_animal_studies_justified": "absence of in vivo animal studies justified",
    "presentation_same_as_reference": "device / presentation same as the reference (US interchangeability)",
    "enhanced_analytical_dossier": "enhanced analytical and statistical similarity dossier prepared",
    "cde_clinical_package_agreed": (
        "the clinical package (e.g. no comparative efficacy study) was agreed with China's CDE after "
        "the CMC comparison"
    ),
}

_LABEL = re.compile(r"^[A-Z]{2,3}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def _check_id(kind: str, value: str) -> None:
    if not isinstance(value, str) or not _ID.match(value):
        raise InputError(f"{kind} id {value!r} is not valid; expected letters, digits, '.', '_' or '-'")


def _check_label(what: str, value: str) -> None:
    if not isinstance(value, str) or not _LABEL.match(value):
        raise InputError(
            f"{what} {value!r} is not a reference source label; expected 2-3 capital letters "
            "such as EU, US, CN"
        )


def _check_choice(what: str, value: str, choices: Mapping[str, str] | tuple[str, ...]) -> None:
    if value not in choices:
        raise InputError(f"{what} {value!r} is not known; expected one of {', '.join(choices)}")


@dataclass(frozen=True)
class ProgramProfile:
    """The biosimilar program: what the product is and where it is filed.

    Attributes
    ----------
    name : str
        Program name as printed in reports, e.g. ``"ABC-123 (adalimumab)"``.
    modality : str
        Product class, one of the keys of :data:`MODALITIES` (``monoclonal_antibody``, ``insulin``,
        ...); the rules decide which modalities each region's streamlined pathway covers.
    moa_understood : bool
        The mechanism of action is known and covered by functional assays (a condition of the
        streamlined pathway without a comparative efficacy study).
    reference_sourcing : mapping of str to str, default {}
        Region code -> source label of the reference product relied on for that region's dossier,
        e.g. ``{"EMA": "EU", "FDA": "EU", "NMPA": "CN"}``; labels are 2-3 capital letters. For a
        region not listed the reference requirement is missing unless the manual item
        ``local_reference_used`` is recorded as true for it.
    indications : tuple of str, default ()
        Indications claimed (rules may ask for a justification of extrapolation when there are several).
    target_regions : tuple of str, default ()
        Region codes to assess (``EMA``, ``FDA``, ``MHRA``, ``NMPA``, ``WHO``, ``HC``); empty means every
        region with a rule file.
    clonal_cell_line : bool, default True
        The product is made in a clonal cell line.
    glycosylated : bool, default True
        The product is glycosylated (switches on the glycosylation requirements).
    pk_study_feasible : bool, default True
        A comparative PK study in a suitable population is feasible and clinically relevant.
    interchangeability_sought : bool, default False
        The sponsor seeks interchangeability: switches on the FDA designation rule (switching studies,
        presentation) and shows MHRA's position (an authorised biosimilar is interchangeable).
    pd_marker_accepted : bool, default False
        A pharmacodynamic marker is the accepted basis of similarity (e.g. the glucose infusion rate
        of a euglycaemic clamp for insulins, ANC and CD34+ counts for filgrastim).

    Raises
    ------
    InputError
        When ``modality`` is not in :data:`MODALITIES` or a reference source label is not 2-3 capital
        letters.

    Examples
    --------
    >>> p = ProgramProfile(name="demo", modality="monoclonal_antibody", moa_understood=True,
    ...                    reference_sourcing={"EMA": "EU", "FDA": "EU"})
    >>> p.reference_sourcing["FDA"]
    'EU'
    """

    name: str
    modality: str
    moa_understood: bool
    reference_sourcing: Mapping[str, str] = field(default_factory=dict)
    indications: tuple[str, ...] = ()
    target_regions: tuple[str, ...] = ()
    clonal_cell_line: bool = True
    glycosylated: bool = True
    pk_study_feasible: bool = True
    interchangeability_sought: bool = False
    pd_marker_accepted: bool = False

    def __post_init__(self) -> None:
        _check_choice("modality", self.modality, MODALITIES)
        for region, source in self.reference_sourcing.items():
            _check_label(f"reference source for {region}", source)


@dataclass(frozen=True)
class CAAAttribute:
    """One quality attribute of T (the proposed biosimilar) compared with one reference product.

    Attributes
    ----------
    id : str
        Stable identifier (letters, digits, ``.``, ``_``, ``-``); the engine cites it as ``caa:<id>``.
    name : str
        Attribute name, e.g. ``"afucosylated glycans"``.
    category : str
        One of the keys of :data:`CAA_CATEGORIES` (``glycosylation``, ``charge_variants``, ...).
    reference : str
        Source label of the reference product compared with (2-3 capital letters, e.g. ``"EU"``).
    passed : bool
        The attribute met its similarity criterion (e.g. the tolerance-interval or equivalence test
        of :mod:`bioparity.caa`).
    critical : bool, default False
        High-risk or mechanism-of-action-relevant attribute.
    n_test_lots, n_reference_lots : int or None, default None
        Number of lots of T and of the reference analysed (positive integers), when known.
    method : str or None, default None
        Analytical method, e.g. ``"HILIC-FLD"``.
    label : str or None, default None
        The attribute as reports print it (``"Afucosylated glycans"`` for ``afucosylated_glycans``: the
        label of the CAA catalogue, :meth:`bioparity.caa.catalogue.Catalogue.display_name`); findings
        name the attribute by it, by ``name`` as written when it is absent (:attr:`shown`).

    Raises
    ------
    InputError
        When the id, category or reference label is not valid, or a lot count is not a positive integer.
    """

    id: str
    name: str
    category: str
    reference: str
    passed: bool
    critical: bool = False
    n_test_lots: int | None = None
    n_reference_lots: int | None = None
    method: str | None = None
    label: str | None = None

    @property
    def shown(self) -> str:
        """The name findings print: ``label``, else ``name`` exactly as written."""
        return self.label or self.name

    def __post_init__(self) -> None:
        _check_id("CAA attribute", self.id)
        _check_choice(f"CAA attribute {self.id}: category", self.category, CAA_CATEGORIES)
        _check_label(f"CAA attribute {self.id}: reference", self.reference)
        for name in ("n_test_lots", "n_reference_lots"):
            n = getattr(self, name)
            if n is not None and (not isinstance(n, int) or n < 1):
                raise InputError(f"CAA attribute {self.id}: {name} must be a positive integer, got {n!r}")


@dataclass(frozen=True)
class AnalyticalBridge:
    """Side-by-side analytical comparison of two reference products (e.g. EU-RP vs US-RP), or a
    three-way comparison of the proposed product with both (``("T", "EU", "US")``).

    Attributes
    ----------
    id : str
        Stable identifier; the engine cites it as ``bridge:<id>``.
    references : tuple of str
        Either two different reference source labels (``("EU", "US")``) or a three-way comparison
        ``("T", <label>, <label>)`` in which every pair was compared.
    passed : bool
        Every pairwise comparison met its criterion.
    n_attributes : int or None, default None
        Number of quality attributes compared, when known.

    Raises
    ------
    InputError
        When the id is not valid or ``references`` is neither two labels nor ``T`` plus two labels.
    """

    id: str
    references: tuple[str, ...]
    passed: bool
    n_attributes: int | None = None

    def __post_init__(self) -> None:
        _check_id("analytical bridge", self.id)
        refs = [r for r in self.references if r != "T"]
        three_way = len(self.references) == 3 and "T" in self.references
        if len(set(self.references)) != len(self.references) or not (len(self.references) == 2 or three_way):
            raise InputError(
                f"analytical bridge {self.id}: references must be two different labels (e.g. EU, US) "
                "or a three-way comparison T, <label>, <label>"
            )
        for ref in refs:
            _check_label(f"analytical bridge {self.id}: reference", ref)

    @property
    def three_way(self) -> bool:
        """The proposed product was compared side by side with both reference products."""
        return "T" in self.references

    @property
    def reference_pair(self) -> frozenset[str]:
        """The two reference products bridged."""
        return frozenset(r for r in self.references if r != "T")


@dataclass(frozen=True)
class PKComparison:
    """One pairwise comparison of a PK study: geometric mean ratio (GMR) and its CI for one metric.

    ``passed`` (a property) is computed from the CI: the comparison passes when
    ``lower_limit <= ci_lower`` and ``ci_upper <= upper_limit``, limits included (FDA, Clinical
    Pharmacology Data to Support a Demonstration of Biosimilarity to a Reference Product, 2016,
    section IV; EMA, Guideline on the investigation of bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1,
    section 4.1.8, for the 0.80-1.25 limits).

    Attributes
    ----------
    id : str
        Identifier unique within the study; the engine cites ``pk:<study id>/<id>``.
    test, reference : str
        Arms compared, among the study's ``arms`` (``"T"`` or a source label such as ``"EU"``).
    metric : str
        PK metric: single dose ``AUC0-inf``, ``AUC0-t``, ``Cmax``; multiple dose ``AUCtau``,
        ``Cmax,ss``, ``Ctrough``. CDISC codes (``AUCIFO``, ``AUCINF``, ``AUCLST``, ``CMAX``, ``AUCTAU``,
        ``CTROUGH``) are accepted and stored under the names above.
    ratio : float
        Point estimate of the GMR test/reference (a ratio, not a percentage; e.g. 0.98).
    ci_lower, ci_upper : float
        Limits of the (usually 90 %) confidence interval of the GMR, as ratios, with
        ``ci_lower <= ratio <= ci_upper``.
    lower_limit, upper_limit : float, default 0.80 and 1.25
        Acceptance limits of the CI, as ratios, with ``0 < lower_limit < 1 < upper_limit``.
    stated_passed : bool or None, default None
        The verdict stated in the source (``passed:`` in PROGRAM.yaml); checked against the CI.

    Raises
    ------
    InputError
        When the metric is unknown, the ratio or a CI limit is not a positive finite number, the CI
        does not contain the ratio, the limits do not bracket 1, or ``stated_passed`` contradicts the CI.

    Examples
    --------
    >>> c = PKComparison("T-EU-AUC", "T", "EU", "AUCINF", ratio=0.98, ci_lower=0.91, ci_upper=1.06)
    >>> c.metric, c.passed
    ('AUC0-inf', True)
    """

    id: str
    test: str
    reference: str
    metric: str
    ratio: float
    ci_lower: float
    ci_upper: float
    lower_limit: float = 0.80
    upper_limit: float = 1.25
    stated_passed: bool | None = None

    def __post_init__(self) -> None:
        _check_id("PK comparison", self.id)
        _check_choice(f"PK comparison {self.id}: metric", self.metric, PK_METRICS)
        object.__setattr__(self, "metric", PK_METRICS[self.metric])
        values = (self.ci_lower, self.ratio, self.ci_upper)
        if not all(isinstance(v, (int, float)) and math.isfinite(v) and v > 0 for v in values):
            raise InputError(f"PK comparison {self.id}: ratio and CI limits must be positive numbers")
        if not self.ci_lower <= self.ratio <= self.ci_upper:
            raise InputError(
                f"PK comparison {self.id}: expected ci_lower <= ratio <= ci_upper, got "
                f"{self.ci_lower} <= {self.ratio} <= {self.ci_upper}"
            )
        if not 0 < self.lower_limit < 1 < self.upper_limit:
            raise InputError(f"PK comparison {self.id}: acceptance limits must satisfy 0 < lower < 1 < upper")
        if self.stated_passed is not None and self.stated_passed != self.passed:
            raise InputError(
                f"PK comparison {self.id}: stated passed={self.stated_passed} contradicts the CI "
                f"[{self.ci_lower}, {self.ci_upper}] against limits [{self.lower_limit}, {self.upper_limit}]"
            )

    @property
    def passed(self) -> bool:
        """The CI of the geometric mean ratio lies within the acceptance limits (inclusive)."""
        return self.lower_limit <= self.ci_lower and self.ci_upper <= self.upper_limit


@dataclass(frozen=True)
class PKStudy:
    """A comparative PK study with its arms and pairwise comparisons.

    Attributes
    ----------
    id : str
        Study identifier, e.g. ``"PK-101"``.
    arms : tuple of str
        Arms of the study: ``"T"`` (the proposed biosimilar, required) and reference arms by source
        label, e.g. ``("T", "EU", "US")``.
    comparisons : tuple of PKComparison
        Pairwise comparisons between arms (ids unique within the study).
    population : str, default "healthy_volunteers"
        ``healthy_volunteers`` or ``patients``.
    subject_populations : tuple of str, default ()
        Ethnic or regional subpopulations enrolled, e.g. ``("chinese",)`` (some regions ask for them).
    design : str, default "parallel"
        Study design as free text (``parallel``, ``crossover``, ...).
    dosing : str, default "single"
        ``single`` or ``multiple`` (steady state); decides which metrics a PK bridge must report.

    Raises
    ------
    InputError
        When the population or dosing is unknown, ``T`` is not an arm, an arm label is not valid, a
        comparison id is repeated or a comparison uses an arm that is not in ``arms``.
    """

    id: str
    arms: tuple[str, ...]
    comparisons: tuple[PKComparison, ...]
    population: str = "healthy_volunteers"
    subject_populations: tuple[str, ...] = ()
    design: str = "parallel"
    dosing: str = "single"

    def __post_init__(self) -> None:
        _check_id("PK study", self.id)
        _check_choice(f"PK study {self.id}: population", self.population, PK_POPULATIONS)
        _check_choice(f"PK study {self.id}: dosing", self.dosing, ("single", "multiple"))
        if "T" not in self.arms:
            raise InputError(f"PK study {self.id}: arms must include 'T' (the proposed biosimilar)")
        for arm in self.arms:
            if arm != "T":
                _check_label(f"PK study {self.id}: arm", arm)
        seen: set[str] = set()
        for comp in self.comparisons:
            if comp.id in seen:
                raise InputError(f"PK study {self.id}: comparison id {comp.id!r} is used twice")
            seen.add(comp.id)
            for arm in (comp.test, comp.reference):
                if arm not in self.arms:
                    raise InputError(
                        f"PK study {self.id}: comparison {comp.id} uses arm {arm!r}, "
                        f"not among the arms {', '.join(self.arms)}"
                    )


@dataclass(frozen=True)
class ImmunogenicityAssessment:
    """Comparison of anti-drug antibodies (ADA) between T and one reference product.

    Attributes
    ----------
    id : str
        Stable identifier; the engine cites it as ``immuno:<id>``.
    study : str
        Id of the PK or clinical study the assessment comes from.
    reference : str
        Source label of the reference product (e.g. ``"EU"``).
    comparable : bool
        ADA incidence (and titres) were judged comparable between T and the reference.
    nab_assessed : bool, default True
        Neutralising antibodies were assessed as well.
    multiple_dose : bool, default False
        The assessment comes from multiple dosing (some regions' rules ask for it, citing the EMA
        Guideline on immunogenicity assessment of therapeutic proteins, EMEA/CHMP/BMWP/14327/2006 Rev 1).

    Raises
    ------
    InputError
        When the id or reference label is not valid.
    """

    id: str
    study: str
    reference: str
    comparable: bool
    nab_assessed: bool = True
    multiple_dose: bool = False

    def __post_init__(self) -> None:
        _check_id("immunogenicity assessment", self.id)
        _check_label(f"immunogenicity assessment {self.id}: reference", self.reference)


@dataclass(frozen=True)
class ClinicalStudy:
    """A clinical study other than the PK study (efficacy, PD, switching, safety).

    Attributes
    ----------
    id : str
        Stable identifier; the engine cites it as ``clinical:<id>``.
    kind : str
        One of the keys of :data:`CLINICAL_KINDS`: ``comparative_efficacy``, ``pd_similarity``,
        ``switching`` or ``safety_immunogenicity``.
    reference : str
        Source label of the reference product (e.g. ``"US"``).
    outcome : str
        ``equivalent``, ``not_equivalent``, ``ongoing`` or ``planned``.
    population : str, default ""
        Study population as free text (e.g. ``"plaque psoriasis"``).
    subject_populations : tuple of str, default ()
        Ethnic or regional subpopulations enrolled, e.g. ``("chinese",)``.

    Raises
    ------
    InputError
        When the id, kind, outcome or reference label is not valid.
    """

    id: str
    kind: str
    reference: str
    outcome: str
    population: str = ""
    subject_populations: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_id("clinical study", self.id)
        _check_choice(f"clinical study {self.id}: kind", self.kind, CLINICAL_KINDS)
        _check_choice(f"clinical study {self.id}: outcome", self.outcome, CLINICAL_OUTCOMES)
        _check_label(f"clinical study {self.id}: reference", self.reference)


@dataclass(frozen=True)
class ManualItem:
    """A fact recorded by hand, e.g. ``local_reference_used`` for region ``NMPA``.

    Attributes
    ----------
    code : str
        One of the keys of :data:`MANUAL_ITEMS` (the rules name the items they look for).
    value : bool
        Whether the fact holds.
    region : str or None, default None
        Region code it applies to; ``None`` applies to every region (a region-specific item wins).
    note : str, default ""
        Free-text justification or reference to the supporting document.

    Raises
    ------
    InputError
        When ``code`` is not in :data:`MANUAL_ITEMS`.
    """

    code: str
    value: bool
    region: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        _check_choice("manual item", self.code, MANUAL_ITEMS)

    @property
    def key(self) -> str:
        return self.code if self.region is None else f"{self.code}@{self.region}"


@dataclass(frozen=True)
class ProcessComparability:
    """A manufacturing change of the proposed product (site, scale, process step) and the comparability
    exercise bridging it: post-change lots against pre-change lots (ICH Q5E, *Comparability of
    Biotechnological/Biological Products Subject to Changes in Their Manufacturing Process*,
    CPMP/ICH/5721/03, 2004, sections 1.4 and 2.4).

    Evidence of similarity to the reference product stands for the commercial product only when the lots
    it was shown on are representative of it; a change between them is bridged by such an exercise. The
    engine cites it with the comparative analytical assessment (``q5e:<id>``): one not shown comparable
    puts that requirement at risk.

    Attributes
    ----------
    id : str
        Stable identifier; the engine cites it as ``q5e:<id>``.
    change : str
        What was compared, e.g. ``"post-change vs pre-change"`` or ``"site B vs site A"``.
    passed : bool
        Comparability was shown: no quality attribute failed its criterion and no degradation rate was
        shown to differ.
    n_attributes : int or None, default None
        Number of quality attributes compared, when known.
    not_comparable : tuple of str, default ()
        What was not shown comparable (attribute names, degradation rates), when known.

    Raises
    ------
    InputError
        When the id is not valid, or ``passed`` is true while something is listed as not comparable.

    Examples
    --------
    >>> ProcessComparability("site-transfer", "site B vs site A", passed=False,
    ...                      not_comparable=("afucosylated glycans",)).not_comparable
    ('afucosylated glycans',)
    """

    id: str
    change: str
    passed: bool
    n_attributes: int | None = None
    not_comparable: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_id("process comparability", self.id)
        object.__setattr__(self, "not_comparable", as_tuple(self.not_comparable))
        if self.passed and self.not_comparable:
            raise InputError(
                f"process comparability {self.id}: passed, yet not comparable: "
                + ", ".join(self.not_comparable)
            )


@dataclass(frozen=True)
class EvidenceInventory:
    """Everything the program has shown so far.

    Attributes
    ----------
    caa : tuple of CAAAttribute, default ()
        Comparative analytical assessment, one entry per attribute and reference product.
    analytical_bridges : tuple of AnalyticalBridge, default ()
        Side-by-side comparisons of reference products.
    pk_studies : tuple of PKStudy, default ()
        Comparative PK studies with their pairwise comparisons.
    immunogenicity : tuple of ImmunogenicityAssessment, default ()
        ADA comparisons.
    clinical_studies : tuple of ClinicalStudy, default ()
        Efficacy, PD, switching and safety studies.
    manual_items : tuple of ManualItem, default ()
        Facts recorded by hand.
    process_changes : tuple of ProcessComparability, default ()
        Manufacturing changes of the proposed product and their comparability exercises (ICH Q5E).

    Raises
    ------
    InputError
        When an evidence id (``caa:<id>``, ``pk:<study>/<comparison>``, ...) is used more than once.
    """

    caa: tuple[CAAAttribute, ...] = ()
    analytical_bridges: tuple[AnalyticalBridge, ...] = ()
    pk_studies: tuple[PKStudy, ...] = ()
    immunogenicity: tuple[ImmunogenicityAssessment, ...] = ()
    clinical_studies: tuple[ClinicalStudy, ...] = ()
    manual_items: tuple[ManualItem, ...] = ()
    process_changes: tuple[ProcessComparability, ...] = ()

    def __post_init__(self) -> None:
        ids = self.evidence_ids()
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise InputError(f"evidence ids must be unique; used more than once: {', '.join(duplicates)}")

    def evidence_ids(self) -> list[str]:
        """All evidence references the engine can cite, in inventory order."""
        ids = [f"caa:{a.id}" for a in self.caa]
        ids += [f"bridge:{b.id}" for b in self.analytical_bridges]
        ids += [f"pk:{s.id}/{c.id}" for s in self.pk_studies for c in s.comparisons]
        ids += [f"immuno:{i.id}" for i in self.immunogenicity]
        ids += [f"clinical:{c.id}" for c in self.clinical_studies]
        ids += [f"manual:{m.key}" for m in self.manual_items]
        ids += [f"q5e:{c.id}" for c in self.process_changes]
        return ids

    def manual(self, code: str, region: str) -> ManualItem | None:
        """The manual item ``code`` for ``region`` (a region-specific entry wins over a general one)."""
        specific = [m for m in self.manual_items if m.code == code and m.region == region]
        general = [m for m in self.manual_items if m.code == code and m.region is None]
        found = specific or general
        return found[0] if found else None


#: The evidence lists of a program file, by key (the fields of :class:`EvidenceInventory`), and the class
#: of their items.
EVIDENCE_KINDS: dict[str, type[Any]] = {
    "caa": CAAAttribute,
    "analytical_bridges": AnalyticalBridge,
    "pk_studies": PKStudy,
    "immunogenicity": ImmunogenicityAssessment,
    "clinical_studies": ClinicalStudy,
    "manual_items": ManualItem,
    "process_changes": ProcessComparability,
}


def as_tuple(value: Any) -> tuple[Any, ...]:
    """Lists from YAML/JSON become tuples so that the dataclasses stay immutable."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)
