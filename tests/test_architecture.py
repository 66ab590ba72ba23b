"""The layering of the package (docs/architecture.md), checked on the import graph.

Every ``import`` and ``from ... import`` of every module under ``exactnet/`` (and ``proofs/``,
installed as ``exactnet.proofs``) is read with :mod:`ast`, including imports inside functions
(lazy imports count). The test fails on

* an edge from a lower layer to a higher one, or between two packages of the same layer
  (e.g. one activation family importing another);
* a cycle between modules;
* ``click`` or ``rich`` imported outside ``exactnet/cli/``; ``ppl`` or ``highspy`` imported
  outside their one module in ``exactnet/polyhedra/``;
* a checker (``exactnet/check/``) importing anything but the numbers, the network model, the
  certificate format and its own helpers;
* a module imported by a string (``importlib.import_module``) outside the claim registry.

Run alone: ``python -m pytest tests/test_architecture.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: The layers, lowest first. A module may import modules of its own package (the second
#: component of its name, e.g. ``exactnet.relu``) and of strictly lower layers only.
LAYERS: list[tuple[str, ...]] = [
    ("_version", "errors"),                            # base: the version, the error types
    ("deadline", "progress"),                          # base: time limits, progress protocol
    ("numbers",),                                      # exact numbers
    ("network",),                                      # the network model, evaluation, domains
    ("io", "certificates", "linalg", "distributed"),   # file formats, the certificate format, linear algebra, executors
    ("polyhedra",),                                    # exact LP / polyhedra (uses linalg)
    ("relu", "tanh", "symmetry", "check"),             # families and the independent checkers
    ("reproduce",),                                    # the registered claims (proofs/ is part of it)
    ("cli",),                                          # the only package that imports click/Rich
    ("", "__main__"),                                  # the facade ``exactnet`` and ``python -m exactnet``
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}

#: What the checkers may import (besides their own package).
CHECKER_ALLOWED = {"_version", "errors", "deadline", "numbers", "network", "certificates", "check"}
#: Deciding (and higher) packages that must not even be loaded when certificates are checked
#: (``exactnet/__init__`` loads its names lazily; ``io`` reads files and decides nothing).
DECIDING = {"relu", "tanh", "symmetry", "polyhedra", "linalg", "reproduce", "proofs", "cli"}
assert not CHECKER_ALLOWED & DECIDING

#: Third-party modules confined to one place.
CONFINED = {
    "click": "cli", "rich": "cli",
    "ppl": "polyhedra.ppl_backend", "highspy": "polyhedra.highs_backend",
}


def _module_files():
    for path in sorted((ROOT / "exactnet").rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("").parts
        yield path, ".".join(rel[:-1] if rel[-1] == "__init__" else rel)
    for path in sorted((ROOT / "proofs").rglob("*.py")):
        rel = ("exactnet", "proofs") + path.relative_to(ROOT / "proofs").with_suffix("").parts
        yield path, ".".join(rel[:-1] if rel[-1] == "__init__" else rel)


def _imports(path: Path, module: str) -> list[tuple[str, int]]:
    """Every module named by an import statement of ``path`` (resolved), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, node.lineno))
            for alias in node.names:  # `from pkg import submodule` is an edge to the submodule
                out.append((f"{target}.{alias.name}", node.lineno))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module"):
            out.append(("<importlib>", node.lineno))
    return out


GRAPH: dict[str, list[tuple[str, int]]] = {}
FILES: dict[str, Path] = {}
for _path, _module in _module_files():
    GRAPH[_module] = _imports(_path, _module)
    FILES[_module] = _path
MODULES = set(GRAPH)


#: ``proofs/`` (installed as ``exactnet.proofs``) holds the claims of ``exactnet.reproduce``.
ALIASES = {"proofs": "reproduce"}


def _component(module: str) -> str:
    parts = module.split(".")
    name = parts[1] if len(parts) > 1 else ""
    return ALIASES.get(name, name)


