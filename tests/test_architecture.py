"""The dependency rules of DESIGN.md, checked by reading the imports.

The import graph (no cycles among the project's modules) counts EVERY import statement, wherever
it is: at module level, inside a function or a class, in a try block. A function-level import
still ties the two modules together (it only moves the failure to run time), so it is no way
round a cycle. Only imports under `if TYPE_CHECKING:` are left out: they never run. Importing
`a.b` also runs the package `a/__init__.py` first; that is not counted as an edge to `a` (a
package's __init__ may gather its own submodules, e.g. to register views, as long as they import
nothing from it: each blueprint lives in its own `blueprint.py` for that reason). The one kind of
string that names code run elsewhere, an rq job's dotted path in workers/enqueue.py, is not an
import: test_every_job_name_resolves checks the job names. Hooks (retention, export, erasure) are
lists of functions, imported like anything else, so the graph sees them.
"""

import ast
import importlib
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_FLOWS = {"flask", "twilio", "redis", "rq", "werkzeug"}
PACKAGES = ("commands", "flows", "ivr", "sms", "staff", "store", "workers")


def imports_of(path: Path) -> set[str]:
    """Top-level package names a Python file imports."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", files("flows"), ids=lambda p: str(p.relative_to(ROOT)))
def test_flows_stay_pure(path):
    assert imports_of(path) & FORBIDDEN_IN_FLOWS == set()


@pytest.mark.parametrize("package,other", [("ivr", "sms"), ("sms", "ivr")])
def test_channels_do_not_import_each_other(package, other):
    offenders = [p.name for p in files(package) if other in imports_of(p)]
    assert offenders == []


def reads_environment(path: Path) -> bool:
    """True if the code touches os.environ or calls getenv (comments do not count)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            return True
        if isinstance(node, ast.Name) and node.id in ("environ", "getenv"):
            return True
    return False


def test_only_config_reads_the_environment():
    paths = list(ROOT.glob("*.py")) + [p for pkg in PACKAGES for p in files(pkg)]
    readers = {p.name for p in paths if reads_environment(p)}
    assert readers <= {"config.py"}, readers
    assert reads_environment(ROOT / "config.py")


def test_the_detector_sees_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from redis import Redis\nimport flask.json\n")
    assert imports_of(bad) & FORBIDDEN_IN_FLOWS == {"redis", "flask"}


def test_layout_is_in_place():
    for name in ["ivr", "sms", "flows", "workers", "staff", "store", "commands", "tests", "app.py", "config.py",
                 "connections.py",
                 "twilio_webhooks.py", "Procfile", "README.md", "pyproject.toml", "Makefile", ".ci/run"]:
        assert (ROOT / name).exists(), name


# --- the import graph -------------------------------------------------------------------------


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the service by dotted name (a package by its name, for its __init__.py)."""
    paths = list(root.glob("*.py")) + [p for package in PACKAGES for p in (root / package).rglob("*.py")]
    modules = {}
    for path in paths:
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _type_checking_only(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _imports_anywhere(tree: ast.AST):
    """Every Import and ImportFrom in the tree, at any depth, except under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        if _type_checking_only(node):
            yield from (n for child in node.orelse for n in _imports_anywhere(ast.Module(body=[child], type_ignores=[])))
            continue
        yield from _imports_anywhere(node)


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the project modules it imports (a name imported from a package that is one of its
    submodules counts as that submodule; any other name as the package itself)."""

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in _imports_anywhere(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                found |= {resolve(alias.name) for alias in node.names}
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found |= {resolve(f"{base}.{alias.name}") for alias in node.names}
        graph[name] = found - {None, name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that import each other, directly or round a loop (Tarjan), sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.get(module, ())):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                group.append(other)
                if other == module:
                    break
            if len(group) > 1 or module in graph.get(module, ()):
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def test_no_import_cycles():
    assert cycles(import_graph(project_modules())) == []


def test_the_cycle_finder_sees_a_cycle_through_a_function_level_import(tmp_path):
    (tmp_path / "workers").mkdir()
    (tmp_path / "workers" / "__init__.py").write_text("")
    (tmp_path / "workers" / "jobs.py").write_text("from workers.outbound import enqueue\n")
    (tmp_path / "workers" / "outbound.py").write_text("def enqueue():\n    from workers.jobs import deliver\n")
    (tmp_path / "workers" / "senders.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from workers import jobs\n")
    (tmp_path / "app.py").write_text("import cli\n")
    (tmp_path / "cli.py").write_text("def register():\n    from app import create_app\n")
    graph = import_graph(project_modules(tmp_path))
    assert graph["workers.senders"] == set()  # TYPE_CHECKING imports never run
    assert cycles(graph) == [["app", "cli"], ["workers.jobs", "workers.outbound"]]


def test_the_store_imports_neither_rq_nor_the_workers():
    graph = import_graph(project_modules())
    for path in files("store"):
        assert "rq" not in imports_of(path), path.name
    offenders = {m: sorted(i for i in imported if i.split(".")[0] == "workers")
                 for m, imported in graph.items() if m.split(".")[0] == "store"}
    assert {m: i for m, i in offenders.items() if i} == {}


def test_only_the_app_imports_the_commands():
    graph = import_graph(project_modules())
    importers = {m for m, imported in graph.items() if any(i.split(".")[0] == "commands" for i in imported)}
    assert {m for m in importers if m.split(".")[0] != "commands"} == {"app"}


def test_every_job_name_resolves_to_a_function_of_the_workers():
    from workers.enqueue import JOBS

    for job in JOBS:
        module, _, name = job.rpartition(".")
        assert module.split(".")[0] == "workers", job
        assert callable(getattr(importlib.import_module(module), name)), job


def test_pyproject_installs_every_module_and_package():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert sorted(setuptools["py-modules"]) == sorted(p.stem for p in ROOT.glob("*.py"))
    included = setuptools["packages"]["find"]["include"]
    packages = sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in ("tests", "bench"))
    assert sorted(i.rstrip("*") for i in included) == packages
