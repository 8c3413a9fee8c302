"""Loading the demo program into a workspace store (idempotent), through the workspace services.

Two partner organisations: the developer (Meridian Biosimilars) owns the IgG1 mAb program MB-201 and shares
it at role ``analyst`` with its CMC partner (Castor CMC Services), scoped to comparative analytical
assessment studies (the partner reads the PK study but cannot write to it); a second program (MB-305) is not
shared. The evidence chain is real: the synthetic concentrations are uploaded and checked, NCA runs on them,
its PP table is stored as a dataset (provenance: the NCA run) and PK similarity runs on it; the shipped CAA
data set is assessed; a power calculation plans the study. Each approved result is signed in the order the
signing rules require (:mod:`bioparity.workspace.signatures`), by independent people: the person who ran it
as author (Sam the PK similarity, Paula the CAA), the reviewer Rita as reviewed, the owner Olivia as
approved (reports and readiness use approved results).

The demo passwords are printed and documented: they are for a local demonstration only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bioparity.caa.example import example_paths
from bioparity.demo.synthetic import pk_concentrations, power_grid
from bioparity.store import make_sessionmaker
from bioparity.store.models import AnalysisRun, Dataset, Organisation, Program, Study
from bioparity.workspace import accounts, analyses, datasets, programs, signatures
from bioparity.workspace.access import Actor, require_run
from bioparity.workspace.integrity import upgrade
from bioparity.workspace.roles import Meaning

DEVELOPER = "Meridian Biosimilars"
PARTNER = "Castor CMC Services"
PROGRAM = "MB-201 (IgG1 mAb)"
UNSHARED_PROGRAM = "MB-305 (confidential)"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    password: str
    organisation: str
    role: str
    does: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        "olivia",
        "Olivia Owner",
        "demo-olivia-2026",
        DEVELOPER,
        "owner",
        "manages members, shares programs, runs the validation, approves reviewed results",
    ),
    DemoUser(
        "sam",
        "Sam Statistician",
        "demo-sam-2026",
        DEVELOPER,
        "statistician",
        "uploads, analyses, signs what he ran as author; reviews and approves others' runs",
    ),
    DemoUser(
        "ana", "Ana Analyst", "demo-ana-2026", DEVELOPER, "analyst", "uploads, analyses, signs as author"
    ),
    DemoUser(
        "rita",
        "Rita Reviewer",
        "demo-rita-2026",
        DEVELOPER,
        "reviewer",
        "reads, reviews results; approves results someone else reviewed",
    ),
    DemoUser("carl", "Carl CMC", "demo-carl-2026", PARTNER, "owner", "owns the partner organisation"),
    DemoUser(
        "paula",
        "Paula Partner",
        "demo-paula-2026",
        PARTNER,
        "analyst",
        "partner analyst: uploads CAA data to the shared program, signs her run as author",
    ),
    DemoUser(
        "victor",
        "Victor Viewer",
        "demo-victor-2026",
        PARTNER,
        "viewer",
        "partner viewer: sees the shared program, cannot sign",
    ),
)


@dataclass(frozen=True)
class DemoProgram:
    """A program of the developer, in the keywords of ``programs.create_program``."""

    name: str
    inn: str
    reference_product: str
    modality: str
    target_regions: tuple[str, ...]
    description: str


#: The program shared with the partner (the evidence chain of the demo), then a confidential one.
DEMO_PROGRAMS = (
    DemoProgram(
        PROGRAM,
        "meridumab (proposed biosimilar)",
        "Refmab (EU-authorised and US-licensed)",
        "monoclonal antibody (IgG1)",
        ("EU", "US"),
        "Synthetic demonstration program: IgG1 mAb biosimilar candidate with EU and US reference product, "
        "three-arm PK similarity study, comparative analytical assessment.",
    ),
    DemoProgram(
        UNSHARED_PROGRAM,
        "second candidate (confidential)",
        "Otherept",
        "fusion protein",
        ("EU",),
        "Not shared with partners.",
    ),
)

Progress = Callable[[str], None]


@dataclass
class DemoSummary:
    already_loaded: bool
    program_id: str = ""
    runs: dict[str, str] = field(default_factory=dict)


def _actor(session: Session, username: str) -> Actor:
    return Actor.of(accounts.get_user_by_name(session, username))


def _upload_table(
    session: Session, actor: Actor, study_id: str, name: str, filename: str, table: pd.DataFrame, kind: str
) -> Dataset:
    """Upload a generated table as the CSV file ``filename`` (LF line ends) validated for ``kind``."""
    content = table.to_csv(index=False, lineterminator="\n").encode()
    return datasets.upload_dataset(
        session, actor, study_id, name=name, filename=filename, content=content, analysis_kind=kind
    )


def _password(username: str) -> str:
    return next(u.password for u in DEMO_USERS if u.username == username)


#: Who signs an approved result after its author, in order: the reviewer reviews, the owner approves.
_REVIEW_AND_APPROVAL = (("rita", Meaning.reviewed), ("olivia", Meaning.approved))


def _review_and_approve(session: Session, run_id: str) -> None:
    """Rita reviews and Olivia approves run ``run_id``, each step only when the signing rules allow it
    now (nothing is signed twice; a demo loaded before these rules keeps what it has)."""
    for username, how in _REVIEW_AND_APPROVAL:
        actor = _actor(session, username)
        run, _study, program = require_run(session, actor, run_id)
        statuses = signatures.run_signatures(session, run)
        if signatures.signing_refusal(session, actor, run, program, how, statuses) is None:
            signatures.sign_run(
                session, actor, run.id, username=username, password=_password(username), meaning=how.value
            )


def _approve_loaded_demo(session: Session, program_id: str) -> None:
    """A demo loaded by an earlier version may have no approval that holds (none at all, or one made
    without a review before the signing rules): the latest PK similarity and CAA results are reviewed and
    approved once (audited like any signature)."""
    independent = session.get_one(Program, program_id).segregation_of_duties is not False
    for kind in ("pk-similarity", "caa"):
        run = session.scalar(
            select(AnalysisRun)
            .join(Study, Study.id == AnalysisRun.study_id)
            .where(
                Study.program_id == program_id, AnalysisRun.kind == kind, AnalysisRun.status == "succeeded"
            )
            .order_by(AnalysisRun.created_at.desc(), AnalysisRun.id.desc())
        )
        if run is None:
            continue
        statuses = signatures.run_signatures(session, run)
        if not signatures.approval_holds(statuses, creator=run.created_by, independent=independent):
            _review_and_approve(session, run.id)


def load_demo(engine: Engine, *, progress: Progress | None = None) -> DemoSummary:
    """Create the demo organisations, users, programs, data and analyses unless already there."""
    step = progress or (lambda _message: None)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        existing = session.scalar(
            select(Program.id)
            .join(Organisation)
            .where(Organisation.name == DEVELOPER, Program.name == PROGRAM)
        )
        if existing is not None:
            _approve_loaded_demo(session, existing)
            return DemoSummary(already_loaded=True, program_id=existing)
        step("organisations and users")
        orgs = {name: accounts.create_org(session, name) for name in (DEVELOPER, PARTNER)}
        for u in DEMO_USERS:
            accounts.create_user(session, u.username, u.password, display_name=u.display_name)
            accounts.add_member_as_admin(session, orgs[u.organisation].name, u.username, u.role)
        owner, stat = _actor(session, "olivia"), _actor(session, "sam")
        step("programs and sharing")
        shared, unshared = DEMO_PROGRAMS
        program = programs.create_program(session, owner, orgs[DEVELOPER].id, **asdict(shared))
        # The CMC partner works in the analytical studies only: it reads PK-101 but cannot write to it.
        why = "CMC comparability partner: uploads and analyses the CAA lots (demo)"
        programs.share_program(
            session, owner, program.id, orgs[PARTNER].id, "analyst", scope=["caa"], reason=why
        )
        # Sharing is an invitation: the partner's owner accepts it (as a partner would in the browser).
        programs.respond_share(session, _actor(session, "carl"), orgs[PARTNER].id, program.id, accept=True)
        programs.create_program(session, owner, orgs[DEVELOPER].id, **asdict(unshared))
        pk = programs.create_study(
            session,
            stat,
            program.id,
            name="PK-101",
            kind="pk",
            description="Single-dose three-arm parallel PK similarity study, healthy volunteers, 150 mg SC.",
        )
        caa = programs.create_study(
            session,
            stat,
            program.id,
            name="CAA-01",
            kind="caa",
            description="Comparative analytical assessment: biosimilar vs EU and US reference lots.",
        )
    runs: dict[str, str] = {}
    with sessions.begin() as session:
        stat = _actor(session, "sam")
        step("power calculation")
        grid = _upload_table(
            session, stat, pk.id, "planning-grid", "planning-grid.csv", power_grid(), "power"
        )
        runs["power"] = analyses.run_analysis(session, stat, grid.id, "power", {}).id
    with sessions.begin() as session:
        stat = _actor(session, "sam")
        step("PK concentrations (201 subjects) and NCA")
        conc = _upload_table(
            session, stat, pk.id, "concentrations", "pk101-concentrations.csv", pk_concentrations(), "nca"
        )
        units = {"conc_unit": "ug/mL", "time_unit": "h", "dose_unit": "mg"}  # see demo.synthetic
        nca_run = analyses.run_analysis(session, stat, conc.id, "nca", units)
        runs["nca"] = nca_run.id
    with sessions.begin() as session:
        stat = _actor(session, "sam")
        step("PK similarity")
        pp = datasets.derive_dataset(session, stat, runs["nca"], name="pp", analysis_kind="pk-similarity")
        sim = analyses.run_analysis(session, stat, pp.id, "pk-similarity", {"variance": "welch"})
        runs["pk-similarity"] = sim.id
        signatures.sign_run(
            session, stat, sim.id, username="sam", password=_password("sam"), meaning="authored"
        )
    with sessions.begin() as session:
        partner = _actor(session, "paula")
        step("comparative analytical assessment")
        caa_csv = example_paths()[0].read_bytes()
        lots = datasets.upload_dataset(
            session,
            partner,
            caa.id,
            name="caa-lots",
            filename="igg1_mab_caa.csv",
            content=caa_csv,
            analysis_kind="caa",
        )
        runs["caa"] = analyses.run_analysis(
            session, partner, lots.id, "caa", {"catalogue": "igg1-mab-example"}
        ).id
        # The partner analyst ran it, so she signs it as its author (only the one who ran it may).
        signatures.sign_run(
            session, partner, runs["caa"], username="paula", password=_password("paula"), meaning="authored"
        )
    with sessions.begin() as session:
        # Reports and readiness use approved results only: reviewed by someone who neither ran nor
        # authored the result, then approved by a third person (segregation of duties, four eyes).
        step("review and approval")
        for kind in ("pk-similarity", "caa"):
            _review_and_approve(session, runs[kind])
    return DemoSummary(already_loaded=False, program_id=program.id, runs=runs)
