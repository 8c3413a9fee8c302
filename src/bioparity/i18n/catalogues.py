"""Keeping the catalogues complete: extract the messages of each domain from the sources and compare.

Used by the tests (no message shown untranslated) and by ``python scripts/i18n.py update`` (the developer's
tool that adds newly marked messages to every language's ``.po`` file). Extraction is Babel's
(``babel.messages.extract``) with Jinja2's extractor for templates.

References
----------
Babel documentation, "Working with Message Catalogs" (extraction method maps, keywords); GNU gettext manual,
section 5 "Making the PO Template File" and section 6 "Creating a New PO File".
"""

from __future__ import annotations

import ast
import io
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bioparity.i18n import DOMAINS, catalogue_text, locale_dir

#: Functions whose literal first argument is a message (Babel's keyword spec).
KEYWORDS: dict[str, tuple[int | tuple[int, str], ...] | None] = {
    "_": None,
    "gettext": None,
    "gettext_noop": None,
    "N_": None,
    "ngettext": (1, 2),
    # a message with its context (msgctxt): the context first
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "pgettext_noop": ((1, "c"), 2),
    "note_template": None,
    "note_plural": (1, 2),
}

_TEMPLATE_OPTIONS = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}

#: Per domain: (folder under ``src/bioparity``, glob patterns with their extraction method).
DOMAIN_SOURCES: dict[str, list[tuple[str, list[tuple[str, str]]]]] = {
    "web": [
        ("web", [("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]),
        ("workspace", [("**.py", "python")]),
        ("api", [("**.py", "python")]),
        # the study designs of the power page's chooser
        ("power/designs.py", [("**.py", "python")]),
    ],
    "reports": [
        ("report", [("**.py", "python"), ("templates/**.j2", "jinja2.ext:babel_extract")]),
        ("validation", [("**.py", "python"), ("templates/**.j2", "jinja2.ext:babel_extract")]),
        ("analyses", [("**.py", "python")]),
        (
            "pathways",
            [("**.py", "python"), ("rules/*.yaml", "bioparity.pathways.extraction:extract_rule_texts")],
        ),
        ("i18n/printing.py", [("**.py", "python")]),
        # the note templates of the cores (bioparity.i18n.notes.NOTE_MODULES; a test keeps them listed)
        ("i18n/notes.py", [("**.py", "python")]),
        ("be", [("**.py", "python")]),
        ("bioassay", [("**.py", "python")]),
        ("caa", [("**.py", "python")]),
        ("stability", [("**.py", "python")]),
        ("potency", [("**.py", "python")]),
        ("profiles", [("**.py", "python")]),
        ("nca", [("**.py", "python")]),
        ("power/cv_check.py", [("**.py", "python")]),
        # the market scan's timeline chart (bioparity market scan --chart)
        ("market/chart.py", [("**.py", "python")]),
        # the provenance words of the market ranking (note templates, printed on the market page)
        ("market/scan.py", [("**.py", "python")]),
        # the trial listing of the ranking (development_source: note templates, on the market page)
        ("market/pipeline.py", [("**.py", "python")]),
        # the knowledge base's basis of each year fact (data, printed on the market page in words)
        ("market/data", [("*.yaml", "bioparity.market.extraction:extract_basis_texts")]),
        ("clinical/proportions.py", [("**.py", "python")]),
        ("clinical/immunogenicity.py", [("**.py", "python")]),
        ("io/power_grid.py", [("**.py", "python")]),
        ("io/nca_input.py", [("**.py", "python")]),
        ("io/adsl.py", [("**.py", "python")]),
        # the usual problems of an input file (a DataFileError on a page in the reader's language)
        ("problems.py", [("**.py", "python")]),
        # the rows an analysis left out, named one way (the command line's and the pages' texts too)
        ("left_out.py", [("**.py", "python")]),
        # why a signature is refused (the sign_refused rows of the audit trail in the reader's language)
        ("refusals.py", [("**.py", "python")]),
    ],
    "cli": [
        ("cli", [("**.py", "python")]),
        ("errors.py", [("**.py", "python")]),
        # fractions and percentages typed by a user (the flags and a run's options)
        ("fraction_text.py", [("**.py", "python")]),
    ],
}


@dataclass(frozen=True)
class Message:
    """One extracted message: its id (and plural id), where it was found, and its context (``msgctxt``,
    None for a message without one)."""

    id: str
    plural: str | None
    places: tuple[str, ...]
    context: str | None = None


#: Separates a message's context from its id in :func:`extract`'s keys (as in a compiled ``.mo`` file).
CONTEXT_SEPARATOR = "\x04"


def message_key(message_id: str, context: str | None = None) -> str:
    r"""The key of a message in :func:`extract`: its id, or ``context + "\x04" + id`` with a context
    (GNU gettext's key in a ``.mo`` file), so that one id with two contexts is two messages.

    Examples
    --------
    >>> message_key("run"), message_key("run", "audit action")
    ('run', 'audit action\x04run')
    """
    return message_id if context is None else f"{context}{CONTEXT_SEPARATOR}{message_id}"


def package_root() -> Path:
    """The folder of the ``bioparity`` package sources."""
    return Path(str(resources.files("bioparity")))


def extract(domain: str) -> dict[str, Message]:
    """Every message marked for translation in the sources of ``domain``, keyed by message id.

    Parameters
    ----------
    domain : str
        One of :data:`bioparity.i18n.DOMAINS`.

    Returns
    -------
    dict of str to Message
        Message key (:func:`message_key`: the id, with its context if it has one) to the message with its
        places (``file:line``).
    """
    root = package_root()
    found: dict[str, Message] = {}
    for folder, patterns in DOMAIN_SOURCES[domain]:
        path = root / folder
        if path.is_file():  # a single module
            method_map = [(path.name, "python")]
            base = path.parent
        else:
            method_map = patterns
            base = path
        options = {pattern: _TEMPLATE_OPTIONS for pattern, method in method_map if method != "python"}
        for filename, lineno, message, _comments, context in extract_from_dir(
            str(base), method_map=method_map, options_map=options, keywords=KEYWORDS
        ):
            if path.is_file() and filename != path.name:
                continue
            ids = (message,) if isinstance(message, str) else tuple(message)
            if not ids or not ids[0]:
                continue
            place = f"{(base / filename).relative_to(root)}:{lineno}"
            key = message_key(ids[0], context)
            previous = found.get(key)
            places = (*previous.places, place) if previous else (place,)
            found[key] = Message(ids[0], ids[1] if len(ids) > 1 else None, places, context)
    return found


def load(language: str, domain: str) -> Catalog:
    """The catalogue of one domain of a language (an empty one when the file is missing)."""
    text = catalogue_text(language, domain)
    if text is None:
        return Catalog(locale=locale_dir(language), domain=domain)
    return read_po(io.StringIO(text), locale=locale_dir(language), domain=domain)


_PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdfr]|\{[A-Za-z_][A-Za-z0-9_]*[^{}]*\}")


def placeholders(text: str) -> list[str]:
    """The ``%(name)s`` and ``{name}`` placeholders of a message, sorted (a translation must keep them all).

    Examples
    --------
    >>> placeholders("%(num)d lots in {source}")
    ['%(num)d', '{source}']
    """
    return sorted(_PLACEHOLDER.findall(text))


def problems(language: str) -> list[str]:
    """What is wrong with the catalogues of ``language``: missing, untranslated, fuzzy or broken entries.

    Parameters
    ----------
    language : str
        A language other than English.

    Returns
    -------
    list of str
        One line per problem, naming the domain, the message and where it is used; empty when complete.
    """
    issues: list[str] = []
    for domain in DOMAINS:
        text = catalogue_text(language, domain)
        for line, message_id in defined_twice(text or ""):
            # Babel keeps one of the two silently (msgfmt refuses the file): two merged branches added both
            issues.append(
                f"{domain}: {message_id!r} is defined twice in the {language} catalogue (line {line})"
            )
        catalogue = load(language, domain)
        for message in extract(domain).values():
            entry = catalogue.get(message.id, context=message.context)
            where = ", ".join(message.places[:3])
            if message.context is not None:
                where = f"context {message.context!r}; {where}"
            if entry is None:
                issues.append(f"{domain}: {message.id!r} ({where}) is not in the {language} catalogue")
                continue
            raw = entry.string
            strings = [str(t) for t in raw] if isinstance(raw, (tuple, list)) else [str(raw or "")]
            if entry.fuzzy or not all(strings):
                issues.append(f"{domain}: {message.id!r} ({where}) has no reviewed {language} translation")
                continue
            for text in strings:
                if placeholders(text) != placeholders(message.id):
                    issues.append(f"{domain}: {message.id!r} translation changes the placeholders: {text!r}")
    return issues


def defined_twice(text: str) -> list[tuple[int, str]]:
    r"""The entries of a ``.po`` source whose message (with its context) an earlier entry already defines.

    Returns the line of each repeated ``msgid`` and the message. GNU gettext's ``msgfmt`` refuses such a file
    ("duplicate message definition"); Babel reads it and keeps one of the translations.

    Examples
    --------
    >>> defined_twice('msgid "a"\nmsgstr "x"\n\nmsgid ""\n"a"\nmsgstr "y"\n')
    [(4, 'a')]
    """
    seen: set[tuple[str, str]] = set()
    repeated: list[tuple[int, str]] = []
    context, parts, start, field = "", [], 0, ""
    for number, line in enumerate([*text.splitlines(), "msgstr"], start=1):
        if line.startswith('"') and field:
            parts.append(line)
            continue
        if field == "msgid":
            message = "".join(ast.literal_eval(part) for part in parts)
            if message and (context, message) in seen:
                repeated.append((start, message))
            seen.add((context, message))
            context = ""
        field = ""
        if line.startswith(("msgctxt ", "msgid ")):
            field, _, first = line.partition(" ")
            parts, start = [first], number
            if field == "msgctxt":
                context, field = ast.literal_eval(first), ""
    return repeated


_VISIBLE_ATTRIBUTE = re.compile(
    r"""\b(?:title|alt|placeholder|aria-label|aria-description)\s*=\s*(["'])(.*?)\1""", re.S
)
_HIDDEN_BLOCK = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^<>]*>")
_ENTITY = re.compile(r"&#?[A-Za-z0-9]+;")
_WORD = re.compile(r"[A-Za-z]{2,}")
_MARK = "\x00"  # stands for a Jinja expression, statement or translated block


def _blank(match: re.Match[str]) -> str:
    """A removed piece of markup as a marker with its newlines (line numbers stay right)."""
    return _MARK + "\n" * match.group(0).count("\n")


def _skeleton(source: str) -> str:
    """The template's literal markup outside ``{% trans %}`` blocks, every other token a marker."""
    from jinja2 import Environment

    tokens = [t for t in Environment(extensions=["jinja2.ext.i18n"]).lex(source) if t[1] != "whitespace"]
    parts: list[str] = []
    line = 1
    depth = 0
    for index, (lineno, kind, value) in enumerate(tokens):
        if lineno > line:
            parts.append("\n" * (lineno - line))
            line = lineno
        if kind == "name" and index and tokens[index - 1][1] == "block_begin":
            depth += value == "trans"
            depth -= value == "endtrans"
        text = value if kind == "data" and depth == 0 else _MARK
        parts.append(text)
        line += text.count("\n")
    return "".join(parts)


def untranslated_template_text(source: str) -> list[tuple[int, str]]:
    """Literal words in a Jinja2 template outside ``{% trans %}`` blocks and ``_()`` calls.

    Text inside ``<script>``/``<style>`` elements and HTML comments is not shown to a reader and is ignored;
    element text and the ``title``, ``alt``, ``placeholder`` and ``aria-label`` attributes are checked (screen
    readers speak them).

    Parameters
    ----------
    source : str
        The template source.

    Returns
    -------
    list of (int, str)
        Line number and text of each untranslated piece; empty when every visible word is marked.

    Examples
    --------
    >>> untranslated_template_text('<p title="Help">{% trans %}Results{% endtrans %}</p>\\n<b>Total</b>')
    [(1, 'Help'), (2, 'Total')]
    """
    text = _HIDDEN_BLOCK.sub(_blank, _skeleton(source))
    found = [
        (text.count("\n", 0, m.start()) + 1, m.group(2).replace(_MARK, " ").strip())
        for m in _VISIBLE_ATTRIBUTE.finditer(text)
    ]
    text = _ENTITY.sub(" ", _TAG.sub(_blank, text))
    for number, line in enumerate(text.split("\n"), start=1):
        found += [(number, piece.strip()) for piece in line.split(_MARK) if _WORD.search(piece)]
    return sorted((n, t) for n, t in found if _WORD.search(t))
