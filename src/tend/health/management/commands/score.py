"""``tend score``: score the whole book now and store today's snapshots."""

import json

from django.core.management.base import BaseCommand

from tend.health.services.scoring import score_book


class Command(BaseCommand):
    help = "Score every customer's health and store today's snapshot (replacing today's)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-playbooks", action="store_true", help="Do not open playbook tasks."
        )
        parser.add_argument("--json", action="store_true", help="Print the run as JSON.")

    def handle(self, *args, **options):
        run = score_book(run_playbooks=not options["no_playbooks"])
        levels = run.parameters.get("levels", {})
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "day": run.day.isoformat(),
                        "customers": run.customers,
                        "levels": levels,
                        "timings": run.timings,
                        "parameters": run.parameters,
                    }
                )
            )
            return
        total = sum(run.timings.values())
        self.stdout.write(
            f"Scored {run.customers} customers for {run.day} in {total:.1f} s "
            f"(high {levels.get('high', 0)}, medium {levels.get('medium', 0)}, "
            f"low {levels.get('low', 0)}); "
            f"{run.parameters.get('tasks_opened', 0)} playbook tasks opened."
        )
        split = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in run.timings.items())
        self.stdout.write(f"Time: {split}")
        if run.parameters.get("problem"):
            self.stdout.write(self.style.WARNING(f"Note: {run.parameters['problem']}"))
