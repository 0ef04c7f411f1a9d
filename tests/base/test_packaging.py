"""Extras install what their code imports, and nothing else; the dev gate installs from a lock."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "spicetrader"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = {name: {Requirement(r).name for r in reqs}
          for name, reqs in PROJECT["optional-dependencies"].items()}  # fmt: skip
CORE = {Requirement(r).name for r in PROJECT["dependencies"]}
# distributions whose modules arrive with another one the extra lists (not to be listed twice)
COMES_WITH = {"starlette": "fastapi", "pydantic": "core"}
DIST_OF = {"fastapi_offline": "fastapi-offline", "yaml": "pyyaml", "pynvml": "nvidia-ml-py"}


def _imports(folder: Path) -> set[str]:
    """Top-level third-party modules imported anywhere under ``folder``."""
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "spicetrader"}


def test_web_extra_is_what_web_imports() -> None:
    imported = _imports(PACKAGE / "web")
    needed = {DIST_OF.get(m, m) for m in imported if m not in COMES_WITH} - CORE
    source = "\n".join(p.read_text() for p in (PACKAGE / "web").rglob("*.py"))
    assert "fastapi.templating" in source  # Jinja2Templates: why jinja2 is in the extra
    assert EXTRAS["web"] == needed | {"jinja2"}
    assert "matplotlib" not in EXTRAS["web"]
    assert "python-multipart" not in EXTRAS["web"]


def test_charts_and_probe_extras_are_imported_where_used() -> None:
    assert EXTRAS["charts"] == {"matplotlib"}
    assert "matplotlib" in _imports(PACKAGE / "render")
    assert {DIST_OF.get(m, m) for m in ("pynvml", "psutil", "numpy")} == EXTRAS["probe"]


def test_launch_tools_are_only_for_checking_launch_files() -> None:
    assert "launch" not in EXTRAS  # writing a launch file needs no extra package
    assert EXTRAS["launch-check"] == {"skypilot", "nbformat", "dstack", "modal"}
    assert not {"sky", "nbformat", "dstack", "modal"} & _imports(PACKAGE)
    for name, dists in EXTRAS.items():
        if name not in ("launch-check", "dev"):
            assert "skypilot" not in dists, name


def test_the_dev_gate_installs_from_the_lock() -> None:
    install = (ROOT / "scripts" / "dev-install").read_text()
    assert "requirements-dev.lock" in install
    assert "launch-check" in install
    lock = (ROOT / "requirements-dev.lock").read_text().splitlines()
    pins = {Requirement(line).name.lower(): line for line in lock
            if line.strip() and not line.startswith("#")}  # fmt: skip
    assert all("==" in line for line in pins.values())
    for extra in ("dev", "web", "probe", "live", "charts", "launch-check"):
        for dist in EXTRAS[extra]:
            assert dist.lower() in pins, f"{dist} ({extra}) is not in requirements-dev.lock"
    gpuhunt = Requirement(pins["gpuhunt"])
    (live,) = [Requirement(r) for r in PROJECT["optional-dependencies"]["live"]]
    assert live.specifier.contains(next(iter(gpuhunt.specifier)).version)
