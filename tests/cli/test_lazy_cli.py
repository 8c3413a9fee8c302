"""Issue #22: the command line starts without importing the numerical cores.

``bioparity --help`` lists every command from :data:`bioparity.cli.main.COMMANDS` without importing SciPy,
pandas, Dask, matplotlib or any bioparity core; ``import bioparity.cli.main`` stays under a CPU-time
budget (generous, so that a loaded machine does not make the test flaky; ``bench/cli_startup.py`` holds the
real targets).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from bioparity.cli.main import COMMANDS, MODULES, app, load_commands

#: CPU budget of ``python -c "import bioparity.cli.main"`` (user + system seconds of the child, interpreter
#: start included). Today ~0.2-0.3 s; before the lazy loading it was 2.9-8 s because every core and SciPy were
#: imported. CPU time, not ``-X importtime``'s wall time: on a loaded 2-core machine (load 10) the same import
#: took 2.2 s of wall time, which said nothing about what the command line imports.
IMPORT_BUDGET_CPU_S = 1.5

HEAVY = ("scipy", "pandas", "dask", "distributed", "matplotlib", "sqlalchemy", "fastapi", "pyarrow")
CORES = (
    "bioparity.power", "bioparity.nca", "bioparity.be", "bioparity.caa", "bioparity.clinical",
    "bioparity.scale", "bioparity.simulate", "bioparity.pathways", "bioparity.market", "bioparity.validation",
    "bioparity.store", "bioparity.workspace", "bioparity.web", "bioparity.api", "bioparity.report",
    "bioparity.io",
)  # fmt: skip

_PROBE = """
import json, sys
sys.argv = ["bioparity", *json.loads(sys.argv[1])]
from bioparity.cli.main import app
try:
    app()
except SystemExit:
    pass
print("MODULES=" + json.dumps(sorted(sys.modules)))
"""


def _modules_after(*args: str) -> tuple[set[str], str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(list(args))],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES="))), done.stdout


def _loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


def test_help_lists_every_command_and_imports_no_core() -> None:
    modules, output = _modules_after("--help")
    assert _loaded(modules, HEAVY) == []
    assert _loaded(modules, CORES) == []
    assert not any(m.startswith("bioparity.cli.") and m.rsplit(".", 1)[-1] in MODULES for m in modules)
    for name in COMMANDS:
        assert re.search(rf"\b{re.escape(name)}\b", output), name


def test_a_command_imports_only_its_own_module() -> None:
    modules, output = _modules_after("tolerance-factor", "--n", "10", "--format", "json")
    assert json.loads(output.splitlines()[0])["n"] == 10
    assert "bioparity.cli.caa" in modules
    assert _loaded(modules, ("bioparity.nca", "bioparity.power", "bioparity.be", "dask", "sqlalchemy")) == []


def test_python_dash_m_bioparity_runs_the_command_line() -> None:
    """``python -m bioparity`` is the ``bioparity`` command (it was "No module named bioparity.__main__")."""
    done = subprocess.run(
        [sys.executable, "-m", "bioparity", "tolerance-factor", "--n", "10", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[0])["n"] == 10
    usage = subprocess.run(
        [sys.executable, "-m", "bioparity", "--help"], capture_output=True, text=True, timeout=120
    )
    assert "Usage: bioparity " in usage.stdout


def test_import_time_of_the_entry_point_is_under_budget() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import bioparity.cli.main"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    rows = [line.split("|") for line in done.stderr.splitlines() if line.startswith("import time:")]
    cumulative = {row[2].strip(): int(row[1]) for row in rows if row[1].strip().isdigit()}
    assert "bioparity.cli.main" in cumulative
    assert _loaded(set(cumulative), HEAVY + CORES) == []
    child = subprocess.Popen([sys.executable, "-c", "import bioparity.cli.main"])
    _pid, status, usage = os.wait4(child.pid, 0)
    assert status == 0
    assert usage.ru_utime + usage.ru_stime < IMPORT_BUDGET_CPU_S


@pytest.mark.parametrize("module", MODULES)
def test_the_command_table_matches_the_modules(module: str) -> None:
    registered = set(load_commands(module))
    listed = {name for name, (mod, _help) in COMMANDS.items() if mod == module}
    assert registered == listed, f"update COMMANDS in bioparity/cli/main.py for bioparity.cli.{module}"


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["no-such-command"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_subcommand_help_and_groups_still_work() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["db", "--help"])
    assert result.exit_code == 0 and "upgrade" in result.output
    result = runner.invoke(app, ["tolerance-factor", "--help"])
    assert result.exit_code == 0 and "--coverage" in result.output


def test_help_shows_no_type_for_a_flag_and_no_stale_rules_year() -> None:
    """A flag takes no value: ``--help``/``--version`` had the type ``<bool>`` in the rich help. The
    pathways line said "2025 streamlined rules" while every rule file is version 2026.1."""
    output = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).output
    assert re.search(r"--version +Print the version and exit\.", output), output
    assert re.search(r"--lang +<str> +Language of messages", output), output
    assert "<bool>" not in output
    assert "pathways  " in output and "under the current streamlined rules (EMA, FDA, MHRA, ...)" in output
    assert "2025" not in output
    power = CliRunner().invoke(app, ["power", "--help"], env={"COLUMNS": "200"}).output
    assert re.search(r"--cv +<float> +Within-subject CV", power) and "<bool>" not in power, power
