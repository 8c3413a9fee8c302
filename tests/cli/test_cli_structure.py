"""Issue #21: the command line is module-level Typer apps with short functions.

An AST check over ``src/bioparity/cli/*.py``: no function is longer than :data:`MAX_FUNCTION_LINES` lines
(signature included), and no command (a function decorated with ``<app>.command(...)``) is defined inside
another function; every module that defines commands has a module-level ``app = typer.Typer()``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bioparity.cli

CLI = Path(bioparity.cli.__file__).parent
MAX_FUNCTION_LINES = 60

MODULES = sorted(CLI.glob("*.py"))


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _is_command(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Decorated with ``something.command(...)`` (a Typer command)."""
    return any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "command"
        for d in node.decorator_list
    )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_function_is_longer_than_the_limit(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = {
        f.name: f.end_lineno - f.lineno + 1
        for f in _functions(tree)
        if f.end_lineno is not None and f.end_lineno - f.lineno + 1 > MAX_FUNCTION_LINES
    }
    assert long == {}, f"{path.name}: functions over {MAX_FUNCTION_LINES} lines"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_commands_are_module_level(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    nested = [f.name for f in _functions(tree) if _is_command(f) and id(f) not in top]
    assert nested == [], f"{path.name}: commands defined inside another function"
    if any(_is_command(f) for f in _functions(tree)):
        apps = [
            node
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "app" for t in node.targets)
        ]
        assert apps, f"{path.name} defines commands but no module-level `app = typer.Typer()`"


def test_the_checks_see_a_nested_command_and_a_long_function() -> None:
    source = (
        "def register(app):\n    @app.command('x')\n    def x() -> None:\n        pass\n"
        "def long() -> None:\n" + "    pass\n" * MAX_FUNCTION_LINES
    )
    tree = ast.parse(source)
    functions = {f.name: f for f in _functions(tree)}
    assert _is_command(functions["x"]) and id(functions["x"]) not in {id(n) for n in tree.body}
    assert functions["long"].end_lineno == functions["long"].lineno + MAX_FUNCTION_LINES  # one line too long
