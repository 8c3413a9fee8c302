"""Numbers typed as text by a user, by one rule for the command line's flags and the options of a run.

A fraction or a ratio (a level, a CV, a limit, a rate, a power, a confidence level) is typed as the
fraction it is: ``0.05``. A percentage (``5%``) is refused with the fraction to give instead, never read as
0.05 or as 5, so that every such value has one unit, the one of PowerTOST and of the outputs. A value whose
unit is percent (``--max-aucpext 20``, a confirmatory cut point in % inhibition) takes the number or the same
number with a ``%`` sign (``20%`` is 20). Used by :mod:`bioparity.cli.common` (the flags) and
:class:`bioparity.analyses.contract.Option` (``bioparity run KIND FILE -o alpha=0.05``, the web's forms).
"""

from __future__ import annotations

from bioparity.i18n import gettext as _


def fraction_value(text: str) -> float:
    """``text`` as the fraction or ratio it must be (``0.3``); ``ValueError`` saying what to give instead
    for a percentage (``30%``: give 0.3), for anything else not a number.

    Examples
    --------
    >>> fraction_value(" 0.05 ")
    0.05
    >>> fraction_value("5%")
    Traceback (most recent call last):
    ...
    ValueError: 5% is a percentage; give a fraction: 0.05 for 5%
    """
    value = text.strip()
    if value.endswith("%"):
        try:
            meant = float(value[:-1]) / 100
        except ValueError:
            meant = None
        if meant is not None:
            raise ValueError(
                _("%(value)s is a percentage; give a fraction: %(fraction)s for %(value)s")
                % {"value": value, "fraction": f"{meant:g}"}
            )
    try:
        return float(value)
    except ValueError:
        raise ValueError(_("%(value)r is not a number") % {"value": text}) from None


def percent_value(text: str) -> float:
    """``text`` as a number in percent: the number, or the same number with a ``%`` sign (``20%`` is 20);
    ``ValueError`` for anything else.

    Examples
    --------
    >>> percent_value("20"), percent_value(" 20% ")
    (20.0, 20.0)
    """
    try:
        return float(text.strip().removesuffix("%"))
    except ValueError:
        raise ValueError(_("%(value)r is not a number") % {"value": text}) from None
