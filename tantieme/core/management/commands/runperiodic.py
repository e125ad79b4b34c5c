"""Run every periodic job once (cron, systemd timer), or in a loop for development."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from tantieme.core.periodic import jobs


class Command(BaseCommand):
    help = "Lance les tâches périodiques (idempotentes) : une fois, ou en boucle avec --loop SECONDES."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loop", type=int, metavar="SECONDES", help="Recommencer toutes les N secondes.")
        parser.add_argument("--only", action="append", metavar="NOM", help="Ne lancer que cette tâche.")
        parser.add_argument("--list", action="store_true", help="Lister les tâches.")

    def handle(self, *args: Any, **options: Any) -> None:
        selected = jobs()
        if options["list"]:
            for job in selected:
                self.stdout.write(f"{job.name}: {job.description}")
            return
        if options["only"]:
            unknown = set(options["only"]) - {job.name for job in selected}
            if unknown:
                raise CommandError(f"Tâche inconnue : {', '.join(sorted(unknown))}")
            selected = [job for job in selected if job.name in options["only"]]
        failures = 0
        while True:
            for job in selected:
                try:
                    summary = job.run()
                except Exception as error:  # noqa: BLE001  (one failing job must not stop the others)
                    failures += 1
                    self.stderr.write(f"{job.name}: échec : {type(error).__name__}: {error}")
                else:
                    self.stdout.write(f"{job.name}: {summary}")
            if not options["loop"]:
                break
            time.sleep(options["loop"])
            # A long-running loop drops connections the database may have closed meanwhile.
            close_old_connections()
        if failures:
            raise CommandError(f"{failures} tâche(s) en échec.")
