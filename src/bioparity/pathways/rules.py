"""Regulatory rules as data: loading and validating the per-region rule files.

Each region has one YAML file in ``bioparity/pathways/rules/`` (shipped with the package), versioned by
``rules_version``. A rule names the check to run (:mod:`bioparity.pathways.checks`), cites a document,
section and date, says whether it is our ``interpretation`` rather than guideline text and whether the
fact is ``unconfirmed`` (not verified against the guideline text itself). Files are validated against
``rule_schema.json`` and then semantically (known check codes and parameters, cited documents defined,
unique rule ids prefixed by the region); any problem raises :class:`RuleFileError` naming the file and
the rule id.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from bioparity.errors import RuleFileError
from bioparity.i18n import coded_words, pgettext, pgettext_noop
from bioparity.i18n import gettext as _
from bioparity.pathways.basis import ReferencePolicy
from bioparity.pathways.checks import CHECKS
from bioparity.pathways.inventory import (
    MANUAL_ITEMS,
    MODALITIES,
    MULTIPLE_DOSE_METRICS,
    PK_METRICS,
    SINGLE_DOSE_METRICS,
)

#: A guideline's status as the rule files store it -> its words (the English words are the stored ones, so
#: that an English report cites as the rule's source label does). Marked with the context "guideline status":
#: a draft guideline (zh-CN 征求意见稿) is not a draft run or report (草稿), whose "draft" shares the English
#: word (GNU gettext manual, section 11.2.5, contexts).
GUIDELINE_STATUS = {
    "final": pgettext_noop("guideline status", "final"),
    "draft": pgettext_noop("guideline status", "draft"),
    "interim": pgettext_noop("guideline status", "interim"),
}


def guideline_status(status: str) -> str:
    """A guideline's status in the reader's words (the stored word when it has none).

    Examples
    --------
    >>> guideline_status("interim"), guideline_status("superseded")
    ('interim', 'superseded')
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     guideline_status("draft")
    '征求意见稿'
    """
    return coded_words("guideline status", GUIDELINE_STATUS, status)


@dataclass(frozen=True)
class Document:
    """A cited guideline. ``title`` is the English title (the guideline's own, or the rule file's English
    rendering of a title in another language); ``title_zh`` is the Simplified Chinese title when the rule
    file gives one (for a CDE/NMPA text: the guideline's own title), printed for a zh-CN reader;
    ``reference_zh`` likewise the document number as the issuing notice writes it (国家药品监督管理局通告
    2018年第52号 for ``NMPA notice 2018 No. 52``)."""

    key: str
    title: str
    date: str
    status: str
    reference: str = ""
    unconfirmed: bool = False
    note: str = ""
    version: str = ""
    url: str = ""
    title_zh: str = ""
    reference_zh: str = ""

    def title_in(self, language: str) -> str:
        """The title a reader of ``language`` sees: the Chinese title for zh-CN when there is one.

        Examples
        --------
        >>> doc = Document("d", "Technical guideline", "2021-02-10", "final", title_zh="《技术指导原则》")
        >>> doc.title_in("zh-CN"), doc.title_in("en")
        ('《技术指导原则》', 'Technical guideline')
        """
        return self.title_zh if language == "zh-CN" and self.title_zh else self.title

    def reference_in(self, language: str) -> str:
        """The document number a reader of ``language`` sees: the Chinese one for zh-CN when there is one.

        Examples
        --------
        >>> doc = Document("d", "Guideline", "2018-07-06", "final", "NMPA notice 2018 No. 52",
        ...                reference_zh="国家药品监督管理局通告2018年第52号")
        >>> doc.reference_in("zh-CN"), doc.reference_in("en")
        ('国家药品监督管理局通告2018年第52号', 'NMPA notice 2018 No. 52')
        """
        return self.reference_zh if language == "zh-CN" and self.reference_zh else self.reference

    def label(self) -> str:
        """``reference version (status, date)``, e.g. ``CHMP/437/04 Rev 1 (final, 2014-10-23)``."""
        ident = " ".join(p for p in (self.reference, self.version) if p) or self.title
        return f"{ident} ({self.status}, {self.date})"


#: How a rule file says that it names a section whose number was not confirmed in the document.
UNCONFIRMED_SECTION = "; section number unconfirmed"
#: A section given by its number ("5.3.2 (...)", "IV.B (...)", "2.2"), not by its topic alone.
_SECTION_NUMBER = re.compile(r"^(?:\d+|[IVXLC]+)(?:\.[0-9A-Za-z]+)*(?:\s|$|\()")


def section_parts(section: str) -> tuple[str, bool, bool]:
    """A citation's section split into what it says, whether that starts with a section number, and whether
    the number is confirmed (the rule files end an unconfirmed one with ``"; section number unconfirmed"``).

    Parameters
    ----------
    section : str
        The ``section`` of a rule's citation.

    Returns
    -------
    tuple of (str, bool, bool)
        The section without the remark, numbered, confirmed.

    Examples
    --------
    >>> section_parts("5.1.1 (pharmacokinetic studies); section number unconfirmed")
    ('5.1.1 (pharmacokinetic studies)', True, False)
    >>> section_parts("reference product")
    ('reference product', False, True)
    """
    text = section.removesuffix(UNCONFIRMED_SECTION)
    return text, bool(_SECTION_NUMBER.match(text)), text == section


#: The context of a guideline section's topic as a message (its words are the guideline's, not the
#: program's: "reference product" is the section's title, "quality" the guideline's chapter).
SECTION_TOPIC = "guideline section"
#: A numbered section's number, the space after it, and its topic ("5.3.2", " ", "(clinical studies)").
_NUMBER_AND_TOPIC = re.compile(r"^((?:\d+|[IVXLC]+)(?:\.[0-9A-Za-z]+)*)(\s*)(.*)$", re.S)


def section_topic(text: str) -> tuple[str, str, str]:
    """A cited section (without the unconfirmed remark) as its number, the space after it and its topic:
    the topic is what a reader of another language needs translated (context :data:`SECTION_TOPIC`), the
    number is printed as it is.

    Examples
    --------
    >>> section_topic("5.3.2 (comparative clinical efficacy studies)")
    ('5.3.2', ' ', '(comparative clinical efficacy studies)')
    >>> section_topic("2.2"), section_topic("IV.B (reference product)")
    (('2.2', '', ''), ('IV.B', ' ', '(reference product)'))
    >>> section_topic("3.1.2; 3.1.6 (physicochemical and functional similarity)")  # a list: one topic
    ('', '', '3.1.2; 3.1.6 (physicochemical and functional similarity)')
    >>> section_topic("reference product")
    ('', '', 'reference product')
    """
    found = _NUMBER_AND_TOPIC.match(text) if _SECTION_NUMBER.match(text) else None
    return (found.group(1), found.group(2), found.group(3)) if found else ("", "", text)


def section_words(text: str, *, framed: bool = True) -> str:
    """A cited section (without the unconfirmed remark) in the reader's language: "section 5.3.2 (topic)"
    (zh-CN "第 5.3.2 节（主题）") for a numbered one, the topic alone for one named by its topic; the topic
    translated in the context :data:`SECTION_TOPIC`, the number as the guideline numbers it (``framed``
    False: without "section", "5.3.2 (topic)", zh-CN "5.3.2（主题）").

    Examples
    --------
    >>> section_words("5.3.2 (comparative clinical efficacy studies)"), section_words("2.2")
    ('section 5.3.2 (comparative clinical efficacy studies)', 'section 2.2')
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     section_words("5.3.2 (comparative clinical efficacy studies)"), section_words("reference product")
    ('第 5.3.2 节（临床有效性比对研究）', '参照药')
    """
    number, space, topic = section_topic(text)
    words = pgettext(SECTION_TOPIC, topic) if topic.strip() else topic
    if not number:
        return words
    numbered = _("section %(section)s") % {"section": number} if framed else number
    if words and space:  # zh-CN without the space: 第 5.3.2 节（主题）
        return _("%(section)s %(topic)s") % {"section": numbered, "topic": words}
    return numbered + words  # the number alone, or one written without a space ("2.2(a)")


def section_text(section: str) -> str:
    """The section as a citation prints it: "section 5.3.2 (...)" for a numbered one, the topic alone for
    one named by its topic (never "section reference product"), flagged like an unconfirmed citation when
    its number is not confirmed.

    Parameters
    ----------
    section : str
        As for :func:`section_parts`.

    Returns
    -------
    str
        The English text (reports print it in the reader's language, see
        :func:`bioparity.report.evidence.cited_section`).

    Examples
    --------
    >>> section_text("3.3 (reference medicinal product)")
    'section 3.3 (reference medicinal product)'
    >>> section_text("reference product; section number unconfirmed")
    'reference product [section number unconfirmed]'
    """
    text, numbered, confirmed = section_parts(section)
    shown = f"section {text}" if numbered else text
    return shown if confirmed else f"{shown} [section number unconfirmed]"


@dataclass(frozen=True)
class Citation:
    document: Document
    section: str
    date: str

    def text(self) -> str:
        """``Title (reference, status), section S, date`` as a briefing would cite it."""
        doc = self.document
        ref = f"{doc.reference}, " if doc.reference else ""
        flag = " [citation unconfirmed]" if doc.unconfirmed else ""
        version = f"{doc.version}, " if doc.version else ""
        return f"{doc.title} ({ref}{version}{doc.status}), {section_text(self.section)}, {self.date}{flag}"


@dataclass(frozen=True)
class Rule:
    """One rule of a region's rule file, validated.

    Attributes
    ----------
    id : str
        Rule id prefixed by the region code, e.g. ``"EMA.CAA.SIMILARITY"``.
    kind : str
        ``eligibility`` (a condition of the streamlined pathway) or ``requirement``.
    pathway : str
        Pathway a requirement belongs to: ``streamlined``, ``traditional`` or ``any`` (``any`` when
        the rule file omits it).
    title : str
        One-line statement of the rule.
    citation : Citation
        Cited document (title, reference, version, status, date), section and date.
    interpretation : bool
        The rule is bioparity's reading of the guidance rather than its literal text.
    unconfirmed : bool
        The fact was not verified against the guideline text itself.
    check : str
        Code of the check that evaluates it, a key of :data:`CHECKS`.
    params : mapping of str to Any
        Parameters of the check, validated against the check's JSON schema.
    work : str
        Work to report when the rule is ``missing``.
    risk_work : str
        Work to report when the rule is ``at_risk`` (default: ``work``).
    risk_resolved_by : str or None
        Code of a :data:`MANUAL_ITEMS` entry that, recorded as true for the region, turns an
        ``at_risk`` finding into ``met`` (e.g. ``scientific_advice_supports_waiver``).
    when : mapping of str to Any
        Condition for the rule to apply: ``flag`` (a boolean field of the program profile),
        ``modality_in`` (list of modalities), ``min_indications`` (integer); empty = always.
    note : str
        Free-text note from the rule file (sources read, caveats).
    """

    id: str
    kind: str
    pathway: str
    title: str
    citation: Citation
    interpretation: bool
    unconfirmed: bool
    check: str
    params: Mapping[str, Any]
    work: str
    risk_work: str
    risk_resolved_by: str | None
    when: Mapping[str, Any]
    note: str


@dataclass(frozen=True)
class RegionRules:
    """The rule set of one region, read from one versioned rule file.

    Attributes
    ----------
    region : str
        Region code, e.g. ``"EMA"``; every rule id starts with it.
    name : str
        Readable name, e.g. ``"European Union (EMA)"``.
    rules_version : str
        Version of the rule file, ``YYYY.N`` (e.g. ``"2026.1"``); printed with every result.
    reference : ReferencePolicy
        Which reference products the region accepts, for which comparisons, and the bridge it asks
        for to rely on a foreign one.
    documents : mapping of str to Document
        Cited documents by key (title, reference number, version, status, date, URL).
    rules : tuple of Rule
        The rules, in file order.
    file : str
        Path of the rule file read (or the label given to :func:`parse_region_rules`).
    reviewed : str, default ""
        Date the rule file was last reviewed against its sources (``YYYY-MM-DD``).
    """

    region: str
    name: str
    rules_version: str
    reference: ReferencePolicy
    documents: Mapping[str, Document]
    rules: tuple[Rule, ...]
    file: str
    reviewed: str = ""

    def rule(self, rule_id: str) -> Rule:
        """The rule with id ``rule_id`` (``KeyError`` naming the region's rules otherwise)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("bioparity.pathways").joinpath("rule_schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _rule_at(data: Any, path: list[Any]) -> tuple[str | None, str | None]:
    """Rule id and field of a schema error path such as ``['rules', 3, 'check', 'code']``."""
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rules = data.get("rules") if isinstance(data, dict) else None
        rule = rules[path[1]] if isinstance(rules, list) and path[1] < len(rules) else None
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        label = str(rule_id) if isinstance(rule_id, str) else f"#{path[1] + 1} (no id)"
        field = ".".join(str(p) for p in path[2:]) or None
        return label, field
    return None, ".".join(str(p) for p in path) or None


def _validate_schema(data: Any, file: str) -> None:
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        error = errors[0]
        rule_id, field = _rule_at(data, list(error.absolute_path))
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise RuleFileError(f"{error.message}{more}", file=file, rule_id=rule_id, field=field)


def _validate_rule(raw: Mapping[str, Any], region: str, documents: Mapping[str, Document], file: str) -> None:
    rule_id = raw["id"]
    if rule_id.split(".")[0] != region:
        raise RuleFileError(
            f"rule ids must start with the region code '{region}.'", file=file, rule_id=rule_id
        )
    if raw["citation"]["document"] not in documents:
        raise RuleFileError(
            f"cites document {raw['citation']['document']!r}, which is not in 'documents' "
            f"(defined: {', '.join(documents)})",
            file=file,
            rule_id=rule_id,
            field="citation.document",
        )
    code = raw["check"]["code"]
    if code not in CHECKS:
        raise RuleFileError(
            f"unknown check {code!r}; known checks: {', '.join(sorted(CHECKS))}",
            file=file,
            rule_id=rule_id,
            field="check.code",
        )
    params = raw["check"].get("params", {})
    problems = sorted(
        jsonschema.Draft202012Validator(CHECKS[code].params_schema).iter_errors(params),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    if problems:
        where = ".".join(["check", "params", *(str(p) for p in problems[0].absolute_path)])
        raise RuleFileError(
            f"{problems[0].message} (check {code!r})", file=file, rule_id=rule_id, field=where
        )
    if code == "modality_scope":
        listed = [m for key in ("in_scope", "at_risk", "out_of_scope") for m in params[key]]
        unplaced = [m for m in MODALITIES if m not in listed]
        doubled = sorted({m for m in listed if listed.count(m) > 1})
        if unplaced or doubled:
            raise RuleFileError(
                "every modality must be placed in exactly one of in_scope / at_risk / out_of_scope"
                + (f"; not placed: {', '.join(unplaced)}" if unplaced else "")
                + (f"; placed twice: {', '.join(doubled)}" if doubled else ""),
                file=file,
                rule_id=rule_id,
                field="check.params",
            )
    unknown = [m for m in raw.get("when", {}).get("modality_in", []) if m not in MODALITIES]
    if unknown:
        raise RuleFileError(
            f"unknown modality {unknown[0]!r}", file=file, rule_id=rule_id, field="when.modality_in"
        )
    resolved_by = raw.get("risk_resolved_by")
    if resolved_by is not None and resolved_by not in MANUAL_ITEMS:
        raise RuleFileError(
            f"unknown manual item {resolved_by!r}; known: {', '.join(MANUAL_ITEMS)}",
            file=file,
            rule_id=rule_id,
            field="risk_resolved_by",
        )


def parse_region_rules(data: Any, file: str) -> RegionRules:
    """Validate one parsed rule file and build its :class:`RegionRules`.

    The data are checked against ``rule_schema.json`` (JSON Schema draft 2020-12), then semantically:
    rule ids prefixed by the region and unique, cited documents defined, known check codes with
    valid parameters, every modality placed once by a ``modality_scope`` check, known modalities,
    manual items and PK metrics.

    Parameters
    ----------
    data : Any
        The parsed YAML (or JSON) content of a rule file: a mapping with ``schema_version``,
        ``region``, ``name``, ``rules_version``, ``reference``, ``documents`` and ``rules``.
    file : str
        Name of the file the data came from; used in error messages and stored in
        :attr:`RegionRules.file`.

    Returns
    -------
    RegionRules
        The validated rule set.

    Raises
    ------
    RuleFileError
        On the first problem found, naming the file, the rule id and the field (with the count of
        further schema problems).
    """
    _validate_schema(data, file)
    region = data["region"]
    documents = {
        key: Document(
            key=key,
            title=doc["title"],
            date=str(doc["date"]),
            status=doc["status"],
            reference=doc.get("reference", ""),
            unconfirmed=bool(doc.get("unconfirmed", False)),
            note=doc.get("note", ""),
            version=doc.get("version", ""),
            url=doc.get("url", ""),
            title_zh=doc.get("title_zh", ""),
            reference_zh=doc.get("reference_zh", ""),
        )
        for key, doc in data["documents"].items()
    }
    seen: set[str] = set()
    rules = []
    for raw in data["rules"]:
        if raw["id"] in seen:
            raise RuleFileError("rule id is used twice", file=file, rule_id=raw["id"])
        seen.add(raw["id"])
        _validate_rule(raw, region, documents, file)
        cite = raw["citation"]
        rules.append(
            Rule(
                id=raw["id"],
                kind=raw["kind"],
                pathway=raw.get("pathway", "any"),
                title=raw["title"],
                citation=Citation(documents[cite["document"]], cite["section"], cite["date"]),
                interpretation=raw["interpretation"],
                unconfirmed=bool(raw.get("unconfirmed", False)),
                check=raw["check"]["code"],
                params=raw["check"].get("params", {}),
                work=raw["work"],
                risk_work=raw.get("risk_work", raw["work"]),
                risk_resolved_by=raw.get("risk_resolved_by"),
                when=raw.get("when", {}),
                note=raw.get("note", ""),
            )
        )
    ref = data["reference"]
    metrics = ref.get("pk_metrics", {"single": SINGLE_DOSE_METRICS, "multiple": MULTIPLE_DOSE_METRICS})
    unknown_metrics = [m for m in [*metrics["single"], *metrics["multiple"]] if m not in PK_METRICS.values()]
    if unknown_metrics:
        raise RuleFileError(
            f"unknown PK metric {unknown_metrics[0]!r}; known: {', '.join(sorted(set(PK_METRICS.values())))}",
            file=file,
            field="reference.pk_metrics",
        )
    policy = ReferencePolicy(
        ref["local"],
        tuple(ref["foreign_accepted"]),
        ref["bridge"],
        local_only=tuple(ref.get("local_only", ())),
        pk_bridge=ref.get("pk_bridge", "always"),
        pk_metrics={k: tuple(v) for k, v in metrics.items()},
    )
    return RegionRules(
        region,
        data["name"],
        data["rules_version"],
        policy,
        documents,
        tuple(rules),
        file,
        reviewed=str(data.get("reviewed", "")),
    )


def all_rules(rule_sets: Mapping[str, RegionRules] | None = None) -> dict[str, tuple[RegionRules, Rule]]:
    """Every rule by id, with its region's rule set (default: the shipped rules)."""
    sets = load_rules() if rule_sets is None else rule_sets
    return {r.id: (rs, r) for rs in sets.values() for r in rs.rules}


def load_rule_file(path: str | os.PathLike[str]) -> RegionRules:
    """Read and validate one rule file (YAML).

    Parameters
    ----------
    path : str or os.PathLike
        Path of a rule file in the layout of ``bioparity/pathways/rules/*.yaml``.

    Returns
    -------
    RegionRules
        The validated rule set of the file's region.

    Raises
    ------
    RuleFileError
        When the file cannot be read, is not valid YAML, or fails validation
        (see :func:`parse_region_rules`).
    """
    file = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleFileError(f"cannot be read: {exc.strerror or exc}", file=file) from exc
    except yaml.YAMLError as exc:
        raise RuleFileError(f"is not valid YAML: {exc}", file=file) from exc
    return parse_region_rules(data, file)


def load_rules(directory: str | os.PathLike[str] | None = None) -> dict[str, RegionRules]:
    """All rule files of ``directory`` (default: the rules shipped with bioparity), by region code.

    Parameters
    ----------
    directory : str or os.PathLike or None, default None
        Folder whose ``*.yaml`` files are read (one region per file); ``None`` reads the rule files
        shipped with bioparity (EMA, FDA, MHRA, NMPA, WHO, Health Canada), cached after the first call.

    Returns
    -------
    dict of str to RegionRules
        Region code -> rule set, in file-name order.

    Raises
    ------
    RuleFileError
        When a file fails to load, two files define the same region, or the folder has no ``*.yaml``.

    Examples
    --------
    >>> rules = load_rules()
    >>> sorted(rules)
    ['EMA', 'FDA', 'HC', 'MHRA', 'NMPA', 'WHO']
    >>> rules["EMA"].reference.local
    'EU'
    """
    if directory is None:
        return dict(_packaged_rules())
    return _load_directory(Path(directory))


def _load_directory(folder: Path) -> dict[str, RegionRules]:
    regions: dict[str, RegionRules] = {}
    for path in sorted(folder.glob("*.yaml")):
        rules = load_rule_file(path)
        if rules.region in regions:
            raise RuleFileError(
                f"region {rules.region} is also defined in {regions[rules.region].file}", file=str(path)
            )
        regions[rules.region] = rules
    if not regions:
        raise RuleFileError("no rule files (*.yaml) found", file=str(folder))
    return regions


@cache
def _packaged_rules() -> tuple[tuple[str, RegionRules], ...]:
    with resources.as_file(resources.files("bioparity.pathways").joinpath("rules")) as folder:
        return tuple(_load_directory(Path(folder)).items())
