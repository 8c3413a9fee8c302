"""A large NCA run for the benchmarks: the demo's PK study with ``subjects`` subjects and two analytes.

The demo's synthetic concentrations (:func:`bioparity.demo.pk_concentrations`, three arms, 21 samples)
of ``subjects`` subjects, once as the parent drug and once as a metabolite (30% of the parent's
concentrations), uploaded to the demo's PK-101 study and analysed by the web workspace's ``nca`` kind:
``2 * subjects`` profiles, 23 parameters each (a large PK study with two analytes).

Run: ``.venv/bin/python bench/_big_nca.py DB [subjects]`` (DB: a SQLite store the demo was loaded into;
prints the run's ID).
"""

from __future__ import annotations

import sys

import pandas as pd

#: Subjects of the large run (three arms): 2 x 1,002 = 2,004 profiles.
SUBJECTS = 1002
#: The units of the demo's concentrations (``bioparity.demo.synthetic``), as the demo's NCA run has them.
UNITS = {"conc_unit": "ug/mL", "time_unit": "h", "dose_unit": "mg"}


def concentrations(subjects: int = SUBJECTS) -> pd.DataFrame:
    """The long table of ``subjects`` subjects (a multiple of three) and two analytes."""
    from bioparity.demo import pk_concentrations

    parent = pk_concentrations(per_arm=subjects // 3).assign(analyte="parent")
    metabolite = parent.assign(analyte="metabolite")
    numbers = pd.to_numeric(metabolite["conc"], errors="coerce")
    metabolite["conc"] = metabolite["conc"].where(
        numbers.isna() | (numbers == 0), (numbers * 0.3).map("{:.4f}".format)
    )
    return pd.concat([parent, metabolite], ignore_index=True)


def add_run(db: str, subjects: int = SUBJECTS) -> str:
    """Upload the concentrations to the demo's PK-101 study in the store ``db``, run NCA, its run ID."""
    from sqlalchemy import select

    from bioparity.store import make_engine, make_sessionmaker
    from bioparity.store.models import Study
    from bioparity.workspace import accounts, analyses, datasets
    from bioparity.workspace.access import Actor

    content = concentrations(subjects).to_csv(index=False, lineterminator="\n").encode()
    with make_sessionmaker(make_engine(f"sqlite:///{db}")).begin() as session:
        study = session.scalars(select(Study).where(Study.name == "PK-101")).first()
        assert study is not None, "the demo's PK-101 study is not in the store"
        sam = Actor.of(accounts.get_user_by_name(session, "sam"))
        name, filename = f"pk-{subjects}-subjects", f"pk-{subjects}-subjects.csv"
        dataset = datasets.upload_dataset(
            session, sam, study.id, name=name, filename=filename, content=content, analysis_kind="nca"
        )
        run = analyses.run_analysis(session, sam, dataset.id, "nca", UNITS)  # the demo's units
        assert run.status == "succeeded", run.error
        run_id: str = run.id
    return run_id


if __name__ == "__main__":
    print(add_run(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else SUBJECTS))
