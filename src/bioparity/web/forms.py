"""The fields of the pages' HTML forms, as the page routes declare them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form

#: A text field of a submitted form (``application/x-www-form-urlencoded`` or ``multipart/form-data``):
#: required unless the parameter has a default (an empty field is sent as ``""``).
FormText = Annotated[str, Form()]
