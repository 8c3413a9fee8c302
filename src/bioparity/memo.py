"""A small memo for values derived from immutable stored content (keyed by SHA-256 or run ids).

Keys must name everything the value depends on: the stored content (its hash, or a digest of the exact
stored text when a changed text must not be masked, e.g. a signature check) and, for anything worded for a
reader, the page language (:func:`bioparity.i18n.current_language`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class Memo:
    """A small thread-safe LRU memo for values derived from immutable stored content (keyed by hashes)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value
