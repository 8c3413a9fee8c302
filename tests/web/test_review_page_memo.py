"""The memos behind the NCA review page (``report.context.stored_result``, ``pages_review._REVIEWED``)
are keyed by what the page depends on: a run's parse is keyed by its exact stored texts (an altered row
is parsed again, never masked), a review choice shows at once on its new run's page, and another language
shows its own words."""

from __future__ import annotations

import html
import json
import re

import pytest

from bioparity.report.context import stored_result
from bioparity.store.models import AnalysisRun
from tests.web.conftest import DemoStore, demo_client, finished_run_page, own_demo_store

demo_store = own_demo_store("review-memo")
REASON = "sample haemolysed (memo test)"


def _run(result: str | None) -> AnalysisRun:
    return AnalysisRun(id="run-1", kind="nca", inputs_json="{}", options_json="{}", software_version="0.1.0",
                       result_json=result, result_sha256="same")  # fmt: skip


def test_stored_result_is_keyed_by_the_exact_stored_text(monkeypatch: pytest.MonkeyPatch) -> None:
    first = _run(json.dumps({"columns": ["a"], "rows": [[1]], "notes": []}))
    assert stored_result(first) == {"columns": ["a"], "rows": [[1]], "notes": []}
    parsed: list[str] = []

    def loads(text: str) -> dict[str, bool]:
        parsed.append(text)
        return {"parsed": True}

    monkeypatch.setattr(json, "loads", loads)
    again = _run(json.dumps({"columns": ["a"], "rows": [[1]], "notes": []}))  # another row, the same texts
    assert stored_result(again) == {"columns": ["a"], "rows": [[1]], "notes": []} and parsed == []
    shown = stored_result(again)
    shown["rows"] = []  # a caller's change to the top level stays its own
    assert stored_result(again)["rows"] == [[1]]
    altered = _run(json.dumps({"columns": ["a"], "rows": [[2]], "notes": []}))  # same result_sha256
    assert stored_result(altered) == {"parsed": True} and len(parsed) == 1
    assert stored_result(_run(None)) is None


def _choices(page: str) -> str:
    found = re.search(r'<table id="review-choices">.*?</table>', page, re.S)
    return html.unescape(found.group(0)) if found else ""


def test_a_new_choice_and_another_language_show_at_once(demo_store: DemoStore) -> None:
    with demo_client(demo_store, "sam") as client:
        run_id = demo_store.summary.runs["nca"]
        review = f"/ui/runs/{run_id}/review"
        before = client.get(review)
        assert before.status_code == 200 and '<html lang="en">' in before.text
        assert REASON not in _choices(before.text)
        choice = {"profile": "3", "time": "", "action": "exclude", "reason": REASON, "submission_token": "m"}
        sent = client.post(review, data=choice, follow_redirects=False)
        assert sent.status_code == 303, sent.text
        found = re.search(r"/ui/runs/([0-9a-f-]{36})", sent.headers["location"])
        assert found is not None
        new_id = found.group(1)
        assert new_id != run_id
        finished_run_page(client, client.get(f"/ui/runs/{new_id}"))
        after = client.get(f"/ui/runs/{new_id}/review?profile=3")
        assert after.status_code == 200 and REASON in _choices(after.text)
        assert REASON not in _choices(client.get(review).text)  # the reviewed run stays as it was
        assert client.post("/ui/account/language", data={"language": "zh-CN"}).status_code == 200
        chinese = client.get(review).text
        assert '<html lang="zh-CN">' in chinese and "NCA review" not in chinese.split("<body", 1)[1][:4000]
        assert client.post("/ui/account/language", data={"language": "en"}).status_code == 200
        assert '<html lang="en">' in client.get(review).text
