"""Benchmark of the comparative analytical assessment: 1,000 attributes x 3 comparisons.

Usage::

    .venv/bin/python bench/caa.py            # timing (target: under a second)
    .venv/bin/python bench/caa.py --seeds 100  # how often the example flags exactly its two attributes

The data set has 1,000 attributes measured on 10 test, 15 EU and 12 US reference lots (37,000 rows),
with tiers mixed 20% / 60% / 20% (tier 1 / tier 2 / tier 3: quality range k = 2.5 with the equivalence
sensitivity analysis / quality range k = 3 / descriptive, the default plan) and every 10th tier-2
attribute analysed with the exact tolerance interval instead. The default ``assess()`` also simulates
the operating characteristics of each distinct plan and lot numbers (10,000 assessments each);
the third figure is without them. Timings are the median of repeated
runs of ``assess()`` on an in-memory table (all checks included), and of reading the same table
from CSV first.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from _figures import Figure, at_most, emit, machine
from bioparity.caa import Catalogue, assess
from bioparity.io.caa import read_long_table

N_ATTRIBUTES = 1000
LOTS = {"test": 10, "ref-eu": 15, "ref-us": 12}
#: Target for the default ``assess()`` of the whole data set, in seconds ("under a second").
TARGET_S = 1.0


def make_data(seed: int = 1) -> tuple[pd.DataFrame, Catalogue]:
    rng = np.random.default_rng(seed)
    frames = []
    for source, n in LOTS.items():
        attr = np.repeat(np.arange(N_ATTRIBUTES), n)
        lot = np.tile(np.arange(n), N_ATTRIBUTES)
        shift = 0.2 if source == "test" else 0.0
        frames.append(
            pd.DataFrame(
                {
                    "attribute": [f"qa_{a:04d}" for a in attr],
                    "source": source,
                    "lot": [f"{source}-{i:02d}" for i in lot],
                    "value": 100.0 + 5.0 * (rng.standard_normal(attr.size) + shift),
                }
            )
        )
    data = pd.concat(frames, ignore_index=True)
    entries: dict[str, dict[str, object]] = {}
    for a in range(N_ATTRIBUTES):
        tier = 1 if a % 5 == 0 else 3 if a % 5 == 4 else 2
        entry: dict[str, object] = {"tier": tier}
        if tier == 2 and a % 10 == 1:
            entry["method"] = "tolerance-interval"
        entries[f"qa_{a:04d}"] = entry
    return data, Catalogue.from_mapping({"attributes": entries})


def figures(repeats: int = 7) -> list[Figure]:
    """Median seconds of ``assess()`` from a DataFrame, and of reading the CSV plus ``assess()``."""
    data, catalogue = make_data()
    assess(data[data["attribute"].isin(["qa_0000", "qa_0001"])], catalogue)  # warm-up: imports
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = assess(data, catalogue)
        runs.append(time.perf_counter() - t0)
    rows = len(result.table)
    n_comp = len(result.comparisons)
    setting = f"{N_ATTRIBUTES} attributes x {n_comp} comparisons = {rows} results from {len(data):,} values"
    out = [
        Figure(
            "caa",
            "assess() from a DataFrame",
            statistics.median(runs),
            "s",
            f"{setting}; median of {repeats}, min {min(runs):.3f} s",
            *at_most(TARGET_S, statistics.median(runs)),
        )
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "caa.csv"
        data.to_csv(path, index=False)
        runs = []
        for _ in range(max(1, repeats // 2)):
            t0 = time.perf_counter()
            assess(read_long_table(path), catalogue, file=str(path))
            runs.append(time.perf_counter() - t0)
    out.append(Figure("caa", "read CSV + assess()", statistics.median(runs), "s", f"median of {len(runs)}"))
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        assess(data, catalogue, operating_characteristics=False)
        runs.append(time.perf_counter() - t0)
    out.append(
        Figure(
            "caa",
            "assess() without operating characteristics",
            statistics.median(runs),
            "s",
            f"median of {repeats}; the default simulates 10,000 assessments per plan and lot numbers",
        )
    )
    return out


def timing(repeats: int, as_json: bool = False) -> None:
    figs = figures(repeats)
    if not as_json:
        print(machine())
    emit(figs, as_json)


def seed_study(n_seeds: int) -> None:
    """How often the example flags exactly its two different attributes under the default plan."""
    import yaml

    from bioparity.caa.example import DIFFERENT, LOTS, SEED, catalogue_yaml, generate_example

    catalogue = Catalogue.from_mapping(yaml.safe_load(catalogue_yaml()))
    exact = both = 0
    chance: list[int] = []
    for seed in range(20250909, 20250909 + n_seeds):
        data = generate_example(seed)
        found, clean, worst = True, True, 0
        for region in (None, "ema"):  # both bridge directions
            table = assess(data, catalogue, region=region, operating_characteristics=False).table
            different = table[table["attribute"].isin(DIFFERENT)]
            found &= bool(((different["test_source"] == "test") == (different["status"] == "fail")).all())
            spurious = int(((table["status"] == "fail") & ~table["attribute"].isin(DIFFERENT)).sum())
            worst = max(worst, spurious)
            clean &= spurious == 0
        chance.append(worst)
        both += found
        exact += found and clean
    print(f"seeds 20250909..{20250909 + n_seeds - 1}, lots {LOTS} (shipped example: seed {SEED})")
    print(f"both different attributes fail both test comparisons, bridges hold: {both}/{n_seeds}")
    print(f"no chance failure in either bridge direction: {exact}/{n_seeds}")
    print(f"chance failures per data set (max over directions): median {statistics.median(chance)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seeds", type=int, default=0, help="run the example's seed study instead")
    parser.add_argument("--quick", action="store_true", help="3 repetitions")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON (for run_all.py)")
    args = parser.parse_args()
    if args.seeds:
        seed_study(args.seeds)
    else:
        timing(3 if args.quick else args.repeats, args.json)


if __name__ == "__main__":
    main()
