"""Languages of the workspace, the reports and the command line: English (default) and Simplified Chinese.

Standard gettext catalogues (GNU ``.po`` files, read with Babel) under
``bioparity/i18n/locale/<locale>/LC_MESSAGES``, one file per *domain* so that the web pages, the reports
and the command line can be translated independently:

* ``web``: the workspace pages (``web/templates``, ``web/*.py``);
* ``reports``: run, program and validation reports, result tables, figures and readiness explanations;
* ``cli``: the command line's human-readable messages.

At run time the domains of one language are merged into one catalogue, so any text is found whichever part of
the program shows it. English is the source language: an English catalogue is the identity. Data stays
language-neutral: CDISC codes, column names, JSON fields and stored results are never passed through
:func:`gettext`.

The current language is a context variable (:func:`use_language`), set per web request from the user's stored
preference, per report from its ``lang`` option and per command from ``--lang`` (else the POSIX locale
variables, :func:`environment_language`); :func:`gettext` (alias ``_``) translates into it.

One English word can need two translations: "run" is an assay run (分析批) in a bioassay report but the
running of an analysis (运行分析) in the audit trail; "draft" is a run's status (草稿) but a guideline's
(征求意见稿). Such a message carries a *context* (gettext's ``msgctxt``): :func:`pgettext` and
:func:`npgettext` look it up under ``context`` and message together, so the entry without context keeps its
own translation (GNU gettext manual, section 11.2.5 "Using contexts for solving ambiguities").

References
----------
GNU gettext manual, section 1.5 "Files in the packages" (PO files); Babel documentation, "Working with message
catalogs"; Jinja2 documentation, "i18n Extension" (newstyle gettext).

Examples
--------
>>> from bioparity.i18n import gettext as _, use_language
>>> _("Confidence interval")
'Confidence interval'
>>> with use_language("zh-CN"):
...     _("Confidence interval")
'置信区间'
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from bioparity.errors import InputError

if TYPE_CHECKING:  # Babel is imported on first use of a language other than English (start-up time)
    from babel.support import NullTranslations

#: Languages offered, as BCP 47 tags (the form stored with an account and recorded in report provenance).
LANGUAGES: tuple[str, ...] = ("en", "zh-CN")
#: The source language of every message.
DEFAULT_LANGUAGE = "en"
#: Language names shown in a language chooser, each in its own language.
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "zh-CN": "简体中文"}
#: Catalogue domains (one ``.po`` file each per language).
DOMAINS: tuple[str, ...] = ("web", "reports", "cli")

_CURRENT: ContextVar[str] = ContextVar("bioparity_language", default=DEFAULT_LANGUAGE)


def normalise_language(value: str | None) -> str:
    """The supported language tag for ``value`` (case and ``_``/``-`` insensitive; ``zh-Hans`` -> ``zh-CN``).

    Parameters
    ----------
    value : str or None
        A language tag such as ``"zh_CN"``, ``"zh-cn"``, ``"en-GB"``; None or empty gives English.

    Returns
    -------
    str
        One of :data:`LANGUAGES`.

    Raises
    ------
    InputError
        The language is not offered (the message lists the ones that are).

    Examples
    --------
    >>> normalise_language("zh_cn"), normalise_language("en-GB"), normalise_language(None)
    ('zh-CN', 'en', 'en')
    """
    if not value:
        return DEFAULT_LANGUAGE
    tag = value.strip().replace("_", "-").lower()
    if tag == "en" or tag.startswith("en-"):
        return "en"
    if tag in {"zh", "zh-cn", "zh-hans", "zh-hans-cn", "zh-sg"}:
        return "zh-CN"
    raise InputError(f"language {value!r} is not offered; choose one of {', '.join(LANGUAGES)}")


def offered_language(tag: str | None) -> str | None:
    """The offered language of ``tag`` (see :func:`normalise_language`), or None when ``tag`` is empty,
    blank or names a language not offered (the caller then asks its next source).

    Examples
    --------
    >>> offered_language("zh-Hans"), offered_language("de-DE"), offered_language("")
    ('zh-CN', None, None)
    """
    if not tag or not tag.strip():
        return None
    try:
        return normalise_language(tag)
    except InputError:
        return None


#: The POSIX locale variables that choose the language of messages, strongest first (POSIX.1-2017, Base
#: Definitions, section 8.2 "Internationalization Variables": ``LC_ALL`` overrides ``LC_MESSAGES``, which
#: overrides ``LANG``; a variable that is unset or empty is skipped).
LOCALE_VARIABLES: tuple[str, ...] = ("LC_ALL", "LC_MESSAGES", "LANG")


def environment_language(environ: Mapping[str, str]) -> str | None:
    """The language the POSIX locale variables of ``environ`` choose for messages, when it is offered.

    The first of :data:`LOCALE_VARIABLES` that is set and not empty decides (a later one is not consulted
    even when the first names a language not offered); its value's codeset and modifier are dropped
    (``zh_CN.UTF-8@pinyin`` -> ``zh_CN``). The ``C`` and ``POSIX`` locales and any language not offered
    give None (English, the source language); GNU gettext's ``LANGUAGE`` list is not read.

    Parameters
    ----------
    environ : mapping of str to str
        The environment (``os.environ``).

    Returns
    -------
    str or None
        One of :data:`LANGUAGES`, or None.

    Examples
    --------
    >>> environment_language({"LANG": "zh_CN.UTF-8"})
    'zh-CN'
    >>> environment_language({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}) is None  # LC_ALL wins
    True
    >>> environment_language({"LC_ALL": "", "LC_MESSAGES": "zh_CN.GB18030", "LANG": "en_GB.UTF-8"})
    'zh-CN'
    >>> environment_language({"LANG": "de_DE.UTF-8"}) is None
    True
    """
    value = next((environ[name] for name in LOCALE_VARIABLES if environ.get(name)), "")
    tag = value.split("@", 1)[0].split(".", 1)[0]
    return None if tag in {"C", "POSIX"} else offered_language(tag)


def locale_dir(language: str) -> str:
    """The gettext locale directory name of a language tag (``zh-CN`` -> ``zh_CN``)."""
    return normalise_language(language).replace("-", "_")


def catalogue_text(language: str, domain: str) -> str | None:
    """The ``.po`` source of one domain of a language, or None when the language has no such file."""
    folder = resources.files("bioparity.i18n").joinpath("locale", locale_dir(language), "LC_MESSAGES")
    path = folder.joinpath(f"{domain}.po")
    return path.read_text(encoding="utf-8") if path.is_file() else None


@cache
def translations(language: str) -> NullTranslations:
    """The merged catalogue of every domain of ``language`` (compiled in memory from the ``.po`` files, once).

    Untranslated and fuzzy entries fall back to the English source text (gettext's rule); a test keeps the
    shipped catalogues complete.

    Parameters
    ----------
    language : str
        A language tag (see :func:`normalise_language`).

    Returns
    -------
    babel.support.NullTranslations
        English: the identity; other languages: a :class:`babel.support.Translations`.

    Examples
    --------
    >>> translations("zh-CN").gettext("Confidence interval")
    '置信区间'
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    language = normalise_language(language)
    merged: NullTranslations = NullTranslations()
    if language == DEFAULT_LANGUAGE:
        return merged
    for domain in DOMAINS:
        text = catalogue_text(language, domain)
        if text is None:
            continue
        catalog = read_po(io.StringIO(text), locale=locale_dir(language), domain=domain)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        compiled = Translations(fp=buffer, domain=domain)
        if isinstance(merged, Translations):
            merged.merge(compiled)
        else:
            merged = compiled
    return merged


def current_language() -> str:
    """The language of the current request, report or command (English unless :func:`use_language` says)."""
    return _CURRENT.get()


def chosen_language(language: str | None) -> str:
    """The language a report is generated in: ``language`` when given, else the current one.

    The web's report downloads leave ``language`` out, so that the signed-in user's language (set per
    request with :func:`use_language`) is used; the command line passes ``--lang``.

    Parameters
    ----------
    language : str or None
        A language tag, or None for the current language.

    Returns
    -------
    str
        One of :data:`LANGUAGES`.

    Examples
    --------
    >>> chosen_language("zh_CN"), chosen_language(None)
    ('zh-CN', 'en')
    """
    return current_language() if language is None else normalise_language(language)


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Translate into ``language`` inside the ``with`` block (context-local: safe across threads and tasks).

    Parameters
    ----------
    language : str or None
        A language tag; None means English.

    Yields
    ------
    str
        The normalised tag.

    Examples
    --------
    >>> with use_language("zh_CN") as tag:
    ...     tag, current_language()
    ('zh-CN', 'zh-CN')
    >>> current_language()
    'en'
    """
    tag = normalise_language(language)
    token = _CURRENT.set(tag)
    try:
        yield tag
    finally:
        _CURRENT.reset(token)


def gettext(message: str) -> str:
    """``message`` translated into the current language (the English text when no translation exists).

    Parameters
    ----------
    message : str
        The English source text, a literal (so that extraction finds it).

    Returns
    -------
    str
        The translation.

    Examples
    --------
    >>> gettext("Confidence interval")
    'Confidence interval'
    """
    language = _CURRENT.get()
    if language == DEFAULT_LANGUAGE:  # the source language: no catalogue (and no Babel import)
        return message
    return translations(language).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for the count ``n``, in the current language.

    Parameters
    ----------
    singular, plural : str
        English source texts.
    n : int
        The count choosing the form.

    Returns
    -------
    str
        The translation (Chinese has one form).

    Examples
    --------
    >>> ngettext("%(num)d lot", "%(num)d lots", 2) % {"num": 2}
    '2 lots'
    """
    language = _CURRENT.get()
    if language == DEFAULT_LANGUAGE:
        return singular if n == 1 else plural
    return translations(language).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the sense ``context`` names, translated into the current language (``msgctxt``).

    Parameters
    ----------
    context : str
        What the message means here (``"audit action"``, ``"guideline status"``), a literal.
    message : str
        The English source text, a literal.

    Returns
    -------
    str
        The translation of the entry with this context (the English text when it has none: an entry of the
        same message without context is not used, its sense may be the other one).

    Examples
    --------
    >>> with use_language("zh-CN"):
    ...     gettext("run"), pgettext("audit action", "run")
    ('分析批', '运行分析')
    """
    language = _CURRENT.get()
    if language == DEFAULT_LANGUAGE:
        return message
    return str(translations(language).pgettext(context, message))


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    """:func:`ngettext` of a message with a context (:func:`pgettext`).

    Examples
    --------
    >>> npgettext("audit action", "%(num)d run", "%(num)d runs", 2) % {"num": 2}
    '2 runs'
    """
    language = _CURRENT.get()
    if language == DEFAULT_LANGUAGE:
        return singular if n == 1 else plural
    return str(translations(language).npgettext(context, singular, plural, n))


def coded_words(context: str, words: dict[str, str], code: str) -> str:
    """A stored code in the reader's words: ``words[code]`` (marked with :func:`pgettext_noop` and
    ``context``) translated in that context; a code without words as stored (a later one, or data).

    Examples
    --------
    >>> words = {"run": pgettext_noop("audit action", "run")}
    >>> with use_language("zh-CN"):
    ...     coded_words("audit action", words, "run"), coded_words("audit action", words, "later")
    ('运行分析', 'later')
    """
    return pgettext(context, words[code]) if code in words else code


def pgettext_noop(context: str, message: str) -> str:
    """Mark ``message`` with its ``context`` for extraction without translating it now (:func:`pgettext`
    translates it where it is shown, with the same context).

    Examples
    --------
    >>> pgettext_noop("guideline status", "draft")
    'draft'
    """
    return message


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (module-level constants translated later).

    Parameters
    ----------
    message : str
        The English source text.

    Returns
    -------
    str
        ``message`` unchanged.

    Examples
    --------
    >>> gettext_noop("Tolerance interval")
    'Tolerance interval'
    """
    return message


_ = gettext


def install_jinja(environment: Any) -> None:
    """Add Jinja2's i18n extension to ``environment`` with callables that follow the current language.

    Templates then use ``{% trans %}...{% endtrans %}``, ``{{ _("...") }}`` and ``{{ pgettext("context",
    "...") }}`` (newstyle gettext: autoescaped, ``%(name)s`` placeholders filled by keyword).

    Parameters
    ----------
    environment : jinja2.Environment
        The environment of the web pages or of the reports.

    Returns
    -------
    None

    Examples
    --------
    >>> from jinja2 import Environment
    >>> env = Environment(autoescape=True)
    >>> install_jinja(env)
    >>> template = env.from_string("{{ _('Confidence interval') }}")
    >>> with use_language("zh-CN"):
    ...     template.render()
    '置信区间'
    """
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(
        gettext=gettext, ngettext=ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )
    environment.globals["current_language"] = current_language
