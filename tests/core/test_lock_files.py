"""The hashed lock files cover every dependency in pyproject.toml, pin every package with its
hashes, and admit no version with a known vulnerability among those the floors exclude."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)")


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    pins = {}
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{match.group(1)} has no hash in {lock}"
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


@pytest.mark.parametrize(("lock", "extras"), [("base.txt", []), ("dev.txt", ["dev"])])
def test_every_dependency_is_locked_with_hashes(lock, extras):
    project = _project()
    wanted = [*project["dependencies"]]
    for extra in extras:
        wanted += project["optional-dependencies"][extra]
    pins = _pins(lock)
    missing = {_name(r) for r in wanted} - set(pins)
    assert not missing, f"run `make lock`: {sorted(missing)} missing from requirements/{lock}"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


@pytest.mark.parametrize(
    ("package", "floor"), [("django", "5.2.9"), ("djangorestframework", "3.15.2")]
)
def test_the_floors_and_the_lock_exclude_vulnerable_releases(package, floor):
    requirement = next(r for r in _project()["dependencies"] if _name(r) == package)
    assert f">={floor}" in requirement
    assert _version(_pins("base.txt")[package]) >= _version(floor)


def test_the_new_dependencies_are_in_the_right_extras():
    project = _project()
    runtime = {_name(r) for r in project["dependencies"]}
    dev = {_name(r) for r in project["optional-dependencies"]["dev"]}
    assert {"django-filter", "weasyprint"} <= runtime
    assert {"import-linter", "textstat", "pypdf"} <= dev


def test_make_install_and_ci_use_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r $(LOCK_DEV)" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    assert "--generate-hashes" in makefile and "\nlock:" in makefile
    assert "make check" in (ROOT / ".ci" / "run").read_text()
