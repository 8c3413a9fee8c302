"""Babel extraction of the knowledge base's basis texts a reader sees (``market/data/*.yaml``).

The market page prints where each protection end comes from with the fact's own basis (``US patent
expiration [pmc5628685-t1, as of 2017]``); the basis is data, written in English in the knowledge base, and
shown in the reader's words through the catalogue (:func:`bioparity.market.scan.basis_in_words`). Used by
:mod:`bioparity.i18n.catalogues` through its method map (``bioparity.market.extraction:
extract_basis_texts``).

References
----------
Babel documentation, "Working with Message Catalogs", section "Writing Extraction Methods".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bioparity.market.knowledge import FACTS

#: The facts whose basis the ranking prints: the years (patent expiry, exclusivity end, first EU
#: authorisation, first biosimilar launch), each of which the knowledge base must give a basis.
BASIS_FACTS = tuple(name for name, kind in FACTS.items() if kind == "year")


def extract_basis_texts(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method for a knowledge base file: the basis of every year fact of every record
    (:data:`BASIS_FACTS`), once each, with the line it is on.

    Parameters
    ----------
    fileobj : file
        The YAML file, opened in binary mode.
    keywords, comment_tags, options : Any
        Babel's arguments (not used).

    Yields
    ------
    tuple
        ``(line, "gettext", basis, [])``.
    """
    import yaml

    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    data = yaml.safe_load(text) or {}
    found = [
        str(fact["basis"])
        for record in data.get("records") or []
        for name in BASIS_FACTS
        if isinstance(fact := record.get(name), dict) and str(fact.get("basis") or "").strip()
    ]
    for basis in dict.fromkeys(found):
        needle = basis[:40]
        yield next((i for i, line in enumerate(lines, start=1) if needle in line), 1), "gettext", basis, []
