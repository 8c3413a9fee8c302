"""Where a report turns to landscape pages: no near-empty portrait page before the first landscape one.

A report's wide tables are printed on landscape pages (``section.wide``, the named page ``wide`` of
``templates/_style.html.j2``). A page has one size, so the portrait content before the first of them
ends on a page of its own, however little of it is left: the demo's CAA report printed two lines of a
note on page 2 and nothing else, the comparability report six notes, the ADA summary report a table's
last rows and "Signatures: Not signed." (CSS Paged Media Module Level 3, W3C Working Draft, "Using named
pages: the page property": a page break occurs between blocks of different ``page`` values).

:func:`settle_first_landscape` lays that portrait part out alone and, when its last page is filled less
than half, prints the blocks on that page, with the one that runs onto it, at the start of the landscape
pages instead: on the page of the tables that follow. The trial costs the layout of that part once more
(its images are decoded once for both): a page or two before landscape result tables (the CAA report's
PDF took the same CPU time as before, 2% of it the trial), the whole body before a landscape appendix
(the ISR example's 0.33 s took 0.1 s more; the PDFs are kept by :mod:`bioparity.report.pdf`). The report's
first page is never moved (the program report's first page is its title page, a page of its own), nor a
heading without what it heads.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: The class of the blocks printed on landscape pages.
WIDE = "wide"
#: Ids of the blocks in the trial layout (never in a printed report).
_BLOCK_ID = "bioparity-block-"
_END_ID = "bioparity-end"
#: Blocks a page must not end with (``break-after: avoid`` in the report style).
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "caption"})


@dataclass(frozen=True)
class Placed:
    """Where a block starts in the trial layout: page (0-based) and y from the page's top edge in CSS
    px; ``first`` when nothing is above it on that page (no earlier block starts or runs on there)."""

    page: int
    y: float
    first: bool


def is_wide(element: ET.Element) -> bool:
    """Whether a block of the report's body is printed on landscape pages."""
    return WIDE in (element.get("class") or "").split()


def blocks(root: ET.Element) -> list[ET.Element]:
    """The elements directly in the document's body (comments left out)."""
    body = root.find("body")
    return [] if body is None else [e for e in body if isinstance(e.tag, str)]


def trial_html(root: ET.Element, portrait: Sequence[ET.Element]) -> str:
    """The document with only the ``portrait`` blocks in its body, each under a numbered id, and an empty
    block after them that marks where they end (the head, and so the style, as in the report)."""
    trial = ET.Element(root.tag, root.attrib)
    head = root.find("head")
    if head is not None:
        trial.append(head)
    body = ET.SubElement(trial, "body")
    for i, block in enumerate(portrait):
        # a shallow copy: the block's own id is replaced, its children are shared (read only)
        numbered = ET.Element(block.tag, {**block.attrib, "id": f"{_BLOCK_ID}{i}"})
        numbered.text, numbered.tail = block.text, None
        numbered.extend(block)
        body.append(numbered)
    ET.SubElement(body, "div", {"id": _END_ID})
    return "<!doctype html>\n" + ET.tostring(trial, encoding="unicode", method="html")


def placements(pages: Sequence[Any], count: int) -> tuple[list[Placed], Placed]:
    """Where each of the ``count`` numbered blocks of a trial layout starts, and where they end.

    ``pages`` are WeasyPrint's laid-out pages (``Page.anchors``: each id's box, x and y first, in CSS
    px from the page's top left corner); a block split across pages has an anchor on each of them, the
    first is its start; one without a box (nothing to print) starts where the next one does."""
    starts: dict[int, Placed] = {}
    end = Placed(0, 0.0, True)
    for number, page in enumerate(pages):
        ids = sorted(
            (position[1], int(name.removeprefix(_BLOCK_ID)))
            for name, position in page.anchors.items()
            if name.startswith(_BLOCK_ID)
        )
        for y, i in ids:
            if i not in starts:
                starts[i] = Placed(number, y, all(j >= i for _, j in ids))
        if _END_ID in page.anchors:
            end = Placed(number, page.anchors[_END_ID][1], not ids)
    # a block that made no box (nothing to print) starts where the next one does, or where they end
    placed, following = [], end
    for i in reversed(range(count)):
        following = starts.get(i, following)
        placed.append(following)
    return placed[::-1], end


def landscape_from(
    portrait: Sequence[ET.Element], starts: Sequence[Placed], end: Placed, page_height: float
) -> int | None:
    """The first of the ``portrait`` blocks to print on the landscape pages that follow them, or None.

    None when their last page is filled at least half (``end`` below the middle of the page) or is the
    report's first page. Else the last block at which the portrait pages may end instead: it starts at
    the top of a page (the page before is full) or below the middle of one, on the last page or the one
    before (at most that much is moved), and not after a heading (a heading stays with what it heads)."""
    middle = page_height / 2
    if end.page == 0 or end.y >= middle:
        return None
    for i in range(len(portrait) - 1, 0, -1):
        start = starts[i]
        if start.page < end.page - 1:
            break
        if portrait[i - 1].tag in _HEADINGS or _heads_a_note(portrait, i - 1):
            continue
        if start.y >= middle or start.first:
            return i
    return None


def _heads_a_note(portrait: Sequence[ET.Element], i: int) -> bool:
    """Whether block ``i`` is the note under a heading (``h2 + p.note``: kept with what follows)."""
    return (
        i > 0
        and portrait[i].tag == "p"
        and "note" in (portrait[i].get("class") or "").split()
        and portrait[i - 1].tag == "h2"
    )


def to_landscape(root: ET.Element, moved: Sequence[ET.Element]) -> None:
    """Print the ``moved`` blocks (consecutive in the body) on the landscape pages: wrapped, in place, in
    one ``section`` of class :data:`WIDE`."""
    body = root.find("body")
    assert body is not None and moved
    at = list(body).index(moved[0])
    section = ET.Element("section", {"class": WIDE})
    for block in moved:
        body.remove(block)
        section.append(block)
    body.insert(at, section)


def settle_first_landscape(document: Any, lay_out: Any) -> int:
    """Move the short end of the portrait pages before the first landscape one onto it (see the module).

    Parameters
    ----------
    document : weasyprint.HTML
        The parsed report, changed in place before it is laid out.
    lay_out : callable
        Lays out an HTML string and returns its WeasyPrint document (the trial layout).

    Returns
    -------
    int
        How many blocks were moved onto the landscape pages (0: none).
    """
    root = document.etree_element
    body = blocks(root)
    first = next((i for i, b in enumerate(body) if is_wide(b)), 0)
    if first == 0:
        return 0
    portrait = body[:first]
    trial = lay_out(trial_html(root, portrait))
    starts, end = placements(trial.pages, len(portrait))
    cut = landscape_from(portrait, starts, end, trial.pages[end.page].height)
    if cut is None:
        return 0
    to_landscape(root, portrait[cut:])
    return first - cut
