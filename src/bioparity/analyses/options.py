"""Reading option values inside a kind's ``compute`` (values arrive as JSON scalars: check them here).

:func:`bioparity.analyses.registry.effective_options` has already refused unknown names and values
outside an option's choices or type; these readers give each value its Python type and refuse, with an
InputError naming the option, what the schema cannot express.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bioparity.analyses.contract import FLAG_WORDS, Option, UnitsHook
from bioparity.errors import InputError


def text_option(options: Mapping[str, Any], name: str, default: str) -> str:
    """A text option, stripped."""
    value = options.get(name, default)
    if not isinstance(value, str):
        raise InputError(f"option {name}={value!r}; expected text")
    return value.strip()


def number_option(options: Mapping[str, Any], name: str, default: float) -> float:
    """A number option (``bool`` is not a number)."""
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"option {name}={value!r}; expected a number")
    return float(value)


def optional_number(options: Mapping[str, Any], name: str) -> float | None:
    """A number option that may be left empty (``''``, see :attr:`Option.optional`): None when empty."""
    if options.get(name, "") in ("", None):
        return None
    return number_option(options, name, 0.0)


def required_number(options: Mapping[str, Any], name: str, what: str) -> float:
    """A number option the kind cannot run without (its schema default is ``''``): InputError naming the
    option and ``what`` it holds when it is empty."""
    value = optional_number(options, name)
    if value is None:
        raise InputError(f"option {name} is required: {what}")
    return value


def list_option(options: Mapping[str, Any], name: str, default: str) -> list[str]:
    """A comma-separated list option (``test,eu-ref,us-ref``), empty items dropped."""
    return [v.strip() for v in text_option(options, name, default).split(",") if v.strip()]


def flag_option(options: Mapping[str, Any], name: str, default: bool = False) -> bool:
    """A yes/no option: a JSON boolean or one of the words of :data:`FLAG_WORDS` (anything else is no)."""
    value = options.get(name, default)
    if isinstance(value, bool):
        return value
    return FLAG_WORDS.get(str(value).strip().lower(), False) is True


def yes_no(name: str, help: str, default: bool = False) -> Option:
    """A flag option (a select of false/true in the web form)."""
    return Option(name, help, default, (False, True), type="flag")


def option_units(columns: Mapping[str, Option]) -> UnitsHook:
    """The ``units`` of an :class:`~bioparity.analyses.contract.Analysis` whose input columns take their unit
    from an option: column -> the option's value, the option's default when it is left empty.

    Parameters
    ----------
    columns : mapping of str to Option
        Input column -> the option holding its unit (one of the kind's options).

    Returns
    -------
    callable
        ``units(options) -> dict``: the unit of each column under these options.

    Examples
    --------
    >>> unit = Option("conc_unit", "unit of the concentrations", "ng/mL")
    >>> option_units({"concentration": unit})({"conc_unit": ""})
    {'concentration': 'ng/mL'}
    """
    return lambda options: {column: str(options.get(o.name) or o.default) for column, o in columns.items()}
