"""Per-file test seconds from a pytest ``--durations=0`` report, for ``tests/durations.txt``.

The test session starts the slowest files first (tests/conftest.py), so that the workers of a parallel run
(pytest-xdist, ``--dist loadfile``) finish together instead of one running a long file alone at the end.
Regenerate after adding slow tests::

    PYTEST_ADDOPTS=--durations=0 make unit 2>&1 | tee /tmp/unit.log
    python scripts/test_durations.py /tmp/unit.log > tests/durations.txt
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

LINE = re.compile(r"^(\d+(?:\.\d+)?)s (?:setup|call|teardown)\s+(tests/[^:]+\.py)::")
MIN_SECONDS = 5.0  # faster files keep their place in the collection order


def main(log: str) -> None:
    seconds: dict[str, float] = defaultdict(float)
    for line in Path(log).read_text(encoding="utf-8", errors="replace").splitlines():
        found = LINE.match(line)
        if found:
            seconds[found.group(2)] += float(found.group(1))
    print("# seconds per test file (scripts/test_durations.py); the slowest start first")
    for path, total in sorted(seconds.items(), key=lambda item: -item[1]):
        if total >= MIN_SECONDS:
            print(f"{total:.0f} {path}")


if __name__ == "__main__":
    main(sys.argv[1])
