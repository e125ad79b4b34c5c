"""Periodic jobs: idempotent functions that `manage.py runperiodic` runs.

Apps register their jobs in `AppConfig.ready()`. Every job must be safe to run at any time and any
number of times (it works out what is due by itself), so cron, systemd timers and the
development loop of `make run` can all call `runperiodic` without coordination.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Callable[[], str]
    description: str


_jobs: dict[str, PeriodicJob] = {}


def register(name: str, description: str) -> Callable[[Callable[[], str]], Callable[[], str]]:
    """Decorator: `@register("users.purge_throttles", "...")` on a function returning a summary."""

    def decorate(function: Callable[[], str]) -> Callable[[], str]:
        _jobs[name] = PeriodicJob(name=name, run=function, description=description)
        return function

    return decorate


def jobs() -> list[PeriodicJob]:
    return [_jobs[name] for name in sorted(_jobs)]
