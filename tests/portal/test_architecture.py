"""The house rules of CONTRIBUTING.md ("The rooms and what each may import"), checked
on the source: which app may import what, no import cycles, no oversized modules.

Imports are read with ``ast`` rather than by importing the code, so a violation is
found wherever it is, with its file and line. Imports under ``if TYPE_CHECKING:`` are
left out (they never run), and so are imports inside functions for the cycle check:
a function-level import runs after every module has loaded, so it cannot deadlock
module loading (the cross-app rule still applies to it).
"""

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("knowledge", "events", "newsletter", "casework", "search")
PLUMBING = "portal"
# What one app may import of another: its public services and selectors.
PUBLIC_MODULES = ("services", "selectors")
MAX_LINES = 600
# Demo data is a long list of invented content, and the settings are one flat file
# read top to bottom (every environment variable in one place) on purpose.
LONG_BY_NATURE = {"knowledge/demo_content.py", "portal/settings/base.py"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (for "from m import name": m.name if a module)
    line: int
    module_level: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _first_party_modules() -> dict[str, Path]:
    modules = {}
    for package in (*APPS, PLUMBING):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


MODULES = _first_party_modules()


def _imports_of(name: str, path: Path) -> list[Import]:
    found: list[Import] = []
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]

    def resolve(node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = package[: len(package) - (node.level - 1)]
        return ".".join([*base, *([node.module] if node.module else [])])

    def visit(body: list[ast.stmt], module_level: bool) -> None:
        for node in body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse, module_level)
                continue
            if isinstance(node, ast.Import):
                found.extend(Import(name, a.name, node.lineno, module_level) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                module = resolve(node)
                for alias in node.names:
                    submodule = f"{module}.{alias.name}"
                    target = submodule if submodule in MODULES else module
                    found.append(Import(name, target, node.lineno, module_level))
            nested = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    visit(children, module_level and not nested)

    visit(ast.parse(path.read_text()).body, True)
    return found


IMPORTS = [imp for name, path in MODULES.items() for imp in _imports_of(name, path)]


def _owner(module: str) -> str:
    return module.split(".")[0]


def test_an_app_imports_only_the_services_and_selectors_of_another():
    wrong = []
    for imp in IMPORTS:
        source, target = _owner(imp.source), _owner(imp.target)
        if target not in APPS or target == source:
            continue
        # The plumbing is imported by every app; it imports apps only through the same
        # public doors (portal.demo finds the apps' demo loaders by name, at run time).
        parts = imp.target.split(".")
        if len(parts) < 2 or parts[1] not in PUBLIC_MODULES:
            wrong.append(f"{imp.source}:{imp.line} imports {imp.target}")
    assert not wrong, "Import another app's services or selectors instead:\n" + "\n".join(wrong)


def test_public_doors_are_the_packages_not_their_insides():
    """``from events.services import x``, never ``from events.services.registration``:
    an app may reshuffle the modules behind its package without breaking another."""
    wrong = [
        f"{imp.source}:{imp.line} imports {imp.target}"
        for imp in IMPORTS
        if _owner(imp.target) in APPS
        and _owner(imp.target) != _owner(imp.source)
        and len(imp.target.split(".")) > 2
    ]
    assert not wrong, "\n".join(wrong)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph[module]):
            if other not in index:
                connect(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            connect(module)
    return components


def test_no_import_cycles_between_modules():
    graph: dict[str, set[str]] = defaultdict(set)
    for module in MODULES:
        graph[module]
    for imp in IMPORTS:
        if imp.module_level and imp.target in MODULES and imp.target != imp.source:
            # A package's __init__ re-exporting its own modules is not a cycle of the
            # design; a module importing its own package's __init__ back would be.
            graph[imp.source].add(imp.target)
    assert not _cycles(graph), _cycles(graph)


def test_the_cycle_check_finds_a_cycle():
    """The checker itself: a two-module loop and a three-module loop are reported."""
    graph = defaultdict(set, {"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"e"}, "e": {"c"}})
    assert _cycles(graph) == [["a", "b"], ["c", "d", "e"]]


def test_no_module_in_an_app_is_over_600_lines():
    long = []
    for path in MODULES.values():
        relative = path.relative_to(ROOT).as_posix()
        lines = len(path.read_text().splitlines())
        if lines > MAX_LINES and relative not in LONG_BY_NATURE:
            long.append(f"{relative}: {lines} lines")
    assert not long, "Split along the domain's seams (CONTRIBUTING.md):\n" + "\n".join(long)
