"""The code's shape: the rules the README's architecture section states, checked on the source.

import-linter (`make lint`) checks which layer may import which; these check the rest: no
import cycles, module sizes, and that each kind of wiring has one home.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("activities", "directory", "venues", "referrals")
MAX_LINES = 600
# The documented back-edges: thin page methods that import a selector inside `get_context`,
# and the one interface a model holds (the editor's duplicates panel, whose own imports are
# inside its methods). Everything else must form no cycle, function-level imports included.
THIN_PAGE_METHODS = {
    ("directory.models", "directory.selectors"),
    ("directory.models", "activities.selectors"),
    ("activities.models.activity", "activities.selectors"),
    ("activities.duplicates.panel", "activities.duplicates.selectors"),
    ("activities.duplicates.panel", "activities.models"),
}


def product_modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def dotted(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def calls_named(path: Path, name: str) -> list[int]:
    """Lines calling `<anything>.name(...)` or `name(...)`, or decorating with it."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called == name:
                lines.append(node.lineno)
    return lines


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def find_cycle(graph: grimp.ImportGraph, skip: set[tuple[str, str]]) -> list[str] | None:
    """A cycle among modules (following every import, minus `skip`), or None."""
    edges = {
        module: {
            m for m in graph.find_modules_directly_imported_by(module) if (module, m) not in skip
        }
        for module in graph.modules
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for imported in sorted(edges.get(module, ())):
            if state.get(imported) == 1:
                return path[path.index(imported) :] + [imported]
            if imported not in state and (found := visit(imported)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(edges):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_import_cycle_besides_the_thin_page_methods(graph):
    assert find_cycle(graph, THIN_PAGE_METHODS) is None


def test_the_thin_page_methods_are_the_only_back_edges(graph):
    # Each documented exception is real (a stale entry would hide nothing but mislead).
    for importer, imported in THIN_PAGE_METHODS:
        assert imported in graph.find_modules_directly_imported_by(importer), (importer, imported)


def test_cycle_finder_finds_a_cycle(graph):
    # Without the exceptions the directory and activities models import each other.
    assert find_cycle(graph, set()) is not None


@pytest.mark.parametrize("path", product_modules(), ids=dotted)
def test_no_product_module_is_over_600_lines(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES


def test_hooks_are_registered_only_in_wagtail_hooks_modules():
    found = {
        dotted(path): lines
        for path in product_modules()
        if path.name != "wagtail_hooks.py"
        and (lines := calls_named(path, "register") + calls_named(path, "register_snippet"))
    }
    assert found == {}


def test_signal_receivers_are_connected_only_in_signals_connect():
    found = {
        dotted(path): lines
        for path in product_modules()
        if dotted(path)
        not in {"activities.signals", "activities.apps", "directory.signals", "directory.apps"}
        and (lines := calls_named(path, "connect"))
    }
    assert found == {}
    # apps.ready() is the one caller of signals.connect().
    for app in ("activities", "directory"):
        assert len(calls_named(ROOT / app / "apps.py", "connect")) == 1
        assert "signals.connect()" in (ROOT / app / "apps.py").read_text()


def test_all_lists_only_in_package_re_exports():
    found = [
        dotted(path)
        for path in product_modules()
        if path.name != "__init__.py" and "__all__" in path.read_text()
    ]
    assert found == []


WAGTAIL_PRIVATES = (
    "_str2int",
    "_int2str",
    "_get_path",
    "_get_base_content_type",
    "_get_content_path_hash",
)


def test_wagtail_private_apis_only_in_the_bulk_writer():
    found = {
        dotted(path): [name for name in WAGTAIL_PRIVATES if name in path.read_text()]
        for path in product_modules()
        if dotted(path) not in {"activities.imports.wagtail_bulk", "directory.wagtail_bulk"}
    }
    assert {module: names for module, names in found.items() if names} == {}


NETWORK_MODULES = ("urllib.request", "http.client", "socket", "geopy.geocoders", "requests")


def network_imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return sorted({n for n in names if n.startswith(NETWORK_MODULES)})


def test_outbound_network_only_behind_the_two_boundary_modules():
    found = {dotted(path): network_imports(path) for path in product_modules()}
    assert {module: names for module, names in found.items() if names}.keys() == {
        "activities.imports.fetch",
        "venues.geocoders",
    }
