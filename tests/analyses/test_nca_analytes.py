"""Summary statistics of a file with two analytes (an antibody-drug conjugate: total antibody TAB and the
conjugated ADC) per arm *and* analyte (:func:`bioparity.analyses.nca.nca_tables`, the concentration-time
figure, the statistics per dosing interval): two rows per arm, never one row mixing the analytes.

The expected numbers are computed here from the concentrations themselves with pandas and NumPy: Cmax is
the largest observed concentration of a profile, AUClast with ``auc_method="linear"`` the trapezoidal rule
over the samples (``np.trapezoid``), and the geometric mean ``exp(mean(log x))`` over the profiles of an
arm and analyte (Kirkwood, Biometrics 35:908-909, 1979).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bioparity.analyses.nca import (
    STATISTICS_KEY,
    nca_flags,
    nca_kind,
    nca_tables,
    read_concentrations,
    sample_profiles,
)
from bioparity.analyses.tables import Table
from bioparity.i18n import use_language
from bioparity.i18n.printing import listing

TIMES = (0.0, 1.0, 2.0, 4.0, 8.0, 12.0, 24.0)
ANALYTES = {"TAB": 1.0, "ADC": 0.35}  # the ADC a fraction of total antibody, deconjugating faster
STATS_TITLE = "Summary statistics per arm and parameter (PPSTRESN by PPTESTCD)"


def _concentrations(times: tuple[float, ...] = TIMES, doses: tuple[float, ...] = (0.0,)) -> pd.DataFrame:
    """Two arms of four subjects, both analytes per subject: an oral one-compartment profile
    C(t) = sum over the doses d <= t of A (exp(-ke (t - d)) - exp(-ka (t - d))), with subject-specific A
    and ke (rounded to 4 decimals)."""
    rows = []
    for arm, shift in (("R", 1.0), ("T", 1.2)):
        for i in range(4):
            subject = f"{arm}{i + 1}"
            for analyte, scale in ANALYTES.items():
                ke = 0.08 * (1 + 0.15 * i) * (1.6 if analyte == "ADC" else 1.0)
                for t in times:
                    conc = sum(
                        50.0
                        * shift
                        * scale
                        * (1 + 0.2 * i)
                        * (math.exp(-ke * (t - d)) - math.exp(-1.1 * (t - d)))
                        for d in doses
                        if t >= d
                    )
                    rows.append((subject, arm, analyte, t, round(conc, 4)))
    return pd.DataFrame(rows, columns=["subject", "arm", "analyte", "time", "conc"])


def _geometric_means(per_profile: pd.Series, levels: list[str]) -> dict[tuple[str, ...], float]:
    """exp(mean(log x)) of the values of each combination of the index ``levels``."""
    logs = pd.Series(np.log(per_profile.to_numpy(dtype=float)), index=per_profile.index)
    means = logs.groupby(level=levels).mean().reset_index()
    return {
        tuple(str(k) for k in row[:-1]): math.exp(float(row[-1])) for row in means.itertuples(index=False)
    }


def _expected(samples: pd.DataFrame) -> dict[str, dict[tuple[str, ...], float]]:
    """Geometric means of Cmax and AUClast (linear trapezoidal) per arm and analyte, from the samples."""
    profiles = samples.groupby(["arm", "analyte", "subject"])
    auc = pd.Series({key: float(np.trapezoid(g["conc"], g["time"])) for key, g in profiles})
    auc.index.names = ["arm", "analyte", "subject"]
    return {
        "CMAX": _geometric_means(profiles["conc"].max(), ["arm", "analyte"]),
        "AUCLST": _geometric_means(auc, ["arm", "analyte"]),
    }


@pytest.fixture(scope="module")
def csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("analytes") / "adc.csv"
    _concentrations().to_csv(path, index=False)
    return path


def _numbers(rows: pd.DataFrame, keys: list[str], column: str) -> dict[tuple[str, ...], float]:
    """The printed numbers of ``column`` by the values of ``keys``."""
    picked = rows[[*keys, column]].itertuples(index=False)
    return {tuple(str(k) for k in row[:-1]): float(row[-1]) for row in picked}


def _table(tables: tuple[Table, ...], title: str) -> pd.DataFrame:
    found = next(t for t in tables if t.title == title)
    return pd.DataFrame(list(found.rows), columns=list(found.columns))


def test_two_analytes_give_two_rows_per_arm_with_their_own_geometric_means(csv: Path) -> None:
    result = nca_kind(read_concentrations(csv), {"auc_method": "linear"})
    frame = pd.DataFrame(result["rows"], columns=result["columns"])
    stats = _table(nca_tables(frame, {"auc_method": "linear"}).main, STATS_TITLE)
    assert list(stats.columns[:3]) == ["arm", "analyte", "parameter (unit)"]
    expected = _expected(_concentrations())
    for code in ("CMAX", "AUCLST"):
        rows = stats[stats["parameter (unit)"] == code]
        assert (rows["n"] == "4").all()
        shown = _numbers(rows, ["arm", "analyte"], "geometric mean")
        assert list(shown) == [("R", "ADC"), ("R", "TAB"), ("T", "ADC"), ("T", "TAB")]
        assert shown == pytest.approx(expected[code], rel=5e-5), code
    # the two analytes differ by a factor of about 3: a pooled mean would match neither
    assert expected["CMAX"][("T", "TAB")] / expected["CMAX"][("T", "ADC")] > 2.5


def test_per_subject_tables_and_the_figure_keep_the_analytes_apart(csv: Path) -> None:
    frame = read_concentrations(csv)
    result = nca_kind(frame, {})
    table = pd.DataFrame(result["rows"], columns=result["columns"])
    appendix = nca_tables(table, {}).appendix
    exposure = next(t for t in appendix if t.title.startswith("Exposure"))
    assert exposure.columns[:3] == ("arm", "analyte", "subject")
    cmax = pd.DataFrame(list(exposure.rows), columns=list(exposure.columns)).set_index(["analyte", "subject"])
    observed = _concentrations().groupby(["analyte", "subject"])["conc"].max().reset_index()
    assert len(cmax) == len(observed) == 16
    for analyte, subject, value in observed.itertuples(index=False):
        # printed to 5 significant digits, as the summary statistics (bioparity.analyses.nca.SIGNIFICANT)
        assert float(cmax.loc[(analyte, subject), "CMAX"]) == pytest.approx(value, rel=5e-5)
    plot = sample_profiles(frame, {})
    assert plot is not None
    means = _concentrations().groupby(["arm", "analyte", "time"])["conc"].mean()
    assert sorted(line.name for line in plot.lines) == ["R / ADC", "R / TAB", "T / ADC", "T / TAB"]
    for line in plot.lines:
        arm, analyte = line.name.split(" / ")
        assert line.x == list(TIMES)
        assert line.y == pytest.approx([means[(arm, analyte, t)] for t in TIMES], rel=1e-9)
    assert plot.n_subjects["T / ADC"] == 4


def test_multiple_dose_statistics_per_arm_analyte_and_dose(tmp_path: Path) -> None:
    """Two doses 12 h apart (tau 12): Cmax of dose 2 is the largest concentration in [12, 24] of each
    profile, its geometric mean per arm and analyte computed from the samples."""
    times = (*TIMES[:-2], *(12.0 + t for t in TIMES[:-1]))  # 0 ... 12, 13 ... 24
    samples = _concentrations(times, doses=(0.0, 12.0))
    path, doses = tmp_path / "md.csv", tmp_path / "doses.csv"
    samples.to_csv(path, index=False)
    pd.DataFrame(
        [(s, t, 100.0) for s in samples["subject"].unique() for t in (0.0, 12.0)],
        columns=["subject", "time", "dose"],
    ).to_csv(doses, index=False)
    options = {"dosing": str(doses), "tau": 12.0}
    result = nca_kind(read_concentrations(path), options)
    stats = pd.DataFrame(result[STATISTICS_KEY]["rows"], columns=result[STATISTICS_KEY]["columns"])
    assert list(stats.columns[:4]) == ["arm", "analyte", "dose_number", "parameter"]
    cmax = stats[(stats["parameter"] == "CMAX") & (stats["dose_number"] == 2)]
    in_tau = samples[samples["time"] >= 12.0].groupby(["arm", "analyte", "subject"])["conc"].max()
    expected = _geometric_means(in_tau, ["arm", "analyte"])
    assert len(expected) == 4
    assert _numbers(cmax, ["arm", "analyte"], "geometric_mean") == pytest.approx(expected, rel=1e-12)
    frame = pd.DataFrame(result["rows"], columns=result["columns"])
    steady = next(t for t in nca_tables(frame, options).main if t.title.startswith("Steady state"))
    rows = pd.DataFrame(list(steady.rows), columns=list(steady.columns))
    shown = _numbers(rows[rows["parameter (unit)"] == "CMAX"], ["arm", "analyte"], "geometric mean")
    assert shown == pytest.approx(expected, rel=5e-5)


def test_usubjid_as_the_subject_column_gives_the_flag_tables(csv: Path) -> None:
    """A result written with ``bioparity nca --subject USUBJID`` (a plain file with a USUBJID column): the
    review flags are counted per subject as with a column named ``subject``."""
    result = nca_kind(read_concentrations(csv), {"max_aucpext": 1.0})
    frame = pd.DataFrame(result["rows"], columns=result["columns"])
    renamed = frame.rename(columns={"subject": "USUBJID"})
    title = "Review flags: subjects with the flag per arm"
    with_subject = _table(nca_tables(frame, {"max_aucpext": 1.0}).main, title)
    with_usubjid = _table(nca_tables(renamed, {"max_aucpext": 1.0}).main, title)
    assert with_usubjid.equals(with_subject)
    flagged = with_subject.set_index(["arm", "flag"])["subjects flagged"]
    assert (flagged != "0").any()
    assert nca_flags(renamed, {"max_aucpext": 1.0}) == nca_flags(frame, {"max_aucpext": 1.0})
    assert any(n > 0 for _name, n in nca_flags(renamed, {"max_aucpext": 1.0}))


def test_an_sdtm_pc_domain_with_two_pctestcd_is_summarised_per_analyte(tmp_path: Path) -> None:
    """The same concentrations as an SDTM PC domain (USUBJID, PCTESTCD, PCELTM, PCSTRESN): statistics per
    PCTESTCD (no arm in PC: all subjects), per-subject values of both analytes (one was dropped before)."""
    samples = _concentrations()
    pc = pd.DataFrame(
        {
            "STUDYID": "ADC-1",
            "DOMAIN": "PC",
            "USUBJID": samples["subject"],
            "PCTESTCD": samples["analyte"],
            "PCSPEC": "SERUM",
            "PCELTM": [f"PT{t:g}H" for t in samples["time"]],
            "PCSTRESN": samples["conc"],
            "PCSTRESU": "ug/mL",
        }
    )
    path = tmp_path / "pc.csv"
    pc.to_csv(path, index=False)
    result = nca_kind(read_concentrations(path), {"auc_method": "linear"})
    frame = pd.DataFrame(result["rows"], columns=result["columns"])
    tables = nca_tables(frame, {"auc_method": "linear"})
    stats = _table(tables.main, STATS_TITLE)
    assert list(stats.columns[:3]) == ["group", "PCTESTCD", "parameter (unit)"]
    cmax = _numbers(stats[stats["parameter (unit)"] == "CMAX (ug/mL)"], ["PCTESTCD"], "geometric mean")
    per_profile = samples.groupby(["analyte", "subject"])["conc"].max()
    expected = _geometric_means(per_profile, ["analyte"])
    assert list(cmax) == [("ADC",), ("TAB",)]
    assert cmax == pytest.approx(expected, rel=5e-5)
    exposure = next(t for t in tables.appendix if t.title.startswith("Exposure"))
    assert exposure.columns[:2] == ("PCTESTCD", "subject")  # STUDYID and PCSPEC: one value, not printed
    assert len(exposure.rows) == 16


def test_review_flags_are_counted_per_arm_and_analyte(csv: Path) -> None:
    """Flags of the two analytes' profiles apart: each row's count is the subjects of that arm and
    analyte whose profile has the flag, counted here from the PP table itself (pooled, every subject of
    an arm would count as flagged, since every TAB profile is)."""
    result = nca_kind(read_concentrations(csv), {"max_aucpext": 4.0})
    frame = pd.DataFrame(result["rows"], columns=result["columns"])
    flags = _table(
        nca_tables(frame, {"max_aucpext": 4.0}).main, "Review flags: subjects with the flag per arm"
    )
    assert list(flags.columns[:3]) == ["arm", "analyte", "flag"]
    high = flags[flags["flag"] == "AUC extrapolated beyond Tlast above 4%"]
    on = frame[frame["flag_aucpeo_high"].astype(bool)].groupby(["arm", "analyte"])["subject"].nunique()
    expected = {(str(a), str(b)): float(on.get((a, b), 0)) for a in ("R", "T") for b in ("ADC", "TAB")}
    assert _numbers(high, ["arm", "analyte"], "subjects flagged") == expected
    assert set(high["subjects"]) == {"4"}
    # the ADC is eliminated faster: AUC%extrap above 4% for the first subject of each arm only (5.4%)
    assert expected == {("R", "ADC"): 1, ("R", "TAB"): 4, ("T", "ADC"): 1, ("T", "TAB"): 4}


def _crossover() -> pd.DataFrame:
    """A 2x2 crossover of the same profiles: subjects R1..R4 and T1..T4 of :func:`_concentrations` become
    subjects 1-4 given R in period 1 and T in period 2 (sequence RT) or, for 3 and 4, the other way (TR);
    each subject keeps both analytes."""
    parallel = _concentrations()
    number = parallel["subject"].str[1].astype(int)
    sequence = np.where(number <= 2, "RT", "TR")
    first = np.where(number <= 2, "R", "T")
    return parallel.assign(
        subject=number,
        treatment=parallel["arm"],
        period=np.where(parallel["arm"] == first, 1, 2),
        sequence=sequence,
    ).drop(columns="arm")


def test_a_crossover_is_summarised_per_treatment_and_analyte_not_per_period(tmp_path: Path) -> None:
    """Each subject has one profile per treatment and analyte: the descriptive statistics are per treatment
    (EMA CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.8) and analyte, over all four subjects, not split into
    two periods or sequences of two subjects each."""
    path = tmp_path / "crossover.csv"
    _crossover().to_csv(path, index=False)
    result = nca_kind(read_concentrations(path), {"auc_method": "linear"})
    frame = pd.DataFrame(result["rows"], columns=result["columns"])
    stats = _table(nca_tables(frame, {"auc_method": "linear"}).main, STATS_TITLE)
    assert list(stats.columns[:3]) == ["treatment", "analyte", "parameter (unit)"]
    rows = stats[stats["parameter (unit)"] == "CMAX"]
    assert (rows["n"] == "4").all()
    # the same concentrations as the parallel file: the same geometric means per treatment and analyte
    expected = _expected(_concentrations())["CMAX"]
    assert _numbers(rows, ["treatment", "analyte"], "geometric mean") == pytest.approx(expected, rel=5e-5)
    figure = sample_profiles(read_concentrations(path), {})
    assert figure is not None
    assert sorted(line.name for line in figure.lines) == ["R / ADC", "R / TAB", "T / ADC", "T / TAB"]


def test_two_profiles_of_one_treatment_per_subject_are_split_by_period(tmp_path: Path) -> None:
    """The same treatment twice per subject (e.g. two visits): pooling would count each subject twice, so
    the statistics are per period as well (n = 4 per period, not 8)."""
    path = tmp_path / "repeated.csv"
    _crossover().assign(treatment="T").to_csv(path, index=False)
    result = nca_kind(read_concentrations(path), {"auc_method": "linear"})
    frame = pd.DataFrame(result["rows"], columns=result["columns"])
    stats = _table(nca_tables(frame, {"auc_method": "linear"}).main, STATS_TITLE)
    assert list(stats.columns[:4]) == ["treatment", "period", "analyte", "parameter (unit)"]
    assert (stats.loc[stats["parameter (unit)"] == "CMAX", "n"] == "4").all()


def test_a_chinese_report_heads_the_analyte_column_in_chinese(csv: Path) -> None:
    """zh-more finding 3: a zh-CN report headed its per-subject listings, its flag tables and the summary
    statistics' second column "analyte" (no words in ``LABELS``; the statistics translated only the arm),
    and its note said "同时按 analyte 分行"."""
    result = nca_kind(read_concentrations(csv), {"auc_method": "linear"})
    frame = pd.DataFrame(result["rows"], columns=result["columns"])
    with use_language("zh-CN"):
        tables = nca_tables(frame, {"auc_method": "linear"})
    heads = {h for t in (*tables.main, *tables.appendix) for h in t.columns}
    assert "分析物" in heads and "analyte" not in heads
    stats = next(t for t in tables.main if t.columns[:2] == ("组别", "分析物"))
    assert "分析物" in stats.note and "analyte" not in stats.note
    exposure = next(t for t in tables.appendix if t.columns[:3] == ("组别", "分析物", "受试者"))
    assert listing(exposure.columns, exposure.rows)[0].split()[:3] == ["组别", "分析物", "受试者"]
    english = nca_tables(frame, {"auc_method": "linear"})
    assert next(t for t in english.main if t.title == STATS_TITLE).columns[:2] == ("arm", "analyte")
