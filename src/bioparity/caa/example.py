"""A synthetic but realistic CAA data set: 25 quality attributes of an IgG1 monoclonal antibody.

15 lots of the proposed biosimilar (``test``), 25 EU-sourced and 20 US-sourced reference lots
(``ref-eu``, ``ref-us``). Attribute means and lot-to-lot SDs are typical of an IgG1 mAb; bioassays
are measured in triplicate (analytical replicates, averaged per lot by the assessment) and one
replicate is missing on purpose. Two attributes are deliberately different in the test product:

* ``afucosylated_glycans`` (tier 1, quality range k = 2.5): test mean +3 SD (a real ADCC risk);
* ``acidic_charge_variants`` (tier 2, quality range): test mean +4 SD.

Every other attribute has a test shift of at most 0.25 lot-to-lot SD and the two references share
their true means (the analytical bridge holds). The shipped files in ``bioparity/caa/data/`` are
produced by this module with its fixed seed::

    python -m bioparity.caa.example src/bioparity/caa/data
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

#: The first seed from 20250909 (the date of the FDA's final CAA guidance) whose data set shows no
#: chance failure under the default plan (qr-2025) in both bridge directions (no region, and EMA).
#: Similar attributes do fail by chance, mostly at the spread check (s_T/s_R <= 1.5 fails about 5-8%
#: of similar comparisons with 10-25 lots: see the operating characteristics in the results). With 20
#: formal attributes x 3 comparisons, 10 test / 15 EU / 12 US lots (the example until the default plan
#: changed) gave a clean data set in none of the 100 seeds 20250909-20251008 (median 4-5 chance
#: failures); with 15 / 25 / 20 lots, in 5 of the 100 (``python bench/caa.py --seeds 100``). Lot
#: numbers were raised to 15 / 25 / 20 for that reason: realistic for a filing (reference lots bought
#: over years in both regions), above the plan's minimum of 10 per source.
SEED = 20250913
LOTS = {"test": 15, "ref-eu": 25, "ref-us": 20}
DATA_FILE = "igg1_mab_caa.csv"
CATALOGUE_FILE = "igg1_mab_attributes.yaml"
DIFFERENT = ("afucosylated_glycans", "acidic_charge_variants")


@dataclass(frozen=True)
class SyntheticAttribute:
    """Truth used to simulate one attribute (SDs are lot-to-lot; ``assay_sd`` is within-lot)."""

    name: str
    unit: str
    tier: int
    direction: str
    mean: float
    sd: float
    test_shift_sd: float = 0.0
    test_sd_ratio: float = 1.0
    replicates: int = 1
    assay_sd: float = 0.0
    decimals: int = 2
    description: str = ""


# name | unit | tier | direction | mean | lot SD | test shift (SDs) | test SD ratio | replicates | assay SD |
# decimals | description. Tier 1: MoA-related, equivalence test; tier 2: quality range; tier 3: descriptive.
_TABLE = """
relative_potency_cdc|%|1|two-sided|100|4.0|0.15|1.0|3|5.0|1|complement-dependent cytotoxicity bioassay
target_binding_elisa|%|1|two-sided|100|3.5|-0.20|0.9|3|4.0|1|antigen binding ELISA
adcc_activity|%|1|two-sided|100|6.0|0.10|1.1|3|7.0|1|ADCC reporter-gene assay
fcgriiia_binding_spr|%|1|two-sided|100|5.0|0.20|0.9|3|4.0|1|FcgRIIIa (V158) binding by SPR
afucosylated_glycans|%|1|two-sided|8.0|0.6|3.0|1.0|1|0.0|2|afucosylated N-glycans (HILIC-FLD); drives ADCC
monomer_sec|%|2|lower-is-worse|99.2|0.12|0.10|0.9|1|0.0|2|SEC-HPLC main peak
hmw_species_sec|%|2|higher-is-worse|0.65|0.09|-0.20|0.9|1|0.0|2|aggregates by SEC-HPLC
lmw_species_ce_sds|%|2|higher-is-worse|1.1|0.15|0.10|1.0|1|0.0|2|fragments by non-reduced CE-SDS
acidic_charge_variants|%|2|two-sided|22.0|1.2|4.0|1.0|1|0.0|1|icIEF acidic region
main_charge_variant|%|2|two-sided|64.0|1.6|-0.15|1.0|1|0.0|1|icIEF main peak
basic_charge_variants|%|2|two-sided|14.0|1.1|0.20|0.9|1|0.0|1|icIEF basic region
g0f_glycan|%|2|two-sided|40.0|2.4|0.15|1.0|1|0.0|1|HILIC-FLD
g1f_glycan|%|2|two-sided|34.0|1.9|-0.10|1.0|1|0.0|1|HILIC-FLD
g2f_glycan|%|2|two-sided|7.5|0.8|0.10|1.0|1|0.0|2|HILIC-FLD
high_mannose_man5|%|2|two-sided|2.4|0.35|0.25|1.0|1|0.0|2|HILIC-FLD
sialylated_glycans|%|2|two-sided|1.6|0.25|-0.10|1.0|1|0.0|2|HILIC-FLD
c1q_binding|%|2|two-sided|100|7.0|-0.15|1.0|3|6.0|1|C1q binding ELISA
fcrn_binding_spr|%|2|two-sided|100|5.5|0.10|1.0|3|5.0|1|FcRn binding by SPR
protein_content|mg/mL|2|two-sided|10.0|0.15|0.10|1.0|1|0.0|2|UV A280
reduced_ce_sds_purity|%|2|lower-is-worse|98.6|0.25|0.05|1.0|1|0.0|2|reduced CE-SDS, heavy + light chain
intact_mass_g0f_g0f|Da|3|two-sided|148056.0|1.5|0.0|1.0|1|0.0|1|deconvoluted intact mass, major glycoform
deamidation_hc_n387|%|3|two-sided|2.1|0.30|0.20|1.0|1|0.0|2|peptide mapping
oxidation_hc_m255|%|3|two-sided|3.2|0.40|-0.10|1.0|1|0.0|2|peptide mapping
free_thiol|mol/mol|3|higher-is-worse|0.06|0.012|0.10|1.0|1|0.0|3|Ellman's assay
c_terminal_lysine|%|3|two-sided|6.0|1.4|0.20|1.0|1|0.0|1|icIEF after carboxypeptidase B
"""


def _parse_table(text: str) -> tuple[SyntheticAttribute, ...]:
    out = []
    for line in text.strip().splitlines():
        f = line.split("|")
        out.append(
            SyntheticAttribute(
                f[0], f[1], int(f[2]), f[3], float(f[4]), float(f[5]), float(f[6]), float(f[7]),
                int(f[8]), float(f[9]), int(f[10]), f[11],
            )
        )  # fmt: skip
    return tuple(out)


ATTRIBUTES = _parse_table(_TABLE)

#: The attributes' names as reports print them (the catalogue's ``label``): acronyms, glycoform and
#: receptor names as a CMC reviewer writes them (FcγRIIIa, G0F, Man5, HC N387), the assay in brackets
#: where it is part of the name.
LABELS = {
    "relative_potency_cdc": "Relative potency (CDC)",
    "target_binding_elisa": "Target binding (ELISA)",
    "adcc_activity": "ADCC activity",
    "fcgriiia_binding_spr": "FcγRIIIa binding (SPR)",
    "afucosylated_glycans": "Afucosylated glycans",
    "monomer_sec": "Monomer (SEC)",
    "hmw_species_sec": "HMW species (SEC)",
    "lmw_species_ce_sds": "LMW species (CE-SDS)",
    "acidic_charge_variants": "Acidic charge variants",
    "main_charge_variant": "Main charge variant",
    "basic_charge_variants": "Basic charge variants",
    "g0f_glycan": "G0F glycan",
    "g1f_glycan": "G1F glycan",
    "g2f_glycan": "G2F glycan",
    "high_mannose_man5": "High mannose (Man5)",
    "sialylated_glycans": "Sialylated glycans",
    "c1q_binding": "C1q binding",
    "fcrn_binding_spr": "FcRn binding (SPR)",
    "protein_content": "Protein content",
    "reduced_ce_sds_purity": "Purity (reduced CE-SDS)",
    "intact_mass_g0f_g0f": "Intact mass (G0F/G0F)",
    "deamidation_hc_n387": "Deamidation HC N387",
    "oxidation_hc_m255": "Oxidation HC M255",
    "free_thiol": "Free thiol",
    "c_terminal_lysine": "C-terminal lysine",
}


def _lot_dates(rng: np.random.Generator, n: int, start: date, span_days: int) -> list[str]:
    days = np.sort(rng.integers(0, span_days, size=n))
    return [(start + timedelta(days=int(d))).isoformat() for d in days]


def generate_example(seed: int = SEED) -> pd.DataFrame:
    """The long table (``attribute, source, lot, replicate, value, unit, tier, date, method``)."""
    rng = np.random.default_rng(seed)
    lot_ids = {
        "test": [f"BS-{24001 + i}" for i in range(LOTS["test"])],
        "ref-eu": [f"EU-{'ABCDEFGHJKLMNPQRSTUVWXYZ'[i % 24]}{7101 + 37 * i}" for i in range(LOTS["ref-eu"])],
        "ref-us": [f"US-{3301 + 53 * i}" for i in range(LOTS["ref-us"])],
    }
    dates = {
        "test": _lot_dates(rng, LOTS["test"], date(2024, 2, 1), 540),
        "ref-eu": _lot_dates(rng, LOTS["ref-eu"], date(2021, 6, 1), 1400),
        "ref-us": _lot_dates(rng, LOTS["ref-us"], date(2021, 9, 1), 1350),
    }
    records = []
    for attr in ATTRIBUTES:
        for source, n in LOTS.items():
            is_test = source == "test"
            mean = attr.mean + (attr.test_shift_sd * attr.sd if is_test else 0.0)
            sd = attr.sd * (attr.test_sd_ratio if is_test else 1.0)
            lot_means = rng.normal(mean, sd, size=n)
            for i, lot_mean in enumerate(lot_means):
                values = lot_mean + rng.normal(0.0, attr.assay_sd, size=attr.replicates)
                for rep, value in enumerate(values, start=1):
                    records.append(
                        {
                            "attribute": attr.name,
                            "source": source,
                            "lot": lot_ids[source][i],
                            "replicate": rep,
                            "value": round(float(value), attr.decimals),
                            "unit": attr.unit,
                            "tier": attr.tier,
                            "date": dates[source][i],
                            "method": attr.description,
                        }
                    )
    frame = pd.DataFrame.from_records(records)
    # One replicate lost (an invalid assay run): a missing value the assessment must report, not hide.
    lost = (frame["attribute"] == "relative_potency_cdc") & (frame["lot"] == lot_ids["ref-us"][4])
    frame.loc[lost & (frame["replicate"] == 2), "value"] = np.nan
    return frame


def catalogue_yaml() -> str:
    """The attribute catalogue of the example, as YAML text."""
    lines = [
        "# Attribute catalogue of the synthetic IgG1 mAb CAA example (bioparity.caa.example).",
        "# Plan qr-2025 (the default): quality range mean_R +/- k SD_R with >= 90% of test lots inside,",
        "# k = 2.5 for tier 1 (with the equivalence test of means, margin 1.5 SD_R, as a sensitivity",
        "# analysis) and k = 3 for tier 2; spread check SD_T/SD_R <= 1.5; >= 10 lots per source;",
        "# tier 3 -> descriptive. 'plan: tiered-2017' gives the old tiers (tier 1 equivalence test).",
        "plan: qr-2025",
        "defaults:",
        "  min_fraction: 0.9",
        "attributes:",
    ]
    for a in ATTRIBUTES:
        lines += [
            f"  {a.name}:",
            f'    label: "{LABELS[a.name]}"',
            f"    tier: {a.tier}",
            f'    unit: "{a.unit}"',
            f"    direction: {a.direction}",
            f'    description: "{a.description}"',
        ]
    return "\n".join(lines) + "\n"


def write_example(folder: str | Path, seed: int = SEED) -> tuple[Path, Path]:
    """Write the data CSV and the catalogue YAML into ``folder``; returns their paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    data_path, cat_path = out / DATA_FILE, out / CATALOGUE_FILE
    generate_example(seed).to_csv(data_path, index=False, lineterminator="\n")
    cat_path.write_text(catalogue_yaml(), encoding="utf-8")
    return data_path, cat_path


def example_paths() -> tuple[Path, Path]:
    """Paths of the shipped example data CSV and catalogue YAML."""
    root = resources.files("bioparity.caa") / "data"
    return Path(str(root / DATA_FILE)), Path(str(root / CATALOGUE_FILE))


if __name__ == "__main__":  # pragma: no cover
    target = sys.argv[1] if len(sys.argv) > 1 else "."
    for path in write_example(target):
        print(f"wrote {path}")
