"""A zh-CN user walks the evidence chain in headless Chromium (issue #25): programs -> program dashboard ->
dataset -> analysis run (a refused signature explained in Chinese) -> sharing -> audit trail (chain
verified) -> account, every page in Chinese with ``<html lang="zh-CN">``, and axe-core (serious and
critical) still clean at 1280 and 390 px. Screenshots go to test-artifacts/web/i18n-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.chinese_user import PASSWORD, USERNAME, ensure_chinese_user
from tests.web.conftest import ARTIFACTS, DemoStore, Server, axe_violations, sign_in


def _check(page: Any, name: str, heading: str, width: int, problems: dict[str, Any]) -> None:
    """The page is Chinese (lang attribute, its own heading, the frame), its plots are drawn, axe is run."""
    assert page.locator("html").get_attribute("lang") == "zh-CN", name
    assert heading in page.locator("main").inner_text(), name
    assert page.locator("header form.signout button").inner_text() == "退出登录", name
    if page.locator("div.plot[data-figure]").count():
        page.wait_for_selector("div.plot .main-svg")
    problems[name] = axe_violations(page)
    page.screenshot(path=str(ARTIFACTS / f"i18n-{width}-{name}.png"), full_page=False)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_chinese_reader_walks_the_evidence_chain(
    browser: Any, server: Server, demo_store: DemoStore, width: int
) -> None:
    ensure_chinese_user(demo_store.engine)
    # axe is injected as an inline script, which the Content-Security-Policy forbids (see test_browser.py)
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: dict[str, Any] = {}

    page.goto(f"{server.url}/ui/login")
    page.click("#language-zh-CN")  # the switch before sign-in
    page.wait_for_selector("#language-zh-CN[aria-current='true']")
    assert page.locator("h1").inner_text() == "登录"
    problems["login"] = axe_violations(page)
    page.screenshot(path=str(ARTIFACTS / f"i18n-{width}-login.png"), full_page=False)
    sign_in(page, server, USERNAME, PASSWORD)
    _check(page, "programs", "您所在组织的项目及共享给这些组织的项目", width, problems)

    page.click("text=MB-201 (IgG1 mAb)")
    page.wait_for_url(f"**/ui/programs/{server.program_id}")
    _check(page, "dashboard", "各地区申报准备情况", width, problems)
    assert "上传数据集至 PK-101" in page.locator("main").inner_text()

    page.locator("main a[href^='/ui/datasets/']").first.click()
    page.wait_for_url("**/ui/datasets/**")
    _check(page, "dataset", "此数据集的分析", width, problems)
    page.locator("#dataset-runs a").first.click()
    page.wait_for_url("**/ui/runs/**")
    _check(page, "run", "溯源信息", width, problems)

    page.goto(f"{server.url}/ui/runs/{server.runs['pk-similarity']}")
    _check(page, "pk-similarity", "电子签名", width, problems)
    assert "AUCIFO" in page.locator("#result").inner_text()  # CDISC codes stay as they are
    page.select_option("#meaning", "reviewed")
    assert page.locator("#meaning option:checked").inner_text() == "已审核"
    page.fill("#sign-username", USERNAME)
    page.fill("#sign-password", "not the password")
    page.click("#sign-form button")
    assert page.locator("#sign-error").inner_text() == "未签名：签名被拒绝：用户名或密码不匹配"

    page.goto(f"{server.url}/ui/programs/{server.program_id}")
    page.click(f"a[href='/ui/programs/{server.program_id}/sharing']")
    _check(page, "sharing", "与合作方共享", width, problems)
    page.goto(f"{server.url}/ui/programs/{server.program_id}")
    page.click(f"a[href='/ui/programs/{server.program_id}/audit']")
    _check(page, "audit", "MB-201 (IgG1 mAb) 的审计追踪", width, problems)
    page.click("#verify-chain")
    page.wait_for_selector("#verification")
    assert "审计追踪完整" in page.locator("#verification").inner_text()
    problems["audit-verified"] = axe_violations(page)

    page.click("header nav a[href='/ui/account']")
    _check(page, "account", "页面语言", width, problems)
    assert page.locator("#language-choice option:checked").inner_text() == "简体中文"
    assert {k: v for k, v in problems.items() if v} == {}
    context.close()
