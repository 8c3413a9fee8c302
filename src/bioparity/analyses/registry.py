"""The registry of analysis kinds: the one place every front end (CLI, API, web, reports) reads them from.

The built-in kinds live in the modules of :data:`BUILTIN_MODULES`, each exposing ``ANALYSES`` (a tuple of
:class:`~bioparity.analyses.contract.Analysis`); they are imported on first use, so importing the
registry costs nothing. Adding a built-in kind is one module plus one entry in that tuple; a plug-in
calls :func:`register`.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from typing import Any

from bioparity.analyses.contract import Analysis
from bioparity.errors import InputError
from bioparity.i18n import gettext

#: Modules holding the built-in kinds (each with a tuple ``ANALYSES``), loaded on first use.
BUILTIN_MODULES: tuple[str, ...] = (
    "bioparity.analyses.power",
    "bioparity.analyses.nca",
    "bioparity.analyses.pk_similarity",
    "bioparity.analyses.be",
    "bioparity.analyses.caa",
    "bioparity.analyses.potency",
    "bioparity.analyses.ada_cutpoint",
    "bioparity.analyses.ada_sensitivity",
    "bioparity.analyses.ada_drug_tolerance",
    "bioparity.analyses.ada_summary",
    "bioparity.analyses.stability",
    "bioparity.analyses.profiles",
    "bioparity.analyses.comparability",
    "bioparity.analyses.isr",
    "bioparity.analyses.linearity",
)

_REGISTRY: dict[str, Analysis] = {}
_LOCK = threading.RLock()
_LOADED: list[bool] = []


def _load_builtins() -> None:
    if _LOADED:
        return
    with _LOCK:
        if _LOADED:
            return
        for module in BUILTIN_MODULES:
            for analysis in importlib.import_module(module).ANALYSES:
                _REGISTRY.setdefault(analysis.name, analysis)
        _LOADED.append(True)


def register(analysis: Analysis) -> Analysis:
    """Add a kind (names are unique: registering a name twice is a programming error).

    The built-in kinds are loaded first, so a plug-in cannot take a built-in name.

    Parameters
    ----------
    analysis : Analysis
        The kind to add.

    Returns
    -------
    Analysis
        The same object (so that ``register`` can wrap a module-level definition).

    Raises
    ------
    ValueError
        When a kind of that name is already registered.
    """
    _load_builtins()
    with _LOCK:
        if analysis.name in _REGISTRY:
            raise ValueError(f"analysis kind {analysis.name!r} is already registered")
        _REGISTRY[analysis.name] = analysis
    return analysis


def unregister(name: str) -> Analysis:
    """Remove a kind and return it (plug-ins unloading, tests).

    Parameters
    ----------
    name : str
        Name of a registered kind (built-in kinds can be removed too).

    Returns
    -------
    Analysis
        The kind removed; pass it to :func:`register` to put it back.

    Raises
    ------
    KeyError
        When no kind has that name.
    """
    _load_builtins()
    with _LOCK:
        return _REGISTRY.pop(name)


def get_analysis(name: str) -> Analysis:
    """The kind called ``name`` (InputError listing the known kinds otherwise).

    Parameters
    ----------
    name : str
        Kind name, e.g. ``"nca"`` or ``"pk-similarity"``.

    Returns
    -------
    Analysis
        The registered kind.

    Raises
    ------
    InputError
        When no kind has that name; the message lists the known kinds.

    Examples
    --------
    >>> be = get_analysis("be")
    >>> be.title, be.defaults["method"]
    ('Bioequivalence', 'abe')
    """
    _load_builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(
            f"unknown analysis kind {name!r}; expected one of {', '.join(sorted(_REGISTRY))}"
        ) from None


def all_analyses() -> dict[str, Analysis]:
    """Every registered kind by name, sorted.

    Returns
    -------
    dict of str to Analysis
        Kind name -> kind, sorted by name (built-in kinds and plug-ins).

    Examples
    --------
    >>> kinds = all_analyses()
    >>> kinds["nca"].title == get_analysis("nca").title, list(kinds) == sorted(kinds)
    (True, True)
    """
    _load_builtins()
    with _LOCK:
        return dict(sorted(_REGISTRY.items()))


def kind_words(code: str) -> str:
    """An analysis kind's stored code (``nca``) as its title in the reader's language (pages, reports,
    audit details); a code no kind has as stored (the stored run, its JSON and the CSV exports keep it).

    Examples
    --------
    >>> kind_words("nca"), kind_words("later-kind")
    ('Noncompartmental analysis', 'later-kind')
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     kind_words("pk-similarity")
    '药代动力学相似性'
    """
    kind = all_analyses().get(code)
    return gettext(kind.title) if kind is not None else code


def next_kinds(kind: str) -> list[str]:
    """The kinds that take the result table of a ``kind`` run as input (their ``follows`` names it).

    Parameters
    ----------
    kind : str
        Kind of the finished run.

    Returns
    -------
    list of str
        Names of the kinds that can be run next on its result table, sorted (empty when none).

    Examples
    --------
    >>> next_kinds("nca")
    ['pk-similarity']
    """
    return [name for name, a in all_analyses().items() if kind in a.follows]


def option_errors(analysis: Analysis, options: Mapping[str, Any]) -> dict[str, str]:
    """Per given option, why its value is refused (see :meth:`Option.error`); options the kind does not
    have are left to :func:`effective_options`. Empty when every value is acceptable.

    Parameters
    ----------
    analysis : Analysis
        The kind whose options schema applies.
    options : mapping of str to Any
        Option values, already typed (see :func:`parse_options`).

    Returns
    -------
    dict of str to str
        Option name -> reason its value is refused (the web form shows it next to the field).

    Examples
    --------
    >>> problems = option_errors(get_analysis("be"), {"method": "xyz", "alpha": 0.1})
    >>> list(problems), problems["method"].startswith("'xyz' is not accepted; choose one of abe")
    (['method'], True)
    """
    known = {o.name: o for o in analysis.options}
    problems: dict[str, str] = {}
    for name, value in options.items():
        option = known.get(name)
        problem = None if option is None else option.error(value)
        if problem is not None:
            problems[name] = problem
    return problems


def _named(analysis: Analysis, options: Mapping[str, Any]) -> dict[str, Any]:
    """The options with an earlier name of an option (:attr:`Option.aliases`) under its name; an option
    given under both names with different values is refused."""
    named = dict(options)
    for option in analysis.options:
        for alias in option.aliases:
            if alias not in named:
                continue
            value = named.pop(alias)
            if option.name in named and named[option.name] != value:
                raise InputError(
                    gettext("option %(name)s is also given as %(alias)s, with another value: give one")
                    % {"name": option.name, "alias": alias}
                )
            named[option.name] = value
    return named


def effective_options(analysis: Analysis, options: Mapping[str, Any]) -> dict[str, Any]:
    """The options a run uses: the kind's defaults overridden by the given ones (unknown names and
    refused values raise InputError naming them).

    Parameters
    ----------
    analysis : Analysis
        The kind to run.
    options : mapping of str to Any
        Option values given by the user, already typed.

    Returns
    -------
    dict of str to Any
        Every option of the kind: the defaults, overridden by ``options`` (stored with the run so
        that it records every setting).

    Raises
    ------
    InputError
        When an option name is not one of the kind's (the message lists the accepted ones with
        their help) or a value is refused.

    Examples
    --------
    >>> options = effective_options(get_analysis("be"), {"alpha": 0.1})
    >>> options["alpha"], options["method"]
    (0.1, 'abe')
    """
    options = _named(analysis, options)
    unknown = sorted(set(options) - set(analysis.option_help))
    if unknown:
        accepted = ", ".join(f"{k} ({v})" for k, v in analysis.option_help.items()) or gettext("none")
        raise InputError(
            gettext("analysis %(kind)r does not accept option(s) %(names)s; accepted: %(accepted)s")
            % {"kind": analysis.name, "names": unknown, "accepted": accepted}
        )
    problems = option_errors(analysis, options)
    if problems:
        said = [
            gettext("option %(name)s: %(problem)s") % {"name": k, "problem": v} for k, v in problems.items()
        ]
        raise InputError(
            gettext("analysis %(kind)r: %(problems)s")
            % {"kind": analysis.name, "problems": gettext("; ").join(said)}
        )
    return {**analysis.defaults, **options}


def parse_options(analysis: Analysis, texts: Mapping[str, str]) -> dict[str, Any]:
    """Options typed as text (form fields, ``--option name=value``) converted by each option's type;
    unknown names are kept as text for :func:`effective_options` to refuse.

    Parameters
    ----------
    analysis : Analysis
        The kind whose options schema applies.
    texts : mapping of str to str
        Option name -> value as typed.

    Returns
    -------
    dict of str to Any
        Option name -> value converted by :meth:`Option.parse` (text that is not of the type is kept
        unchanged, for :func:`option_errors` to refuse).

    Examples
    --------
    >>> parse_options(get_analysis("be"), {"alpha": "0.1", "method": "abe"})
    {'alpha': 0.1, 'method': 'abe'}
    """
    known = {n: o for o in analysis.options for n in (o.name, *o.aliases)}
    return {k: known[k].parse(v) if k in known else v for k, v in texts.items()}
