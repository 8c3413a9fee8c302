"""Why a signature is refused, in words: the signing rules' reasons as note templates.

:func:`bioparity.workspace.signatures.signing_refusal` words each refusal from a template here, in the
reader's language when it tells the signer, and in English when it records the refusal in the audit trail
(``sign_refused``, 21 CFR 11.10(e): a secure, time-stamped record of the operator's actions; EU GMP
Annex 11 section 12.4). The recorded text is a note (:mod:`bioparity.i18n.notes`), so the audit pages and
their PDF show it in the reader's language; a value that is a word of the catalogue (a role, a signing
meaning, a permission in words) is shown in the reader's words too, names and run ids as recorded. A
reason recorded before these templates existed, in other words, is shown as recorded.

Examples
--------
>>> from bioparity.i18n.notes import translate_note
>>> note = ALREADY_SIGNED.format(meaning="reviewed")
>>> note
'you have already signed this result as reviewed'
>>> translate_note(note, "zh-CN")
'您已以“已审核”签署过此结果'
"""

from __future__ import annotations

from bioparity.i18n import gettext_noop, translations
from bioparity.i18n.notes import compile_template, fill, note_template

__all__ = [
    "ALREADY_SIGNED",
    "AUTHORSHIP",
    "FOUR_EYES_APPROVED",
    "FOUR_EYES_REVIEWED",
    "KINDS_OR",
    "NO_AUTHOR",
    "NO_RESULT",
    "NO_REVIEW",
    "ONLY_DEPENDENT_REVIEW",
    "PARTNER_ROLE",
    "RAN_IT_APPROVE",
    "RAN_IT_REVIEW",
    "ROLE",
    "SCOPE",
    "SUPERSEDED",
    "WROTE_IT_APPROVE",
    "WROTE_IT_REVIEW",
]


def _word(value: str, language: str) -> str:
    """A recorded word of the catalogue (a role, a meaning, a permission in words) in ``language``."""
    return translations(language).gettext(value)


#: A role held through a partner organisation's share (``access.role_words``).
PARTNER_ROLE = note_template(
    "{role} of a partner organisation, program shared at {share}", shown={"role": _word, "share": _word}
)
_PARTNER_ROLE = compile_template(PARTNER_ROLE)


def _roles(value: str, language: str) -> str:
    """A recorded ``access.role_words`` (``"; "``-joined roles, each its own or a partner's) in words."""

    def one(part: str) -> str:
        found = _PARTNER_ROLE.pattern.fullmatch(part)
        if found is None:
            return _word(part, language)
        shared = {name: _word(text, language) for name, text in found.groupdict().items()}
        return fill(translations(language).gettext(PARTNER_ROLE), shared)

    return "; ".join(one(part) for part in value.split("; "))


#: The study kinds of a share's scope in words (``roles.study_kind_words``: "PK similarity or clinical").
KINDS_OR = gettext_noop("%(kinds)s or %(last)s")


def _kinds(value: str, language: str) -> str:
    """A recorded ``roles.study_kind_words`` (one kind, or ``"a, b or c"``) in words of ``language``."""
    head, found, last = value.rpartition(" or ")
    if not found:
        return _word(value, language)
    kinds = ", ".join(_word(kind, language) for kind in head.split(", "))
    return translations(language).gettext(KINDS_OR) % {"kinds": kinds, "last": _word(last, language)}


#: A partner's share scoped to other study kinds (``access.scope_refusal``; names as recorded).
SCOPE = note_template(
    "the share of {program} with {org} covers {kinds} studies only; {study} is a {kind} study; ask an owner "
    "of the program's organisation to widen the share",
    shown={"kinds": _kinds, "kind": _kinds},
)

# the rules in the order signing_refusal checks them (its docstring: role, result, superseded, signed
# before, authorship, independence, order)
ROLE = note_template("your role ({role}) does not allow {action}", shown={"role": _roles, "action": _word})
NO_RESULT = note_template("analysis run {run} has no result to sign (status {status})")
SUPERSEDED = note_template(
    "this result is superseded: the reports use the later approved run {run} of this kind in this study; a "
    "review or approval of this run would not change that (sign the run the reports use, or run the "
    "analysis again)"
)
ALREADY_SIGNED = note_template("you have already signed this result as {meaning}", shown={"meaning": _word})
AUTHORSHIP = note_template("only the person who ran this analysis ({name}) may sign it as authored")
RAN_IT_REVIEW = note_template(
    "segregation of duties: you ran this analysis, so it needs another person's review"
)
WROTE_IT_REVIEW = note_template(
    "segregation of duties: you signed this result as authored, so it needs another person's review"
)
RAN_IT_APPROVE = note_template(
    "segregation of duties: you ran this analysis, so another person must approve it"
)
WROTE_IT_APPROVE = note_template(
    "segregation of duties: you signed this result as authored, so another person must approve it"
)
FOUR_EYES_APPROVED = note_template(
    "four-eyes principle: you approved this result, so another person must review it"
)
FOUR_EYES_REVIEWED = note_template(
    "four-eyes principle: you reviewed this result yourself; an approval needs a currently valid review by "
    "another person"
)
ONLY_DEPENDENT_REVIEW = note_template(
    "segregation of duties: the only currently valid review is by {name}, who ran this analysis or signed it "
    "as authored (a review made while segregation of duties was off); an approval under segregation of "
    "duties needs a review by a person independent of the analysis"
)
NO_AUTHOR = note_template(
    "signatures follow the order authored, reviewed, approved: {name}, who ran this analysis, has not yet "
    "signed this result as authored (an authored signature of a result that changed since no longer holds)"
)
NO_REVIEW = note_template(
    "an approval needs a currently valid review first: this result has none (a review of a result that "
    "changed since no longer holds)"
)
