"""The import graph of ``src/bioparity`` is layered and acyclic (issue #21).

The graph is built statically with :mod:`ast`, without importing anything: every ``import`` and
``from ... import`` statement counts, at module level and inside functions (a function-level import
is still a dependency, only a deferred one), with relative imports resolved against the importing
module. Packages are nodes of their own (``bioparity.nca`` is the package's ``__init__``), so
``from bioparity.nca import x`` depends on the package while ``from bioparity.nca.samples import x``
depends on the module only. The test fails on

(a) any cycle, between modules or between the top-level subpackages (``bioparity.<sub>``);
(b) any numerical core package importing a front end, store or I/O package (:data:`CORES`,
    :data:`EDGES`): the cores are pure computations that the edges call, never the other way;
(c) any import of a private name (``from x import _name``) from another module, or of a private module
    from outside its package: a helper shared between modules is public, in the module that owns it;
(d) any ``io`` module importing a core's result classes: ``io`` reads and writes files only.

Each failure names the modules, the line and the cycle so the fix is obvious.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
ROOT = "bioparity"

#: numerical cores: pure computations, no I/O, no front end
CORES = frozenset(
    {
        "power",
        "nca",
        "be",
        "caa",
        "clinical",
        "simulate",
        "pathways",
        "market",
        "potency",
        "bioassay",
        "stability",
        "profiles",
    }
)
#: the edges of the package: readers/writers, front ends, persistence, reports and orchestration
EDGES = frozenset(
    {
        "io",
        "cli",
        "api",
        "web",
        "server",
        "store",
        "workspace",
        "report",
        "analyses",
        "demo",
        "validation",
        "scale",
    }
)


@dataclass(frozen=True)
class Edge:
    """One import statement: ``source`` imports ``target`` (and ``names`` from it) at ``line``."""

    source: str
    target: str
    names: tuple[str, ...]
    line: int

    def where(self) -> str:
        path = module_paths()[self.source].relative_to(SRC.parent)
        return f"{path}:{self.line}"


@cache
def module_paths() -> dict[str, Path]:
    """Every module of the package by dotted name; a package is named by its ``__init__``."""
    modules: dict[str, Path] = {}
    for path in sorted((SRC / ROOT).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_package(module: str) -> bool:
    return module_paths()[module].name == "__init__.py"


def _resolve_relative(module: str, level: int, name: str | None) -> str:
    """The absolute name of ``from <level dots><name> import ...`` written in ``module``."""
    base = module.split(".")
    if not _is_package(module):
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _internal(name: str) -> str | None:
    """The longest known module that ``name`` is or lies in (``None`` outside the package)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in module_paths():
            return candidate
        parts.pop()
    return None


