"""The lock files pin every dependency of pyproject.toml at a version its range admits, so that
`make run` and `make test` install what CI tested (issue 15, item 10)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            package, _, version = line.partition("==")
            assert version, f"{name}: « {line} » is not pinned with =="
            pins[canonicalize_name(package)] = version.strip()
    return pins


def _requirements(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    texts = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [Requirement(text) for text in texts]


def test_the_runtime_lock_pins_every_dependency_within_its_range() -> None:
    pins = _pins("requirements.lock")
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is missing from requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]} outside {requirement.specifier}: run `make lock`"
        )


def test_the_dev_lock_pins_runtime_and_dev_dependencies_alike() -> None:
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    for requirement in [*_requirements(), *_requirements("dev")]:
        name = canonicalize_name(requirement.name)
        assert name in dev, f"{requirement.name} is missing from requirements-dev.lock: run `make lock`"
        assert requirement.specifier.contains(dev[name], prereleases=True), name
    shared = runtime.keys() & dev.keys()
    assert {name: runtime[name] for name in shared} == {name: dev[name] for name in shared}
