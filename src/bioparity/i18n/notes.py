"""Stored notes in the reader's language: the note templates of the cores and their translation.

An analysis result stores its notes, reasons and flags as English text (the stored result, its hash and old
runs never change). Each such text is made from a *note template*: a module-level constant marked with
:func:`note_template` (an extraction keyword like :func:`~bioparity.i18n.gettext_noop`, which also records
the template here) holding ``str.format`` placeholders, e.g. ``"run {run}: cut point not crossed"``; the core
builds the note with ``TEMPLATE.format(run=...)``.

:func:`translate_note` turns a stored note back into its template and values (each template compiled into a
regular expression: literal text matched exactly, each placeholder a non-greedy group, a number for a
placeholder formatted as one (``{n:d}``, ``{p:.3g}``); the template with the most literal text tried
first), translates the template through the catalogue and puts the values back as they were stored:
numbers, identifiers and column names are not touched. A note that no template matches is shown as stored.

A placeholder may hold a code that a reader should see in words (``biological:D08``, a donor removed as a
biological outlier): ``note_template(..., shown={"outliers": words})`` names a function that presents the
stored value in the reader's language, in English too (:func:`translate_note`); the stored note keeps the
code.

A template whose literal text has no letters (``"{tier}: {note}."``: a note wrapped by an edge), or one
marked ``wrapper`` (``"Screening: {note}."``: the same wrapper around a stored label), applies only
when one of its values is itself a note that translates; values joined by ``"; "`` are translated part by
part.

Examples
--------
>>> from bioparity.bioassay.sensitivity import NOT_CROSSED
>>> note = NOT_CROSSED.format(run="R2")
>>> note
'run R2: cut point not crossed inside the tested range; run left out'
>>> translate_note(note, "en") == note
True
>>> translate_note("a note of no template", "zh-CN")
'a note of no template'
"""

from __future__ import annotations

import importlib
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from gettext import NullTranslations

from bioparity.i18n import DEFAULT_LANGUAGE, current_language, normalise_language, translations

#: Modules that define note templates (imported before a note is translated, so that every template is
#: registered whichever analyses were imported; a test keeps the list complete).
NOTE_MODULES: tuple[str, ...] = (
    "bioparity.be.methods",
    "bioparity.be.similarity",
    "bioparity.bioassay.classify",
    "bioparity.bioassay.cutpoint",
    "bioparity.bioassay.drug_tolerance",
    "bioparity.bioassay.linearity",
    "bioparity.bioassay.sensitivity",
    "bioparity.caa.lots",
    "bioparity.caa.methods",
    "bioparity.caa.assessment",
    "bioparity.caa.operating",
    "bioparity.stability.core",
    "bioparity.potency.linear",
    "bioparity.potency.parallel_line",
    "bioparity.potency.slope_ratio",
    "bioparity.potency.logistic",
    "bioparity.potency.combine",
    "bioparity.potency.suitability",
    "bioparity.potency.analyse",
    "bioparity.profiles.core",
    "bioparity.nca.bioavailability",
    "bioparity.nca.lambda_z",
    "bioparity.nca.options",
    "bioparity.nca.review",
    "bioparity.nca.single.parameters",
    "bioparity.nca.single.engine",
    "bioparity.nca.single.frame",
    "bioparity.nca.single.results",
    "bioparity.nca.multiple.steady_state",
    "bioparity.nca.multiple.intervals",
    "bioparity.nca.multiple.tss",
    "bioparity.nca.sparse.frame",
    "bioparity.nca.urine.frame",
    "bioparity.analyses.ada_sensitivity",
    "bioparity.analyses.ada_summary",
    "bioparity.analyses.caa",
    "bioparity.analyses.comparability",
    "bioparity.analyses.nca",
    "bioparity.analyses.potency",
    "bioparity.analyses.profiles",
    "bioparity.power.cv_check",
    "bioparity.clinical.immunogenicity",
    "bioparity.clinical.proportions",
    "bioparity.io.power_grid",
    "bioparity.io.nca_input",
    "bioparity.io.adsl",
    "bioparity.market.scan",
    "bioparity.market.pipeline",
    "bioparity.problems",
    "bioparity.left_out",
    "bioparity.refusals",
)

