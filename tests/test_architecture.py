"""The dependency rules of DESIGN.md, checked by reading the imports."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN_IN_FLOWS = {"flask", "twilio", "redis", "rq", "werkzeug"}


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
    paths = list(ROOT.glob("*.py")) + [p for pkg in ("flows", "ivr", "sms", "workers", "staff") for p in files(pkg)]
    readers = {p.name for p in paths if reads_environment(p)}
    assert readers <= {"config.py"}, readers
    assert reads_environment(ROOT / "config.py")


def test_the_detector_sees_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from redis import Redis\nimport flask.json\n")
    assert imports_of(bad) & FORBIDDEN_IN_FLOWS == {"redis", "flask"}


def test_layout_is_in_place():
    for name in ["ivr", "sms", "flows", "workers", "staff", "tests", "app.py", "config.py", "connections.py",
                 "twilio_webhooks.py", "Procfile", "README.md", "pyproject.toml", "Makefile", ".ci/run"]:
        assert (ROOT / name).exists(), name
