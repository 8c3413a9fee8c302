"""The warning for a coefficient of variation that looks typed as a percentage (30 for 30%).

Every CV of the package is a ratio (0.30 for 30%), as in R PowerTOST (``CV = 0.3``), where
``sigma = sqrt(log(1 + CV^2))`` (the log-normal relation; PowerTOST ``CV2se``; Julious 2004, Stat Med
23:1921-1986). A CV of 30 gives ``sigma ~ 2.6`` and a power of about 1e-15 for a 2x2 study of 24
subjects at theta0 = 0.95: a number computed correctly and almost certainly not the one wanted.
PowerTOST accepts any CV > 0, and so does this package: the value is never refused or changed, only
flagged. A CV of 200% or more is rare in bioequivalence (highly variable drugs have CVs of 30-60%;
EMA CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.10 caps widening at CV 50%), so a CV >= 2 is flagged as
probably a percentage, while a CV of 1.5 (150%) is taken silently.

The threshold and the text live here, once, for every entry point (command line, grid files, web form,
workspace analyses); the text is a note template (:mod:`bioparity.i18n.notes`) so that a stored note
is shown in the reader's language.

Examples
--------
>>> cv_percent_warning(30)
'CV 30 is 3000%: a CV is a ratio (0.3 for 30%); computed as given'
>>> cv_percent_warning(1.5) is None
True
"""

from __future__ import annotations

import math

from bioparity.i18n.notes import note_template

#: A CV at or above this (200%) is flagged as probably a percentage typed as a ratio.
CV_PERCENT_THRESHOLD = 2.0

#: The warning for one CV (``cv``, ``percent`` = 100 cv, ``ratio`` = cv / 100).
CV_AS_PERCENT = note_template(
    "CV {cv:g} is {percent:g}%: a CV is a ratio ({ratio:g} for {cv:g}%); computed as given"
)


def cv_percent_warning(cv: float) -> str | None:
    """The warning for a CV that looks typed as a percentage, or None.

    Parameters
    ----------
    cv : float
        A coefficient of variation as given (a ratio: 0.30 for 30%).

    Returns
    -------
    str or None
        :data:`CV_AS_PERCENT` filled in when ``cv`` is finite and at least :data:`CV_PERCENT_THRESHOLD`;
        None otherwise (a non-finite CV is refused by the computation itself).

    Examples
    --------
    >>> cv_percent_warning(2)
    'CV 2 is 200%: a CV is a ratio (0.02 for 2%); computed as given'
    >>> cv_percent_warning(1.99) is None
    True
    """
    value = float(cv)
    if not math.isfinite(value) or value < CV_PERCENT_THRESHOLD:
        return None
    return CV_AS_PERCENT.format(cv=value, percent=100 * value, ratio=value / 100)
