"""What the tests of the readers' problem texts check for each refusal: the page in English and in Chinese."""

from __future__ import annotations

from bioparity.errors import BioparityError
from bioparity.i18n import use_language
from bioparity.web.templating import error_text


def assert_page_text(error: BioparityError, english: str, chinese: str) -> None:
    """``error`` reads ``chinese`` on a zh-CN page, and ``english`` as the exception and on an English page
    (the exception's message never changes with the page's language)."""
    assert str(error) == english == error_text(error)
    with use_language("zh-CN"):
        assert error_text(error) == chinese
        assert str(error) == english
