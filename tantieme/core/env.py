"""Typed readers for environment variables that fail loudly.

Settings are read once at start-up; a malformed value must stop the process with a message
naming the variable, never fall back silently to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


class EnvError(Exception):
    """A variable is missing or malformed."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    source = os.environ if environ is None else environ
    value = source.get(name)
    if value is None:
        if default is None:
            raise EnvError(f"Environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    source = os.environ if environ is None else environ
    raw = source.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EnvError(f"Environment variable {name} must be a boolean (1/0, true/false), not {raw!r}.")


def env_int(name: str, default: int, *, environ: Mapping[str, str] | None = None) -> int:
    source = os.environ if environ is None else environ
    raw = source.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise EnvError(f"Environment variable {name} must be an integer, not {raw!r}.") from None


def env_list(name: str, default: list[str], *, environ: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    source = os.environ if environ is None else environ
    raw = source.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...], *, environ: Mapping[str, str] | None = None) -> str:
    value = env_str(name, default, environ=environ).strip().lower()
    if value not in choices:
        raise EnvError(f"Environment variable {name} must be one of {', '.join(choices)}, not {value!r}.")
    return value
