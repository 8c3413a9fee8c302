"""A reader of the workspace in Simplified Chinese: an owner of the demo's developer organisation whose
stored language is zh-CN (the demo's own users stay English)."""

from __future__ import annotations

import re

from sqlalchemy import Engine, select

from bioparity.demo.load import DEVELOPER
from bioparity.store import make_sessionmaker
from bioparity.store.models import User
from bioparity.workspace import accounts

USERNAME = "mei"
PASSWORD = "mei-zh-cn-2026"
DISPLAY_NAME = "Mei Zhang"
#: Han characters (CJK Unified Ideographs).
HAN = re.compile(r"[\u4e00-\u9fff]")


def ensure_chinese_user(engine: Engine) -> None:
    """Create the zh-CN user (owner of the developer organisation) unless it exists."""
    with make_sessionmaker(engine).begin() as session:
        if session.scalar(select(User.id).where(User.username == USERNAME)) is not None:
            return
        accounts.create_user(session, USERNAME, PASSWORD, display_name=DISPLAY_NAME, language="zh-CN")
        accounts.add_member_as_admin(session, DEVELOPER, USERNAME, "owner")
