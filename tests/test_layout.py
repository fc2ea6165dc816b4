"""The shape of the code, held as it was agreed (issue 17): packages by concern, no import circle,
no file over 400 lines, Whoosh behind one package, and nothing above the backend seam importing an
engine's library. Read from the source with ``ast``: imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("search", "webui", "bench")
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ours that ``name`` imports anywhere in its file: ``from a import b`` is a.b
    when that is a module, else a."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                found.add(sub if sub in known else module)
    return {m for m in found if m in known and m != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_circle():
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_a_circle():
    # The check itself must be able to fail: the circle webui had before this layout.
    graph = {"webui.errors": {"webui.templating"}, "webui.templating": {"webui.hit_cards"},
             "webui.hit_cards": {"webui.sessions"}, "webui.sessions": {"webui.errors"}, "webui.other": set()}
    assert _cycles(graph) == [["webui.errors", "webui.hit_cards", "webui.sessions", "webui.templating"]]


@pytest.mark.parametrize("package", ["search", "webui"])
def test_no_file_over_400_lines(package):
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / package).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def _importers_of(prefix: str) -> set[str]:
    modules = _modules()
    out = set()
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            if any(n == prefix or n.startswith(prefix + ".") for n in names):
                out.add(name)
    return out


def test_whoosh_is_imported_only_by_the_embedded_index():
    assert {m for m in _importers_of("whoosh") if not m.startswith("search.whoosh_index")} == set()


def test_nothing_above_the_seam_imports_a_backend():
    # The engine, the site, compare, targets and briefings reach an index only through
    # search.backend. The CLI's build, add, remove and check manage the embedded index itself, and
    # search.adding adds reports to it for the CLI and the site's admin pages.
    graph = _graph()
    importers = {m for m, deps in graph.items() if any(d.startswith("search.whoosh_index") for d in deps)}
    allowed = ("search.whoosh_index", "search.cli", "search.adding", "bench")
    assert {m for m in importers if not m.startswith(allowed)} == set()


def test_every_package_says_what_it_holds_and_may_import():
    for init in sorted((ROOT / "search").glob("*/__init__.py")) + sorted((ROOT / "webui").glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "import" in doc.lower() or init.parent.name == "reading", init
