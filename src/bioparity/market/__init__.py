"""Market scan: which reference biologics lose protection with few or no biosimilars coming.

Public API: readers of the public files (:func:`read_purple_book`, :func:`read_ema_medicines`,
:func:`read_trials`, :func:`fetch_trials`), the curated knowledge base (:func:`load_knowledge_base`),
the void score core (:func:`void_scores`, :class:`VoidWeights`), the scan (:func:`scan_market`) and
the timeline chart (:func:`timeline_chart`).
"""

from bioparity.market.chart import timeline_chart
from bioparity.market.ema import EmaCounts, EmaMedicines, read_ema_medicines
from bioparity.market.knowledge import (
    MODALITIES,
    UNKNOWN,
    Fact,
    KnowledgeBase,
    ReferenceBiologic,
    load_knowledge_base,
    validate_knowledge_base,
)
from bioparity.market.purple_book import (
    BIOSIMILAR,
    INTERCHANGEABLE,
    ORIGINATOR,
    PurpleBook,
    PurpleBookCounts,
    read_purple_book,
)
from bioparity.market.scan import REGIONS, VoidRanking, parse_regions, scan_market
from bioparity.market.trials import (
    ACTIVE_STATUSES,
    NetworkUnavailableError,
    TrialSet,
    fetch_trials,
    read_trials,
)
from bioparity.market.void import COMPONENTS, VoidScores, VoidWeights, void_scores

__all__ = [
    "ACTIVE_STATUSES",
    "BIOSIMILAR",
    "COMPONENTS",
    "INTERCHANGEABLE",
    "MODALITIES",
    "ORIGINATOR",
    "REGIONS",
    "UNKNOWN",
    "EmaCounts",
    "EmaMedicines",
    "Fact",
    "KnowledgeBase",
    "NetworkUnavailableError",
    "PurpleBook",
    "PurpleBookCounts",
    "ReferenceBiologic",
    "TrialSet",
    "VoidRanking",
    "VoidScores",
    "VoidWeights",
    "fetch_trials",
    "load_knowledge_base",
    "parse_regions",
    "read_ema_medicines",
    "read_purple_book",
    "read_trials",
    "scan_market",
    "timeline_chart",
    "validate_knowledge_base",
    "void_scores",
]
