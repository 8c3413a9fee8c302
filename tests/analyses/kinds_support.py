"""What the tests of the analysis kinds share: the command line's table, the workspace's run of the same file
(the kind's reader and compute, as ``bioparity run`` and the server do), a SQLite workspace driven through
the API and through the web pages (FormClient), and the comparison of two tables number by number."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from typer.testing import CliRunner

from bioparity.analyses import get_analysis
from bioparity.analyses.frames import result_frame
from bioparity.analyses.registry import effective_options
from bioparity.cli.main import app
from tests.web.conftest import FormClient, finished_run_page
from tests.workspace.conftest import PASSWORD, Company
from tests.workspace.helpers import run_and_wait

RUNNER = CliRunner()


def cli_table(*args: str) -> None:
    """Run a ``bioparity`` command that writes tables (``--out`` ...); fail with its output otherwise."""
    done = RUNNER.invoke(app, list(args))
    assert done.exit_code == 0, done.output


def read_csv(path: Path) -> pd.DataFrame:
    """A table the CLI wrote (its writer prints floats with ``repr``: they read back to the same double)."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def workspace_result(kind: str, path: Path, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The result a workspace run of ``kind`` on ``path`` stores (the kind's reader and compute)."""
    analysis = get_analysis(kind)
    return dict(analysis.compute(analysis.read(path), effective_options(analysis, dict(options or {}))))


def workspace_table(kind: str, path: Path, options: Mapping[str, Any] | None = None) -> pd.DataFrame:
    return result_frame(workspace_result(kind, path, options))


def _same(a: Any, b: Any) -> bool:
    missing_a = a is None or (isinstance(a, float) and math.isnan(a)) or a == ""
    missing_b = b is None or (isinstance(b, float) and math.isnan(b)) or b == ""
    if missing_a or missing_b:
        return missing_a and missing_b
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return str(a).lower() == str(b).lower()
    return float(a) == float(b)  # the same float, to the last bit


def assert_same_table(cli: pd.DataFrame, stored: pd.DataFrame, *, drop: tuple[str, ...] = ()) -> None:
    """The same columns (after ``drop``; in any order) and, cell by cell, the same value: numbers identical,
    missing values (blank, NaN, null) alike, flags compared as text."""
    cli = cli.drop(columns=[c for c in drop if c in cli.columns]).reset_index(drop=True)
    stored = stored.drop(columns=[c for c in drop if c in stored.columns]).reset_index(drop=True)
    assert sorted(stored.columns) == sorted(cli.columns)
    stored = stored[list(cli.columns)]  # a section of a stacked table keeps the stack's column order
    assert len(stored) == len(cli) > 0
    for column in cli.columns:
        for i, (a, b) in enumerate(zip(cli[column].tolist(), stored[column].tolist(), strict=True)):
            assert _same(a, b), (column, i, a, b)


@dataclass(frozen=True)
class Workspace:
    """A migrated SQLite workspace with one company and a client for its API and web pages."""

    client: FormClient
    company: Company

    def api_run(self, kind: str, filename: str, content: bytes, **options: Any) -> dict[str, Any]:
        """Upload ``content`` checked for ``kind`` through the API, run it, return the stored run."""
        body = {
            "name": f"{kind}-data",
            "filename": filename,
            "content": content.decode(),
            "analysis_kind": kind,
        }
        study = self.company.study.id
        created = self.client.post(
            f"/studies/{study}/datasets", headers=self.company.auth("analyst"), json=body
        )
        assert created.status_code == 201, created.text
        assert created.json()["validated_for"] == kind
        stored = run_and_wait(self.client, created.json()["id"], self.company.auth("analyst"), kind, options)
        assert stored["status"] == "succeeded", stored.get("error")
        fetched = self.client.get(f"/runs/{stored['id']}", headers=self.company.auth("viewer"))
        assert fetched.status_code == 200 and fetched.json()["result"] == stored["result"]
        return stored

    def web_run(self, kind: str, filename: str, content: bytes, **options: str) -> tuple[str, str]:
        """Upload through the upload form, run from the dataset page's form with ``options`` typed as text;
        returns the run page and the HTML run report."""
        client = self.client
        client.post(
            "/ui/login", data={"username": self.company.users["analyst"].username, "password": PASSWORD}
        )
        study = self.company.study.id
        assert f'value="{kind}"' in client.get(f"/ui/studies/{study}/upload").text  # offered for upload
        uploaded = client.post(
            f"/ui/studies/{study}/upload",
            data={"name": f"{kind}-web", "analysis_kind": kind},
            files={"file": (filename, content, "text/csv")},
        )
        assert uploaded.status_code == 200 and "/ui/datasets/" in str(uploaded.url), uploaded.text[-2000:]
        dataset_page = uploaded.text
        assert f'id="run-{kind}"' in dataset_page  # the option form of the kind
        fields = {f"opt_{k}": v for k, v in options.items()}
        submitted = client.post(f"{uploaded.url.path}/runs", data={"kind": kind, **fields})
        assert submitted.status_code == 200 and "/ui/runs/" in str(submitted.url), submitted.text[-3000:]
        ran = finished_run_page(client, submitted)
        assert ran.status_code == 200 and 'id="job-status"' not in ran.text, ran.text[-3000:]
        report = client.get(f"{ran.url.path}/report.html")
        assert report.status_code == 200
        client.post("/ui/logout")
        return ran.text, report.text


def text_of(html: str) -> str:
    """The visible text of a page (tags dropped, entities of the report decoded, spaces squashed)."""
    import html as html_module

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())
