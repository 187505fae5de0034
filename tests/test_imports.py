"""Imports run one way, with no cycle among the modules of app/: routers → services → models, the
routers shaping schemas from what the services return, and the pure rules beneath models and
schemas alike. No session listener is registered by importing a module.

Every import counts, at the top of a module or inside a function or an ``if TYPE_CHECKING`` block.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (importer, imported, why not): a module is under a prefix when its name is the prefix or starts
# with the prefix and a dot.
FORBIDDEN = (
    ("app.models", "app.services", "models are beneath the services"),
    ("app.schemas", "app.services", "schemas are beneath the services; routers shape what they return"),
    ("app.database", "app.services", "session listeners are installed by the entry points"),
    ("app.services", "app.routers", "services know no HTTP"),
    ("app.services", "app.schemas", "services return models or plain rows; routers shape schemas"),
    ("app.rules", "app.services", "rules are pure"),
    ("app.rules", "app.models", "rules are pure"),
    ("app.rules", "app.schemas", "rules are pure"),
    ("app.rules", "app.database", "rules are pure"),
)
# Only the app factory mounts the routers, which the routers package collects.
ROUTER_IMPORTERS = frozenset({"app.main", "app.routers"})


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@cache
def modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / "app").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str) -> set[str]:
    """The app modules ``name`` imports."""
    path = modules()[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    source = path.read_text(encoding="utf-8")
    return imports_in(source, name=name, package=package, known=set(modules()))


def imports_in(source: str, *, name: str, package: str, known: set[str]) -> set[str]:
    """The ``known`` modules a module's source imports (``from package import module`` names the
    module), wherever the import statement is."""
    targets: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in known else base)
    return {target for target in targets if target in known and target != name}


def graph() -> dict[str, set[str]]:
    return {name: imports_of(name) for name in modules()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_imports_inside_functions_and_type_checking_blocks():
    source = textwrap.dedent(
        """
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from app.services.case_queries import CaseDetail
        def shape():
            from ..services import intake
            import app.services.audit
        """
    )
    known = {
        "app.schemas.case",
        "app.services",
        "app.services.audit",
        "app.services.case_queries",
        "app.services.intake",
    }
    assert imports_in(source, name="app.schemas.case", package="app.schemas", known=known) == {
        "app.services.audit",
        "app.services.case_queries",
        "app.services.intake",
    }


def test_no_module_imports_across_a_layer_it_sits_above():
    edges = graph()
    broken = [
        f"{importer} imports {imported}: {why}"
        for importer, targets in sorted(edges.items())
        for imported in sorted(targets)
        for above, below, why in FORBIDDEN
        if _under(importer, above) and _under(imported, below)
    ]
    broken += [
        f"{importer} imports {imported}: only the app factory mounts routers"
        for importer, targets in sorted(edges.items())
        for imported in sorted(targets)
        if _under(imported, "app.routers") and importer not in ROUTER_IMPORTERS
    ]
    assert not broken, "\n".join(broken)


def test_there_is_no_import_cycle_among_app_modules():
    found = cycles(graph())
    assert not found, "import cycles:\n" + "\n".join(" ↔ ".join(cycle) for cycle in found)


def test_a_cycle_is_found_when_there_is_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


_LISTENERS_CHECK = """
import importlib, pkgutil
import app
from sqlalchemy.orm import Session, SessionEvents

def listening():
    session = Session()
    names = [n for n in dir(SessionEvents) if not n.startswith("_") and n != "dispatch"]
    found = {n: [f.__name__ for f in getattr(session.dispatch, n)] for n in names}
    return {n: listeners for n, listeners in found.items() if listeners}

for module in pkgutil.walk_packages(app.__path__, "app."):
    if module.name != "app.main":  # importing it runs the app factory
        importlib.import_module(module.name)
assert listening() == {}, listening()

from app.services import audit
try:
    audit.record(Session(), actor=None, action="probe", entity_type="probe", entity_id=0)
except RuntimeError:
    pass
else:
    raise AssertionError("an audit entry was queued with no one to write it")

from app.main import create_app
create_app()
assert listening() == {
    "before_commit": ["chain_before_commit"],
    "before_flush": ["follow_case_assignment"],
}, listening()
"""


def test_listeners_are_installed_by_the_app_factory_not_by_importing_modules():
    result = subprocess.run(
        [sys.executable, "-c", _LISTENERS_CHECK],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
