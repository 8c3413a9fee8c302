"""Workspace administration and the server: ``bioparity db upgrade``, ``user create``, ``user unlock``,
``user deactivate`` / ``reactivate``, ``user reset-password``, ``user status``, ``org create``,
``audit verify``, ``audit anchor``, ``audit export`` and ``serve``.

Every command uses ``--database-url`` when given, else ``BIOPARITY_DATABASE_URL``, else the SQLite file
in the user's data folder. Administrative changes are recorded in the audit trail as made by ``system``
(with the operating-system account and host) and need a ``--reason``, kept in the audit row (EU GMP
Annex 11 section 9; section 12.3 for ``user create`` and ``org create``: creating an access authorisation
is recorded, and the reason says on whose request).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bioparity.cli.common import user_errors
from bioparity.cli.options import DatabaseUrl
from bioparity.errors import BioparityError
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop, ngettext

if TYPE_CHECKING:  # the database stack is imported only by the commands that use it
    from collections.abc import Callable

    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    #: What an account command does: ``change(session, username, reason)`` -> the message it prints.
    AccountChange = Callable[[Session, str, str], str]

EXIT_AUDIT_BROKEN = 1
#: Seconds a server worker may take to import the application before uvicorn replaces it.
WORKER_HEALTHCHECK_SECONDS = 120

Username = Annotated[
    str, typer.Argument(metavar="USER", help=gettext_noop("Login name, e.g. an e-mail address."))
]
PasswordStdin = Annotated[
    bool, typer.Option(help=gettext_noop("Read the password from the first line of stdin."))
]
Role = Annotated[
    str, typer.Option(help=gettext_noop("Role in --org: owner, statistician, analyst, reviewer, viewer."))
]
#: The account an administrator acts on (user reset-password, user status).
Account = Annotated[str, typer.Argument(metavar="USER", help=gettext_noop("The account."))]
#: Why an administrator changes an account (EU GMP Annex 11 section 9), kept in the audit row.
Reason = Annotated[
    str,
    typer.Option(
        help=gettext_noop(
            "Why (required; 1 to 500 characters), kept in the audit trail, e.g. 'ticket 123: locked out'."
        )
    ),
]
Anchor = Annotated[
    Path | None,
    typer.Option(
        envvar="BIOPARITY_AUDIT_ANCHOR",
        help=gettext_noop(
            "Anchor file written by `audit anchor`: also check the trail extends every anchored head."
        ),
    ),
]
AnchorTo = Annotated[
    Path,
    typer.Option(
        envvar="BIOPARITY_AUDIT_ANCHOR",
        help=gettext_noop("Append-only file (e.g. on WORM storage) to append the signed chain head to."),
    ),
]
SecureCookies = Annotated[
    bool | None,
    typer.Option(
        "--secure-cookies/--no-secure-cookies",
        help=gettext_noop(
            "Mark cookies Secure (HTTPS only). Default: yes unless listening on a loopback address."
        ),
    ),
]

app = typer.Typer()
db_app = typer.Typer(help=gettext_noop("The workspace database."), no_args_is_help=True)
user_app = typer.Typer(help=gettext_noop("Workspace user accounts."), no_args_is_help=True)
org_app = typer.Typer(help=gettext_noop("Organisations of the workspace."), no_args_is_help=True)
audit_app = typer.Typer(help=gettext_noop("The audit trail."), no_args_is_help=True)


class DatabaseNotReadyError(BioparityError):
    """The database has not been created or migrated to this version of bioparity."""


def _engine(url: str | None) -> Engine:
    from bioparity.store import make_engine

    return make_engine(url)


def _ready_engine(url: str | None) -> Engine:
    from bioparity.store import current_revision, head_revision

    engine = _engine(url)
    if current_revision(engine) != head_revision():
        raise DatabaseNotReadyError(
            f"database {engine.url.render_as_string(hide_password=True)} is not at the current schema "
            f"(found {current_revision(engine) or 'no schema'}, need {head_revision()}): "
            "run `bioparity db upgrade` first"
        )
    return engine


def _read_password(from_stdin: bool) -> str:
    """The password: a line of stdin, or asked twice on the terminal until both agree, in the command's
    language (Click's own confirmation prompt and mismatch message are English literals)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    suffix = _(": ")  # the prompt's colon (full-width in Chinese)
    while True:
        password: str = typer.prompt(_("Password"), hide_input=True, prompt_suffix=suffix)
        if typer.prompt(_("Repeat for confirmation"), hide_input=True, prompt_suffix=suffix) == password:
            return password
        typer.echo(_("Error: The two entered values do not match."))  # as Click says it


@db_app.command(
    "upgrade",
    help=gettext_noop(
        "Create the workspace tables or migrate them to this version (safe to repeat).\n\n"
        "Also seals the workspace with the audit key: the key file is created (mode 0600) when there is "
        "none and the trail was never keyed; back it up, the trail cannot be verified without it."
    ),
)
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    from bioparity.audit.keys import key_path
    from bioparity.workspace.integrity import upgrade

    with user_errors():
        engine = _engine(database_url)
        path = key_path()
        existed = path is None or path.exists()
        revision = upgrade(engine)
        where = engine.url.render_as_string(hide_password=True)
        typer.echo(
            _("%(database)s: schema at revision %(revision)s") % {"database": where, "revision": revision}
        )
        if path is None:
            typer.echo(_("audit key: from $BIOPARITY_AUDIT_KEY"))
        elif existed:
            typer.echo(_("audit key: %(path)s") % {"path": path})
        else:
            typer.echo(
                _(
                    "audit key: created %(path)s (mode 0600); back it up now and keep it apart from the "
                    "database backups: without it the audit trail cannot be verified"
                )
                % {"path": path}
            )


@user_app.command(
    "create",
    help=gettext_noop(
        "Create a user account (the password is asked twice, or read from stdin), for the reason given."
    ),
)
def user_create(
    username: Username,
    reason: Reason,
    display_name: Annotated[
        str, typer.Option(help=gettext_noop("Printed name shown on signatures (default: username)."))
    ] = "",
    org: Annotated[
        str | None, typer.Option(help=gettext_noop("Also make the user a member of this organisation."))
    ] = None,
    role: Role = "viewer",
    password_stdin: PasswordStdin = False,
    database_url: DatabaseUrl = None,
) -> None:
    from bioparity.store import make_sessionmaker
    from bioparity.workspace import accounts
    from bioparity.workspace.text import reason_text

    with user_errors():
        engine = _ready_engine(database_url)
        reason = reason_text(reason)  # refused before the password is asked for
        password = _read_password(password_stdin)
        with make_sessionmaker(engine).begin() as session:
            admin = accounts.command_line_actor()
            user = accounts.create_user(
                session, username, password, display_name=display_name, actor=admin, reason=reason
            )
            if org is not None:
                accounts.add_member_as_admin(session, org, username, role, actor=admin, reason=reason)
        typer.echo(
            _("created user %(user)s (%(id)s)") % {"user": user.username, "id": user.id}
            + (_(", %(role)s of %(org)s") % {"role": role, "org": org} if org else "")
        )


def _admin(database_url: str | None, change: Callable[[Session], str]) -> None:
    """Run ``change`` in one transaction on a migrated database and print what it returns."""
    from bioparity.store import make_sessionmaker

    with user_errors():
        engine = _ready_engine(database_url)
        with make_sessionmaker(engine).begin() as session:
            message = change(session)
        typer.echo(message)


def _account_command(
    name: str, help_: str, account_help: str, *, changes: bool = True
) -> Callable[[AccountChange], AccountChange]:
    """Register ``change(session, username, reason)`` as ``bioparity user NAME USERNAME --reason TEXT
    [--database-url]`` (no ``--reason`` when the command ``changes`` nothing).

    Parameters
    ----------
    name : str
        The subcommand of ``bioparity user``.
    help_ : str
        Its help (marked with ``gettext_noop``: translated when the help page is printed).
    account_help : str
        Help of the ``USERNAME`` argument.
    changes : bool
        False for a command that only reads the account: it takes no ``--reason``.

    Returns
    -------
    Callable
        A decorator: the command runs ``change`` through :func:`_admin` (one transaction on a migrated
        database, its message printed) and is documented by ``help_``; ``change`` is returned
        as it is.
    """

    def register(change: AccountChange) -> AccountChange:
        def command(username: str, reason: str, database_url: str | None = None) -> None:
            _admin(database_url, lambda session: change(session, username, reason))

        def read_only(username: str, database_url: str | None = None) -> None:
            _admin(database_url, lambda session: change(session, username, ""))

        chosen: Callable[..., None] = command if changes else read_only
        chosen.__annotations__ = {
            "username": Annotated[str, typer.Argument(metavar="USER", help=account_help)],
            **({"reason": Reason} if changes else {}),
            "database_url": DatabaseUrl,
            "return": None,
        }
        user_app.command(name, help=help_)(chosen)
        return change

    return register


@_account_command(
    "unlock",
    gettext_noop(
        "Lift the lock (and the backoff) after too many failed password attempts (audited with the reason)."
    ),
    gettext_noop("The locked account."),
)
def user_unlock(session: Session, username: str, reason: str) -> str:
    from bioparity.workspace import accounts

    was = accounts.unlock_account(session, username, reason=reason, actor=accounts.command_line_actor())
    if was:
        return _("unlocked %(user)s") % {"user": username}
    return _("%(user)s was not locked; failure count reset") % {"user": username}


@_account_command(
    "deactivate",
    gettext_noop(
        "Disable an account: it cannot sign in, and every session and API token is revoked at once."
    ),
    gettext_noop("The account to disable."),
)
def user_deactivate(session: Session, username: str, reason: str) -> str:
    from bioparity.workspace import accounts

    admin = accounts.command_line_actor()
    revoked = accounts.set_active(session, username, False, reason=reason, actor=admin)
    revoked_text = ngettext(
        "deactivated %(user)s; %(n)s session or token revoked",
        "deactivated %(user)s; %(n)s sessions and tokens revoked",
        revoked,
    )
    return revoked_text % {"user": username, "n": revoked}


@_account_command(
    "reactivate",
    gettext_noop("Enable a deactivated account (its old sessions and tokens stay revoked)."),
    gettext_noop("The account to enable again."),
)
def user_reactivate(session: Session, username: str, reason: str) -> str:
    from bioparity.workspace import accounts

    accounts.set_active(session, username, True, reason=reason, actor=accounts.command_line_actor())
    return _("reactivated %(user)s") % {"user": username}


@user_app.command(
    "reset-password",
    help=gettext_noop(
        "Set a temporary password the user must change at the next sign-in.\n\n"
        "Revokes the account's sessions and tokens and lifts a lock."
    ),
)
def user_reset_password(
    username: Account,
    reason: Reason,
    password_stdin: Annotated[
        bool, typer.Option(help=gettext_noop("Read the temporary password from stdin."))
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    from bioparity.workspace import accounts

    password = _read_password(password_stdin)

    def change(session: Session) -> str:
        admin = accounts.command_line_actor()
        accounts.admin_reset_password(session, username, password, reason=reason, actor=admin)
        return _("password of %(user)s reset; it must be changed at the next sign-in") % {"user": username}

    _admin(database_url, change)


@_account_command(
    "status",
    gettext_noop("Active, locked, failed attempts, forced password change, live sessions and tokens."),
    gettext_noop("The account."),
    changes=False,
)
def user_status(session: Session, username: str, reason: str) -> str:
    from bioparity.workspace import accounts

    return ", ".join(f"{k}: {v}" for k, v in accounts.account_status(session, username).items())


@org_app.command(
    "create",
    help=gettext_noop("Create an organisation, optionally with its first owner, for the reason given."),
)
def org_create(
    name: Annotated[str, typer.Argument(metavar="NAME", help=gettext_noop("Organisation name (unique)."))],
    reason: Reason,
    owner: Annotated[str | None, typer.Option(help=gettext_noop("User name of its first owner."))] = None,
    database_url: DatabaseUrl = None,
) -> None:
    from bioparity.store import make_sessionmaker
    from bioparity.workspace import accounts

    with user_errors():
        engine = _ready_engine(database_url)
        with make_sessionmaker(engine).begin() as session:
            user = None if owner is None else accounts.get_user_by_name(session, owner)
            admin = accounts.command_line_actor()
            created = accounts.create_org(session, name, owner=user, actor=admin, reason=reason)
        typer.echo(
            _("created organisation %(name)s (%(id)s)") % {"name": created.name, "id": created.id}
            + (_(", owner %(owner)s") % {"owner": owner} if owner else "")
        )


@audit_app.command(
    "verify",
    help=gettext_noop(
        "Check the keyed audit chain and cross-check datasets, runs, signatures (and anchors) against it.\n\n"
        "Exit 1 naming each edited, deleted, inserted or invented row or object."
    ),
)
def audit_verify(database_url: DatabaseUrl = None, anchor: Anchor = None) -> None:
    from bioparity.workspace.integrity import verify_workspace

    with user_errors():
        report = verify_workspace(_ready_engine(database_url), anchor=anchor)
    typer.echo(report.message(), err=not report.intact)
    if not report.intact:
        raise typer.Exit(EXIT_AUDIT_BROKEN)


@audit_app.command(
    "anchor",
    help=gettext_noop(
        "Verify the workspace, then append its signed chain head (row, hash, MAC, time) to --to."
    ),
)
def audit_anchor(to: AnchorTo, database_url: DatabaseUrl = None) -> None:
    from bioparity.audit import utc_timestamp
    from bioparity.audit.anchor import anchor_record, append_anchor
    from bioparity.audit.keys import load_key
    from bioparity.workspace.integrity import verify_workspace

    with user_errors():
        engine = _ready_engine(database_url)
        key = load_key()
        report = verify_workspace(engine, key, anchor=to if to.exists() else None)
        if not report.intact:
            typer.echo(report.message(), err=True)
            typer.echo(_("not anchored: %(path)s left unchanged") % {"path": to}, err=True)
            raise typer.Exit(EXIT_AUDIT_BROKEN)
        chain = report.chain
        assert chain.last_mac is not None
        record = anchor_record(
            key, seq=chain.rows_checked, row_hash=chain.last_hash, mac=chain.last_mac,
            anchored_at=utc_timestamp(), database=engine.url.render_as_string(hide_password=True),
        )  # fmt: skip
        append_anchor(to, record)
    typer.echo(
        _("anchored audit row %(row)s (MAC %(mac)s) to %(path)s")
        % {"row": chain.rows_checked, "mac": chain.last_mac[:16], "path": to}
    )


#: The columns of ``audit export``: every stored field of an audit row (before/after as their JSON text).
TRAIL_COLUMNS = (
    "seq", "at", "actor", "actor_id", "org_id", "program_id", "action", "object_type", "object_id",
    "before_json", "after_json", "prev_hash", "row_hash", "mac",
)  # fmt: skip


@audit_app.command(
    "export",
    help=gettext_noop(
        "Administrator: the whole audit trail as CSV, with the account events no page shows to everyone.\n\n"
        "Every organisation's and program's rows and the account events (sign-ins, failed and refused "
        "sign-ins, locks, unlocks, password changes and resets, deactivations, sign-outs; 21 CFR "
        "11.300(d)). Check it with `audit verify`. The export is recorded in the trail (an `export` row: "
        "the operating-system account and host that ran it, the file's path, format and SHA-256; EU GMP "
        "Annex 11 §9)."
    ),
)
def audit_export(
    out: Annotated[Path, typer.Option(help=gettext_noop("CSV file to write (replaced if it exists)."))],
    since: Annotated[
        str | None, typer.Option(help=gettext_noop("Only rows from the start of this day (YYYY-MM-DD, UTC)."))
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    from datetime import date

    import pandas as pd

    from bioparity.errors import InputError
    from bioparity.io.tables_out import csv_bytes
    from bioparity.store import make_sessionmaker
    from bioparity.workspace.security_events import trail_rows

    with user_errors():
        try:
            day = None if since is None else date.fromisoformat(since)
        except ValueError:
            raise InputError(
                _("--since must be a date YYYY-MM-DD, got %(value)r") % {"value": since}
            ) from None
        sessions = make_sessionmaker(_ready_engine(database_url))
        with sessions() as session:
            rows = trail_rows(session, day)
            frame = pd.DataFrame(
                [[getattr(row, name) for name in TRAIL_COLUMNS] for row in rows], columns=list(TRAIL_COLUMNS)
            )
        _write_recorded_export(sessions, out, csv_bytes(frame), {} if since is None else {"since": since})
    typer.echo(
        ngettext("wrote %(n)d audit row to %(path)s", "wrote %(n)d audit rows to %(path)s", len(rows))
        % {"n": len(rows), "path": out}
    )


def _write_recorded_export(
    sessions: sessionmaker[Session], out: Path, content: bytes, filters: dict[str, str]
) -> None:
    """Write the exported trail to ``out`` and record the export in the trail in one transaction (EU GMP
    Annex 11 §9): who (the command line's actor, as for the account commands: the operating-system
    account and host; the command line has no signed-in user), the file's absolute path, format and
    SHA-256. The row is written first and the file in its transaction: a file that cannot be written
    leaves no row; a row that cannot be committed removes the file."""
    from bioparity.errors import InputError
    from bioparity.workspace import accounts
    from bioparity.workspace.events import record_export

    written = False
    try:
        with sessions.begin() as session:
            record_export(
                session, accounts.command_line_actor(), None, "audit_trail", None,
                name=str(out.absolute()), fmt="csv", content=content, filters=filters,
            )  # fmt: skip
            try:
                out.write_bytes(content)
            except OSError as exc:
                raise InputError(
                    _("cannot write %(path)s: %(problem)s") % {"path": out, "problem": exc.strerror}
                ) from None
            written = True
    except Exception:
        if written:
            out.unlink(missing_ok=True)
        raise


@app.command(
    "serve",
    help=gettext_noop("Run the workspace API server (migrates the database first). OpenAPI docs at /docs."),
)
def serve(
    host: Annotated[str, typer.Option(help=gettext_noop("Address to listen on."))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=gettext_noop("TCP port."))] = 8000,
    database_url: DatabaseUrl = None,
    secure_cookies: SecureCookies = None,
    workers: Annotated[
        int, typer.Option(min=1, help=gettext_noop("Server processes (uvicorn workers); one per core."))
    ] = 1,
    access_log: Annotated[
        bool, typer.Option(help=gettext_noop("Log every request (uvicorn access log)."))
    ] = True,
) -> None:
    import uvicorn

    if workers == 1:
        from bioparity.server import create_app, settle_heap

        with user_errors():
            api = create_app(database_url, secure_cookies=secure_cookies)  # migrates first
        settle_heap()
        uvicorn.run(api, host=host, port=port, log_level="info", access_log=access_log)
        return
    _serve_workers(database_url, secure_cookies)
    uvicorn.run(
        "bioparity.server:create_app_from_environment", factory=True, host=host, port=port, workers=workers,
        log_level="info", access_log=access_log,
        # A worker imports the application before it answers the supervisor's health check; on a
        # loaded machine that can take longer than uvicorn's 5 s default, and a worker killed for it
        # is replaced by one that is just as slow.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )  # fmt: skip


def _serve_workers(database_url: str | None, secure_cookies: bool | None) -> None:
    """Prepare several server processes: they need an import string and find the database and cookie
    setting in the environment. The schema is migrated here, once, before any worker starts (they skip
    that step); this process does not import the application, so the workers start sooner."""
    import os

    from bioparity.api.settings import MIGRATED_ENV, SECURE_COOKIES_ENV
    from bioparity.store import make_engine
    from bioparity.workspace.integrity import upgrade

    with user_errors():
        upgrade(make_engine(database_url))
    if database_url:
        os.environ["BIOPARITY_DATABASE_URL"] = database_url
    os.environ[SECURE_COOKIES_ENV] = "" if secure_cookies is None else ("1" if secure_cookies else "0")
    os.environ[MIGRATED_ENV] = "1"


app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(org_app, name="org")
app.add_typer(audit_app, name="audit")