_REGISTERED: dict[str, None] = {}
#: Whether :data:`NOTE_MODULES` were imported (:func:`_import_note_modules`).
_NOTE_MODULES_IMPORTED = False
#: A stored value in the reader's words: ``present(value, language) -> text`` (the value as stored when it
#: is not the code the function knows).
Presenter = Callable[[str, str], str]
#: Per template, the placeholders whose stored value is presented in words (``note_template(shown=...)``).
_PRESENTERS: dict[str, dict[str, Presenter]] = {}
#: The templates marked ``wrapper`` (applied, as those without letters, around a note that translates).
_WRAPPERS: set[str] = set()
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)"
#: What a placeholder matches, by the type of its format spec: ``{n:d}`` a whole number, ``{p:.3g}`` a
#: number, ``{f:.0%}`` a percentage, any other a non-greedy run of text.
#: A word of English left in a translation (fewer: the better reading of a note).
_ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
_VALUE = {"d": r"[-+]?\d+", "%": rf"(?:{_NUMBER})%", **{t: _NUMBER for t in "eEfFgG"}}
_FORMATTER = string.Formatter()
#: A note has at most this many nested wrappers (``"{tier}: {note}."`` around a core's note).
_MAX_DEPTH = 4


def note_template(text: str, *, wrapper: bool = False, shown: Mapping[str, Presenter] | None = None) -> str:
    """Mark ``text`` as a note template: extracted for translation and recorded for :func:`translate_note`.

    Parameters
    ----------
    text : str
        The English template, a literal with ``str.format`` placeholders (``{name}``, ``{value:.3g}``).
    wrapper : bool, default False
        Apply it only around a note that translates (``"Screening: {note}."`` spells out the label of
        :data:`LABELLED` for one stored label: the label alone is no note to translate).
    shown : mapping of str to callable, optional
        Placeholder name -> ``present(value, language)``: the stored value (a code) in the reader's words,
        in every language, English included (the stored note keeps the code).

    Returns
    -------
    str
        ``text`` unchanged (the core formats it as before, so the stored note is the same text).

    Examples
    --------
    >>> note_template("shelf life {months:g} months").format(months=24.0)
    'shelf life 24 months'
    """
    _REGISTERED[text] = None
    if wrapper:
        _WRAPPERS.add(text)
    if shown:
        _PRESENTERS[text] = dict(shown)
    return text


#: Per template of a count (either form, :func:`note_plural`): its singular, its plural and the placeholder
#: that holds the count.
_PLURALS: dict[str, tuple[str, str, str]] = {}


def note_plural(singular: str, plural: str, *, count: str = "n") -> tuple[str, str]:
    """Mark a note template of a count with its two English forms (an extraction keyword like
    :func:`~bioparity.i18n.ngettext`): each form is a template (:func:`note_template`), and a stored note of
    either is translated with the catalogue's plural form for the value of ``count`` in it.

    Parameters
    ----------
    singular, plural : str
        The English template for a count of 1 and for any other count.
    count : str, default "n"
        The placeholder that holds the count (formatted as a whole number, ``{n:d}``).

    Returns
    -------
    tuple of (str, str)
        ``(singular, plural)`` unchanged: the core picks one for its count and formats it.

    Examples
    --------
    >>> rows = note_plural("{n:d} row read", "{n:d} rows read")
    >>> rows[1].format(n=3)
    '3 rows read'
    """
    for text in (singular, plural):
        note_template(text)
        _PLURALS[text] = (singular, plural, count)
    return singular, plural


def plural_forms(template: str) -> tuple[str, str, str] | None:
    """``(singular, plural, count)`` of a template of :func:`note_plural` (None for another template)."""
    return _PLURALS.get(template)


def _translated_template(catalogue: NullTranslations, template: str, values: Mapping[str, str]) -> str:
    """The catalogue's translation of ``template``; the plural form for the stored count of a template of
    :func:`note_plural`."""
    forms = _PLURALS.get(template)
    if forms is None:
        return catalogue.gettext(template)
    singular, plural, count = forms
    return catalogue.ngettext(singular, plural, int(values[count]))


#: A core's note as a sentence of a result (wrapper: translated when the note is).
SENTENCE = note_template("{note}.")
#: A core's note or flags (``"; "``-joined) after the label of what they are about (``Screening``,
#: ``purity 25C test``).
LABELLED = note_template("{label}: {note}.")


@dataclass(frozen=True)
class Template:
    """A registered note template compiled for matching.

    Attributes
    ----------
    text : str
        The English template.
    pattern : re.Pattern
        Matches a note made from it: literal text exactly, each placeholder a non-greedy named group.
    names : tuple of str
        The placeholder names in order of first appearance.
    letters : int
        How many letters its literal text has (more: more specific, tried first; none: a wrapper).
    literal : int
        How many characters its literal text has (between templates of as many letters: more first).
    wrapper : bool
        Applied only around a note that translates (no letters, or marked ``wrapper``).
    """

    text: str
    pattern: re.Pattern[str]
    names: tuple[str, ...]
    letters: int
    literal: int
    wrapper: bool = False


