"""Analysis kinds behind one contract: the edge layer between the numerical cores and the front ends.

Each kind (:mod:`~bioparity.analyses.power` for ``power`` and ``samplesize``,
:mod:`~bioparity.analyses.nca`, :mod:`~bioparity.analyses.pk_similarity`, :mod:`~bioparity.analyses.be`,
:mod:`~bioparity.analyses.caa`, :mod:`~bioparity.analyses.potency`,
:mod:`~bioparity.analyses.ada_cutpoint`, :mod:`~bioparity.analyses.ada_sensitivity`,
:mod:`~bioparity.analyses.ada_drug_tolerance`, :mod:`~bioparity.analyses.ada_summary`,
:mod:`~bioparity.analyses.isr`,
:mod:`~bioparity.analyses.stability`, :mod:`~bioparity.analyses.profiles`,
:mod:`~bioparity.analyses.comparability`, :mod:`~bioparity.analyses.linearity`) is one module holding its
reader, options schema, compute, report tables, summary line, figure data, units and the kinds it follows,
as an :class:`~bioparity.analyses.contract.Analysis`. The command line (``bioparity run``, ``bioparity
kinds``), the API, the web workspace and the reports read kinds from
:mod:`~bioparity.analyses.registry` only, so adding a kind is one module plus one entry in
:data:`~bioparity.analyses.registry.BUILTIN_MODULES`.
"""

from bioparity.analyses.contract import (
    Action,
    Analysis,
    Example,
    InputColumn,
    Option,
    RunView,
    StoredInput,
)
from bioparity.analyses.figures import Figure
from bioparity.analyses.registry import (
    all_analyses,
    effective_options,
    get_analysis,
    next_kinds,
    option_errors,
    parse_options,
    register,
    unregister,
)
from bioparity.analyses.tables import ReportTables, Table

__all__ = [
    "Action",
    "Analysis",
    "Example",
    "Figure",
    "InputColumn",
    "Option",
    "ReportTables",
    "RunView",
    "StoredInput",
    "Table",
    "all_analyses",
    "effective_options",
    "get_analysis",
    "next_kinds",
    "option_errors",
    "parse_options",
    "register",
    "unregister",
]
