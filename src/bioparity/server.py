"""The FastAPI application factory of the workspace server: the JSON API and the browser pages on one app.

The composition root of the HTTP front ends: it mounts the API (:mod:`bioparity.api`) and, unless told not
to, the browser workspace (:mod:`bioparity.web`), which builds on the API's request plumbing. Neither of
those packages imports this module.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from sqlalchemy import Engine

from bioparity import __version__
from bioparity.api import routes_accounts, routes_data, routes_programs
from bioparity.api.docs import install_docs
from bioparity.api.errors import install_error_handlers
from bioparity.api.middleware import HardeningMiddleware
from bioparity.api.schemas import HealthOut
from bioparity.api.settings import MIGRATED_ENV, SECURE_COOKIES_ENV
from bioparity.store import current_revision, make_engine, make_sessionmaker
from bioparity.store.engine import read_sessionmaker
from bioparity.workspace.accounts import POLICY_KEY, AccountPolicy
from bioparity.workspace.integrity import upgrade
from bioparity.workspace.runner import JobRunner
from bioparity.workspace.worker_lifetime import exit_with_parent

if TYPE_CHECKING:
    from bioparity.workspace.executors import ComputeExecutor

#: Seconds a server process of ``bioparity serve --workers N`` whose supervisor has ended gets to shut down
#: in order (requests under way finish, held jobs are failed) before it is ended.
ORPHANED_SERVER_GRACE_SECONDS = 30.0


def create_app(
    database_url: str | None = None,
    *,
    engine: Engine | None = None,
    run_migrations: bool = True,
    secure_cookies: bool | None = None,
    web: bool = True,
    account_policy: AccountPolicy | None = None,
    executor: ComputeExecutor | None = None,
) -> FastAPI:
    """Build the API on ``engine`` (or on ``database_url`` / ``BIOPARITY_DATABASE_URL`` / the default file).

    Migrations are applied first unless ``run_migrations`` is False. ``secure_cookies`` marks cookies
    Secure (True), never (False), or, by default (None), unless the server listens on a loopback address.
    Every request passes :class:`~bioparity.api.middleware.HardeningMiddleware` (body limits, Origin
    check, security headers, HEAD).
    ``web`` adds the browser workspace under ``/ui`` (:mod:`bioparity.web`).
    ``account_policy`` sets throttling, lockout, idle timeout and token lifetimes (default: the
    ``BIOPARITY_*`` environment variables of :meth:`AccountPolicy.from_environment`).
    ``executor`` computes the analyses requested through the API and the pages, in the background
    (default: :func:`bioparity.workspace.executors.executor_from_environment`, worker processes or the
    Dask cluster of ``BIOPARITY_DASK_SCHEDULER``); the app's job runner is ``app.state.jobs``.
    """
    from bioparity.workspace.datasets import clean_stale_upload_folders
    from bioparity.workspace.executors import executor_from_environment

    policy = account_policy if account_policy is not None else AccountPolicy.from_environment()
    engine = engine if engine is not None else make_engine(database_url)
    if run_migrations:
        upgrade(engine)
    clean_stale_upload_folders()  # left by a server killed while parsing an upload (kill -9)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.jobs.start()  # fails the jobs of a server that stopped, then keeps this one's alive
        yield
        app.state.jobs.close()

    app = FastAPI(
        title="bioparity workspace",
        version=__version__,
        description=(
            "Programs, studies, datasets, analyses and signatures shared between partner organisations. "
            "Every change is in a hash-chained audit trail. Objects you may not see answer 404."
        ),
        docs_url=None,  # served from the installed package by install_docs (no CDN)
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.secure_cookies = secure_cookies
    app.state.account_policy = policy
    install_error_handlers(app)
    install_docs(app)
    app.add_middleware(HardeningMiddleware)
    if web:  # the pages first: a page view then finds its route without trying every API route first
        from bioparity.web import install_web  # only when wanted: the pages import the reports

        install_web(app)
        app.state.web_read_sessions.configure(info={POLICY_KEY: policy})
    app.include_router(routes_accounts.router)
    app.include_router(routes_programs.router)
    app.include_router(routes_data.router)
    app.state.sessionmaker.configure(info={POLICY_KEY: policy})
    reads = read_sessionmaker(engine)
    reads.configure(info={POLICY_KEY: policy})
    app.state.jobs = JobRunner(
        app.state.sessionmaker, reads, executor if executor is not None else executor_from_environment()
    )

    @app.get("/health", tags=["server"])
    def health() -> HealthOut:
        """Liveness and the database schema revision (no authentication)."""
        return HealthOut(status="ok", schema_revision=current_revision(engine))

    return app


def secure_cookies_from_environment() -> bool | None:
    """``BIOPARITY_SECURE_COOKIES``: 1/true/yes -> always Secure, 0/false/no -> never, unset -> automatic."""
    import os

    value = os.environ.get(SECURE_COOKIES_ENV, "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    return None


def settle_heap() -> None:
    """After a server process has built its app: collect once, then move every object alive now (modules,
    routes, compiled templates) out of the garbage collector's sight (``gc.freeze``), so that the
    collections that page views trigger scan only what requests allocate. For server processes only (a
    frozen object is never freed)."""
    import gc

    gc.collect()
    gc.freeze()


def create_app_from_environment() -> FastAPI:
    """The app for a server process started by import string (``bioparity serve --workers N``):
    database from ``BIOPARITY_DATABASE_URL``, cookies per ``BIOPARITY_SECURE_COOKIES``; migrations are
    skipped when the parent process already ran them (``BIOPARITY_SERVE_MIGRATED``). The process shuts
    down when uvicorn's supervisor ends, even killed, instead of serving on without it
    (:func:`~bioparity.workspace.worker_lifetime.exit_with_parent`, :data:`ORPHANED_SERVER_GRACE_SECONDS`)."""
    import os

    exit_with_parent(ORPHANED_SERVER_GRACE_SECONDS)
    app = create_app(
        secure_cookies=secure_cookies_from_environment(),
        run_migrations=os.environ.get(MIGRATED_ENV) != "1",
    )
    settle_heap()
    return app