def compile_template(text: str) -> Template:
    """The template as a regular expression (a placeholder used twice must match the same text twice).

    Parameters
    ----------
    text : str
        The English template.

    Returns
    -------
    Template
        The compiled template.

    Examples
    --------
    >>> t = compile_template("{a} of {b:g} lots")
    >>> t.pattern.fullmatch("3 of 12 lots").groupdict()
    {'a': '3', 'b': '12'}
    """
    parts: list[str] = []
    names: list[str] = []
    literal = ""
    for text_part, field_name, spec, _conversion in _FORMATTER.parse(text):
        parts.append(re.escape(text_part))
        literal += text_part
        if field_name is None:
            continue
        if field_name in names:
            parts.append(f"(?P={field_name})")
        else:
            names.append(field_name)
            parts.append(f"(?P<{field_name}>{_VALUE.get((spec or ' ')[-1], '.*?')})")
    letters = sum(c.isalpha() for c in literal)
    wrapper = letters == 0 or text in _WRAPPERS
    return Template(text, re.compile("".join(parts), re.S), tuple(names), letters, len(literal), wrapper)


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with each placeholder replaced by its value as stored text (format specs ignored).

    Parameters
    ----------
    template : str
        A template (English or a translation) with the placeholders of ``values``.
    values : dict of str to str
        Placeholder name to the text it stood for in the stored note.

    Returns
    -------
    str
        The filled text.

    Examples
    --------
    >>> fill("临界值 {value:.3g}", {"value": "1.25"})
    '临界值 1.25'
    """
    out = []
    for text_part, field_name, _spec, _conversion in _FORMATTER.parse(template):
        out.append(text_part)
        if field_name is not None:
            out.append(values[field_name])
    return "".join(out)


def registered_templates() -> tuple[str, ...]:
    """Every note template, after importing :data:`NOTE_MODULES` (in registration order)."""
    _import_note_modules()
    return tuple(_REGISTERED)


def _import_note_modules() -> None:
    """Import :data:`NOTE_MODULES` once per process (a note is translated hundreds of times a page: the
    51 imports, though of modules already loaded, cost about 0.3 ms a note). Retried after a failure."""
    global _NOTE_MODULES_IMPORTED
    if not _NOTE_MODULES_IMPORTED:
        for module in NOTE_MODULES:
            importlib.import_module(module)
        _NOTE_MODULES_IMPORTED = True


#: The templates last compiled by :func:`_compiled`, with how many were registered then.
_COMPILED: tuple[int, tuple[Template, ...]] = (-1, ())


def _compiled() -> tuple[Template, ...]:
    """The registered templates compiled, most literal letters first (a specific one before a general);
    compiled again when a template was registered since (templates are only ever added)."""
    global _COMPILED
    _import_note_modules()
    count, compiled = _COMPILED
    if count != len(_REGISTERED):
        texts = tuple(_REGISTERED)
        compiled = _compile(texts)
        _COMPILED = (len(texts), compiled)
    return compiled


@cache
def _compile(texts: tuple[str, ...]) -> tuple[Template, ...]:
    """``texts`` compiled and sorted (once per set of registered templates)."""
    return tuple(sorted((compile_template(t) for t in texts), key=lambda t: (-t.letters, -t.literal)))


def match_note(text: str) -> tuple[str, dict[str, str]] | None:
    """The template a stored note was made from and the text of each of its values (None: no template).

    Parameters
    ----------
    text : str
        A stored note.

    Returns
    -------
    tuple of (str, dict of str to str) or None
        The English template and its values; wrappers (:attr:`Template.wrapper`) are not
        returned here.

    Examples
    --------
    >>> from bioparity.bioassay.sensitivity import NOT_CROSSED
    >>> match_note(NOT_CROSSED.format(run="R2"))
    ('run {run}: cut point not crossed inside the tested range; run left out', {'run': 'R2'})
    """
    for template in _compiled():
        if template.wrapper:
            continue
        found = template.pattern.fullmatch(text)
        if found is not None:
            return template.text, found.groupdict()
    return None


def translate_note(text: str, language: str) -> str:
    """A stored note in ``language``: its template translated, its values as stored (a value a template
    presents in words, ``note_template(shown=...)``, in words).

    Parameters
    ----------
    text : str
        The note as stored (English).
    language : str
        The reader's language.

    Returns
    -------
    str
        The translated note; ``text`` itself when no template matches (and in English, unless a value of
        it is presented in words).

    Examples
    --------
    >>> translate_note("no template makes this", "zh-CN")
    'no template makes this'
    """
    language = normalise_language(language)
    if not text:
        return text
    if language == DEFAULT_LANGUAGE:
        _compiled()  # every template registered, with its presenters
        shown = _in_words(text, 0) if _PRESENTERS else None
        return text if shown is None else shown
    translated = _translate(text, language, 0)
    return text if translated is None else translated


def _presented(template: str, values: Mapping[str, str], language: str) -> dict[str, str]:
    """The values a template presents in words (``note_template(shown=...)``), in ``language``."""
    presenters = _PRESENTERS.get(template, {})
    return {name: presenters[name](value, language) for name, value in values.items() if name in presenters}


@lru_cache(maxsize=4096)
def _in_words(text: str, depth: int) -> str | None:
    """The English note with the values its templates present in words (``note_template(shown=...)``), the
    template itself and the other values as stored; None when no such template made it (alone, or inside
    a wrapper such as ``"Screening: {note}."``)."""
    if depth > _MAX_DEPTH:
        return None
    for template in _compiled():
        if not (template.wrapper or template.text in _PRESENTERS):
            continue
        found = template.pattern.fullmatch(text)
        if found is None:
            continue
        values = found.groupdict()
        words = _presented(template.text, values, DEFAULT_LANGUAGE)
        if not words:  # a wrapper: in words when the note inside it is
            inner = {name: _in_words(value, depth + 1) for name, value in values.items()}
            words = {name: shown for name, shown in inner.items() if shown is not None}
        if words:
            return fill(template.text, {**values, **words})
    return None


def note_text(text: object) -> str:
    """A stored note, reason or flag in the current language (the Jinja filter ``note`` of the reports and
    pages).

    Parameters
    ----------
    text : object
        The stored text (another value is shown as its ``str``).

    Returns
    -------
    str
        :func:`translate_note` of the text into :func:`~bioparity.i18n.current_language`.

    Examples
    --------
    >>> note_text("Missing values: none.")
    'Missing values: none.'
    """
    return translate_note(str(text), current_language())


@lru_cache(maxsize=4096)
def _translate(text: str, language: str, depth: int, split: bool = True) -> str | None:
    """The note translated, or None when nothing of it translates.

    Every reading is tried: each template that matches the whole text (its values translated in turn
    where they are notes; a wrapper only when one is) and, with ``split``, the text as a ``"; "``-joined
    list of notes. The reading that leaves the fewest English words wins (a placeholder's text may hold
    ``"; "`` too, so a template can match more than the note it made); on a tie, the one that leaves the
    fewest ``"; "`` as stored (the list read item by item, with the reader's separator), then the most
    specific template.
    """
    if depth > _MAX_DEPTH:
        return None
    catalogue = translations(language)
    readings: list[str] = []
    for template in _compiled():
        found = template.pattern.fullmatch(text)
        if found is None:
            continue
        values = found.groupdict()
        words = _presented(template.text, values, language)
        inner = {
            name: words.get(name) or _translate(value, language, depth + 1) for name, value in values.items()
        }
        if template.wrapper and all(inner[n] is None for n in values):
            continue
        filled = {name: inner[name] or values[name] for name in values}
        readings.append(fill(_translated_template(catalogue, template.text, values), filled))
    if split and "; " in text:
        listed = _translate_list(text, language, depth)
        if listed is not None:
            readings.append(listed)
    if not readings:
        return None
    # then the reading that left fewer list separators as stored (``"; "``: the text read as one template
    # whose last value swallowed the rest of the list, where the list reading put the reader's separator)
    return min(readings, key=lambda r: (len(_ENGLISH_WORD.findall(r)), r.count("; ")))


def _translate_list(text: str, language: str, depth: int) -> str | None:
    """A ``"; "``-joined list of notes translated item by item (None when no item translates).

    An item is a run of parts that translates as one note (a note may hold ``"; "`` itself, and a note's
    last placeholder may take in the parts after it); of the ways to cut the list into items, the one
    that leaves the fewest English words, and of those the one with the fewest (longest) items.
    """
    parts = text.split("; ")
    n = len(parts)
    # best[i]: (English words, items, texts, any translated) of the best cut of parts[i:]
    best: list[tuple[int, int, list[str], bool]] = [(0, 0, [], False)] * (n + 1)
    for start in range(n - 1, -1, -1):
        options = []
        for end in range(start + 1, n + 1):
            if start == 0 and end == n:  # the whole list is the caller's reading
                continue
            done = _translate("; ".join(parts[start:end]), language, depth + 1, False)
            if done is None and end > start + 1:
                continue
            item = parts[start] if done is None else done
            words, items, texts, changed = best[end]
            options.append(
                (
                    len(_ENGLISH_WORD.findall(item)) + words,
                    items + 1,
                    [item, *texts],
                    changed or done is not None,
                )
            )
        best[start] = min(options, key=lambda o: (o[0], o[1]))
    if not best[0][3]:
        return None
    # the list's separator in the reader's words (zh-CN full-width "；", as the CJK text around it)
    return str(translations(language).gettext("; ")).join(best[0][2])
