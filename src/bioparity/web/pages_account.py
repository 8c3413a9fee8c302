"""The signed-in user's account: the language of the pages, password change (also forced after an
administrator's reset) and the invitations into organisations addressed to them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bioparity.api.deps import SESSION_COOKIE, client_address, unit_of_work
from bioparity.i18n import gettext as _
from bioparity.i18n import use_language
from bioparity.web.forms import FormText
from bioparity.web.language import remember_language
from bioparity.web.notices import Notice, notice_redirect
from bioparity.web.session import PageActor, read_unit
from bioparity.web.templating import render
from bioparity.workspace import accounts
from bioparity.workspace.errors import AccountLockedError

router = APIRouter()


@router.get("/account")
def account(request: Request, actor: PageActor, message: Notice) -> Response:
    with read_unit(request) as session:
        invitations = accounts.my_invitations(session, actor)
        return render(
            request,
            "account.html",
            invitations=invitations,
            must_change=actor.must_change_password,
            message=message,
            crumbs=[(_("Account"), None)],
        )


@router.post("/account/language")
def change_language(request: Request, actor: PageActor, language: FormText) -> Response:
    """Store the user's language (audited) and keep it in this browser for the sign-in page."""
    with unit_of_work(request) as session:
        tag = accounts.set_language(session, actor, language)
    with use_language(tag):  # the confirmation already in the new language
        response = notice_redirect(request, "/ui/account", _("Language saved."))
    remember_language(request, response, tag)
    return response


@router.post("/account/password")
def change_password(
    request: Request,
    actor: PageActor,
    current_password: FormText,
    new_password: FormText,
    confirm_password: FormText,
) -> Response:
    if new_password != confirm_password:
        return notice_redirect(request, "/ui/account", _("The new passwords differ."))
    try:
        with unit_of_work(request) as session:
            accounts.change_password(
                session, actor, current_password, new_password, client=client_address(request)
            )
    except AccountLockedError:
        response = RedirectResponse("/ui/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response
    return notice_redirect(request, "/ui/account", _("Password changed."))


@router.post("/account/invitations/{invitation_id}")
def answer_invitation(request: Request, actor: PageActor, invitation_id: str, answer: FormText) -> Response:
    with unit_of_work(request) as session:
        accounts.respond_invitation(session, actor, invitation_id, accept=answer == "accept")
    done = _("Invitation accepted.") if answer == "accept" else _("Invitation declined.")
    return notice_redirect(request, "/ui/account", done)