def _internal(target: str) -> str | None:
    """The exactnet module an import names (the longest existing prefix), or ``None``."""
    if not (target == "exactnet" or target.startswith("exactnet.")):
        return None
    while target not in MODULES:
        target = target.rsplit(".", 1)[0]
    return target


def _edges():
    for module, imports in GRAPH.items():
        for target, line in imports:
            dest = _internal(target)
            if dest is not None and dest != module:
                yield module, dest, line


def _where(module: str, line: int) -> str:
    return f"{FILES[module].relative_to(ROOT)}:{line}"


def test_every_package_has_a_layer():
    missing = sorted({_component(m) for m in MODULES} - set(RANK))
    assert not missing, f"packages without a layer in tests/test_architecture.py and docs/architecture.md: {missing}"


def test_no_upward_or_sideways_edges():
    bad = []
    for module, dest, line in _edges():
        src, dst = _component(module), _component(dest)
        if src == dst:
            continue
        if RANK[dst] >= RANK[src]:
            bad.append(f"{_where(module, line)}: {module} imports {dest} "
                       f"(layer {RANK[src]} → layer {RANK[dst]})")
    assert not bad, "imports against the layer order (docs/architecture.md):\n" + "\n".join(sorted(set(bad)))


def test_no_import_cycles():
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, dest, _line in _edges():
        graph[module].add(dest)
    # Tarjan's strongly connected components
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * len(graph)))
    try:
        for v in sorted(graph):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    # a package importing its own submodules while they import names from the package's
    # __init__ is the usual re-export pattern, not a cycle between ideas: ignore edges into
    # a package __init__ from its own submodules
    real = []
    for comp in cycles:
        inner = [m for m in comp if not any(o != m and o.startswith(m + ".") for o in comp)]
        if len(inner) > 1:
            real.append(comp)
    assert not real, "import cycles:\n" + "\n".join(" ↔ ".join(c) for c in real)


@pytest.mark.parametrize("library", sorted(CONFINED))
def test_third_party_libraries_are_confined(library):
    home = "exactnet." + CONFINED[library]
    bad = [f"{_where(m, line)}: {m} imports {t}" for m, imports in GRAPH.items() for t, line in imports
           if (t == library or t.startswith(library + ".")) and not (m == home or m.startswith(home + "."))]
    assert not bad, f"{library} may only be imported in {home}:\n" + "\n".join(bad)


def test_checkers_import_no_deciding_code():
    bad = []
    for module, dest, line in _edges():
        if _component(module) != "check":
            continue
        if _component(dest) not in CHECKER_ALLOWED:
            bad.append(f"{_where(module, line)}: the checker {module} imports {dest}")
    assert not bad, ("checkers may only import numbers/, network/, certificates/ and check/ "
                     "(docs/architecture.md):\n" + "\n".join(sorted(set(bad))))


def test_checkers_import_no_private_names_of_other_checkers():
    bad = []
    for module in MODULES:
        if _component(module) != "check":
            continue
        tree = ast.parse(FILES[module].read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level and any(a.name.startswith("_") for a in node.names):
                bad.append(f"{_where(module, node.lineno)}: {[a.name for a in node.names]}")
    assert not bad, "private names imported across checkers:\n" + "\n".join(bad)


def test_no_imports_by_string():
    bad = [f"{_where(m, line)}: {m}" for m, imports in GRAPH.items() for t, line in imports
           if t == "<importlib>" and m != "exactnet.reproduce.registry"]
    assert not bad, "modules imported by a string hide edges from this test:\n" + "\n".join(bad)


def test_checkers_really_load_without_deciding_code():
    """The same rule at run time: checking a certificate of every family loads no deciding module."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import exactnet.check\n"
        "bad = [m for m in sys.modules if m.split('.')[:2] in ([\"exactnet\", p] for p in "
        f"{sorted(DECIDING)!r}) or m in ('ppl', 'highspy', 'click', 'rich')]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_layers_are_documented():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for names in LAYERS:
        for name in names:
            if name:
                assert f"`{name}" in text, f"docs/architecture.md does not mention the layer member {name!r}"
    assert "python -m pytest tests/test_architecture.py" in text
