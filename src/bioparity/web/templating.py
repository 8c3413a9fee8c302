"""The Jinja2 environment of the pages: filters for numbers, times and hashes, translation (Jinja2's i18n
extension in the request's language, see :mod:`bioparity.web.language`), and the error page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from bioparity import __version__
from bioparity.analyses.format import column_map_text, fmt_time, fmt_value, result_text, utc_second
from bioparity.analyses.registry import kind_words
from bioparity.analyses.terms import input_name, labelled
from bioparity.errors import BioparityError, DataFileError, RuleFileError
from bioparity.i18n import LANGUAGE_NAMES, LANGUAGES, gettext_noop, install_jinja
from bioparity.i18n import gettext as _
from bioparity.i18n import gettext as translate
from bioparity.i18n.notes import note_text
from bioparity.pathways import STATUS_WORDS
from bioparity.report.tables import table_html
from bioparity.store.models import Membership
from bioparity.web.csrf import csrf_field, set_csrf_cookie
from bioparity.workspace.access import Actor
from bioparity.workspace.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from bioparity.workspace.events import action_words, object_words
from bioparity.workspace.roles import Role, scope_words, study_kind_words

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# The templates ship with the package: compiled once (see compile_templates), never checked again for
# changes on disk (Jinja2 would stat every template and its parents on each page view).
TEMPLATES.env.auto_reload = False


def compile_templates() -> None:
    """Compile every page template now (at start-up) rather than on the first page view of each."""
    for name in TEMPLATES.env.list_templates(extensions=["html"]):
        TEMPLATES.env.get_template(name)


class ScriptJSON(Markup):
    """JSON text made safe by :func:`to_json` for a ``<script type="application/json">`` element."""


def to_json(value: Any) -> ScriptJSON:
    """JSON safe to embed in a ``<script type="application/json">`` element (``value`` as it is when it is
    such JSON already: e.g. a page's memoised figure)."""
    if isinstance(value, ScriptJSON):
        return value
    text = json.dumps(value, separators=(",", ":"), allow_nan=False)
    return ScriptJSON(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


TEMPLATES.env.filters["value"] = fmt_value
TEMPLATES.env.filters["time"] = fmt_time
TEMPLATES.env.filters["time_second"] = utc_second  # a signature's time, as the reports print it
TEMPLATES.env.filters["tojson_script"] = to_json
TEMPLATES.env.filters["short"] = lambda h: (h or "")[:12]
TEMPLATES.env.filters["table_html"] = table_html
# a result without a table (bioequivalence) in words: each key labelled, lists and records readable
TEMPLATES.env.filters["labelled"] = labelled
TEMPLATES.env.filters["result_text"] = result_text
TEMPLATES.env.filters["note"] = note_text  # a stored note in the reader's language
TEMPLATES.env.globals["version"] = __version__
TEMPLATES.env.globals["product"] = "bioparity"  # a name: the same in every language

#: Stored codes shown on the pages (roles, statuses, signature meanings, study kinds, readiness). The code
#: stays what is stored, submitted by the forms and exported; only its label on a page is translated. The
#: readiness statuses are the pathway engine's words, marked there (:data:`bioparity.pathways.STATUS_WORDS`).
LABELS = frozenset(
    {
        gettext_noop("owner"),
        gettext_noop("statistician"),
        gettext_noop("analyst"),
        gettext_noop("reviewer"),
        gettext_noop("viewer"),
        gettext_noop("authored"),
        gettext_noop("reviewed"),
        gettext_noop("approved"),
        gettext_noop("draft"),
        gettext_noop("succeeded"),
        gettext_noop("failed"),
        gettext_noop("queued"),
        gettext_noop("running"),
        gettext_noop("done"),
        gettext_noop("pending"),
        gettext_noop("accepted"),
        gettext_noop("declined"),
        gettext_noop("withdrawn"),
        gettext_noop("pk"),
        gettext_noop("caa"),
        gettext_noop("clinical"),
        gettext_noop("streamlined"),
        gettext_noop("traditional"),
        *STATUS_WORDS,
    }
)


def label(code: Any) -> str:
    """The label of a stored code in the page's language (``{{ role | label }}``); other text unchanged.

    Examples
    --------
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     label("reviewer"), label("MB-201")
    ('审核人', 'MB-201')
    """
    text = "" if code is None else str(code)
    return _(text) if text in LABELS else text


TEMPLATES.env.filters["label"] = label
TEMPLATES.env.filters["kind_words"] = kind_words
TEMPLATES.env.filters["share_scope"] = scope_words  # a share's scope in words
TEMPLATES.env.filters["audit_action"] = action_words  # a stored audit action code in words (by its context)
TEMPLATES.env.filters["audit_object"] = object_words  # a stored audit object type in words (its context)
TEMPLATES.env.filters["study_kind"] = study_kind_words
# Texts defined elsewhere and marked there (an analysis kind's title, description and option help):
# translated when shown (tests/i18n/test_kind_texts.py keeps every kind's texts in the catalogue).
TEMPLATES.env.filters["translate"] = translate
TEMPLATES.env.filters["column_map_text"] = column_map_text
TEMPLATES.env.filters["input_name"] = input_name  # a run's input in words (as the reports)
TEMPLATES.env.globals["languages"] = [(tag, LANGUAGE_NAMES[tag]) for tag in LANGUAGES]
install_jinja(TEMPLATES.env)


@pass_context
def _csrf_field(context: Context) -> Markup:
    """``{{ csrf_field() }}``: the hidden token field every ``<form method="post">`` must contain."""
    return csrf_field(context["request"])


TEMPLATES.env.globals["csrf_field"] = _csrf_field


#: The user's roles in their organisations (every page's menu asks): built once (see
#: :mod:`bioparity.store.lookup`).
_ROLES = select(Membership.role).where(Membership.user_id == bindparam("user_id"))


def menu(request: Request, actor: Actor | None) -> list[tuple[str, str]]:
    """The main menu entries the signed-in user can use: the validation run only for organisation owners,
    organisations only for members of one (everyone else would find an empty or refusing page)."""
    if actor is None:
        return []
    from bioparity.web.session import read_unit, signed_in_roles

    roles = signed_in_roles(request, actor)
    if roles is None:
        try:
            with read_unit(request) as session:  # the roles only (no organisation objects to load)
                roles = frozenset(session.scalars(_ROLES, {"user_id": actor.user_id}))
        except SQLAlchemyError:  # an error page about the database must still render: the basic entries
            roles = frozenset()
    entries = [(_("Programs"), "/ui/programs"), (_("Market scan"), "/ui/market")]
    if roles:
        entries.append((_("Organisations"), "/ui/orgs"))
    if Role.owner.value in roles:
        entries.append((_("Validation"), "/ui/admin/validation"))
    return [*entries, (_("Account"), "/ui/account")]


def program_crumbs(program: Any, *more: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    """The breadcrumbs of a page inside a program: the program list, the program's dashboard, ``more``."""
    return [(_("Programs"), "/ui/programs"), (program.name, f"/ui/programs/{program.id}"), *more]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("actor", getattr(request.state, "actor", None))
    if "menu" not in context:  # a page may read it in its own unit of work, before rendering outside it
        context["menu"] = menu(request, context["actor"])
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
    set_csrf_cookie(request, response)
    return response


_STATUS: list[tuple[type[BioparityError], int, str]] = [
    (NotFoundError, 404, gettext_noop("Not found")),
    (PermissionDeniedError, 403, gettext_noop("Not allowed")),
    (AuthenticationError, 401, gettext_noop("Not signed in")),
    (ConflictError, 409, gettext_noop("Conflict")),
    (BioparityError, 422, gettext_noop("Invalid input")),
]


def error_text(exc: Exception) -> str:
    """An error as a page shows it, in the page's language: a file's problem with its frame (row, line,
    column, got, expected) translated and the readers' usual problem texts (:mod:`bioparity.problems`) too;
    the file name, column name and value as they are. Another error of bioparity: its message, translated
    when a note template made it (a unit or a design problem, e.g. ``bioparity.problems.UNKNOWN_UNIT``);
    any other exception: its message.

    The exception itself keeps its English message (the command line, the logs).

    Examples
    --------
    >>> from bioparity.i18n import use_language
    >>> bad = DataFileError("not a number", file="pk.csv", row=5, line=6, column="conc", value="abc")
    >>> with use_language("zh-CN"):
    ...     error_text(bad)
    "pk.csv，第 5 行（文件第 6 行），列“conc”：不是数字（实际为 'abc'）"
    >>> error_text(bad) == str(bad)
    True
    """
    if isinstance(exc, DataFileError):
        return exc.message(_, note_text)
    if isinstance(exc, RuleFileError):
        return exc.message(_)
    if isinstance(exc, BioparityError):
        return note_text(str(exc))
    return str(exc)


def refused_form(exc: Exception, error_for: str, reason: str, **kept: str) -> dict[str, str]:
    """What a page shows again after refusing a form that gives a reason for a change: which form
    (``error_for``), the reason typed and the refusal (``reason_error``, next to the reason field), and the
    other choices ``kept``."""
    return {"error_for": error_for, "reason": reason, "reason_error": error_text(exc), **kept}


def render_error(request: Request, exc: Exception) -> HTMLResponse:
    if isinstance(exc, StarletteHTTPException):
        status, title, detail = exc.status_code, _("Error"), str(exc.detail)
        if status == 404:  # the page's own reason when it gives one (e.g. "no such profile in this run")
            title = _("Not found")
            if exc.detail == "Not Found":  # Starlette's default: no page at this address
                detail = _("There is no such page (or you may not see it).")
    elif isinstance(exc, RequestValidationError):  # a form or query field missing or of the wrong type
        fields = ", ".join(dict.fromkeys(str(e["loc"][-1]) for e in exc.errors() if e.get("loc")))
        status, title = 422, _("Invalid input")
        again = _("Missing or invalid: %(fields)s. Go back, fill in these fields and send the form again.")
        detail = again % {"fields": fields}
    else:
        status, title = next((code, _(t)) for cls, code, t in _STATUS if isinstance(exc, cls))
        detail = error_text(exc)
    where = exc if isinstance(exc, DataFileError) else None
    return render(request, "error.html", status_code=status, title=title, detail=detail, where=where)