def _edges_of(module: str) -> Iterator[Edge]:
    tree = ast.parse(module_paths()[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _internal(alias.name)
                if target is not None and target != module:
                    yield Edge(module, target, (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_relative(module, node.level, node.module) if node.level else node.module
            if base is None or _internal(base) is None:
                continue
            plain: list[str] = []
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in module_paths():  # ``from package import submodule``
                    yield Edge(module, submodule, (), node.lineno)
                else:
                    plain.append(alias.name)
            target = _internal(base)
            if plain and target is not None and target != module:
                yield Edge(module, target, tuple(plain), node.lineno)


@cache
def edges() -> tuple[Edge, ...]:
    """Every import edge inside the package."""
    return tuple(edge for module in module_paths() for edge in _edges_of(module))


def subpackage(module: str) -> str:
    """``power`` for ``bioparity.power.tost``; the module itself for top-level modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one node, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _cycle_through(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One concrete cycle inside a strongly connected component, as a path that returns to its start."""
    members = set(component)
    start = component[0]
    # breadth-first search from the start back to itself, staying inside the component
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for succ in sorted(graph.get(node, set()) & members):
                if succ == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [*reversed(path), start]
                if succ not in parents:
                    parents[succ] = node
                    following.append(succ)
        frontier = following
    raise AssertionError(f"no cycle in component {component}")  # pragma: no cover - Tarjan guarantees one


def _describe(graph_edges: dict[tuple[str, str], Edge], cycle: list[str]) -> str:
    steps = [f"{a} -> {b} ({graph_edges[(a, b)].where()})" for a, b in itertools.pairwise(cycle)]
    return "cycle: " + "; ".join(steps)


def test_the_graph_sees_the_whole_package() -> None:
    """Guard against a walker that silently finds nothing: known modules and edges are present."""
    modules = module_paths()
    assert "bioparity.power.tost" in modules and "bioparity.cli.main" in modules
    assert len(modules) > 200
    pairs = {(e.source, e.target) for e in edges()}
    # a module-level absolute import and a relative one
    assert any(s.startswith("bioparity.cli.") and t.startswith("bioparity.power") for s, t in pairs)
    assert len(pairs) > 500


def test_relative_imports_resolve_against_the_importing_module() -> None:
    assert _resolve_relative("bioparity.nca.samples", 1, "units") == "bioparity.nca.units"
    assert _resolve_relative("bioparity.nca", 1, "units") == "bioparity.nca.units"
    assert _resolve_relative("bioparity.nca.samples", 2, "errors") == "bioparity.errors"
    assert _resolve_relative("bioparity.nca.samples", 1, None) == "bioparity.nca"


def test_tarjan_finds_cycles_and_only_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert _cycle_through(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_cycle_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    where: dict[tuple[str, str], Edge] = {}
    for edge in edges():
        graph.setdefault(edge.source, set()).add(edge.target)
        where.setdefault((edge.source, edge.target), edge)
    cycles = [_describe(where, _cycle_through(graph, c)) for c in strongly_connected(graph)]
    assert not cycles, "import cycles between modules:\n" + "\n".join(cycles)


def test_no_cycle_between_subpackages() -> None:
    graph: dict[str, set[str]] = {}
    where: dict[tuple[str, str], Edge] = {}
    for edge in edges():
        a, b = subpackage(edge.source), subpackage(edge.target)
        if a and b and a != b:
            graph.setdefault(a, set()).add(b)
            where.setdefault((a, b), edge)
    cycles = [_describe(where, _cycle_through(graph, c)) for c in strongly_connected(graph)]
    assert not cycles, "import cycles between subpackages:\n" + "\n".join(cycles)


def test_the_layer_lists_name_real_packages() -> None:
    existing = {subpackage(m) for m in module_paths()}
    assert existing >= CORES
    # ``analyses`` is the analysis-contract package of issue #21; the others exist today
    assert EDGES - {"analyses"} <= existing


def test_cores_do_not_import_the_edges() -> None:
    leaks = [
        f"{edge.where()}: {edge.source} imports {edge.target}"
        for edge in edges()
        if subpackage(edge.source) in CORES and subpackage(edge.target) in EDGES
    ]
    assert not leaks, "core packages importing I/O, front ends or orchestration:\n" + "\n".join(leaks)


def test_io_does_not_import_result_classes() -> None:
    """``io`` reads and writes tables; it never builds or inspects the cores' result objects."""
    leaks = [
        f"{edge.where()}: {edge.source} imports {edge.target}"
        for edge in edges()
        if subpackage(edge.source) == "io"
        and subpackage(edge.target) in CORES
        and edge.target.rsplit(".", 1)[-1] == "results"
    ]
    assert not leaks, "io modules importing result classes:\n" + "\n".join(leaks)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_private_name_imported_across_modules() -> None:
    """No ``from x import _name``; a private module (``clinical/_checks.py``) serves its own package only."""
    private = [
        f"{edge.where()}: {edge.source} imports {name} from {edge.target}"
        for edge in edges()
        for name in edge.names
        if _private(name)
    ]
    outside = [
        f"{edge.where()}: {edge.source} imports the private module {edge.target}"
        for edge in edges()
        if _private(edge.target.rsplit(".", 1)[-1])
        and not edge.source.startswith(edge.target.rsplit(".", 1)[0] + ".")
    ]
    found = private + outside
    assert not found, "private names imported from another module:\n" + "\n".join(found)
