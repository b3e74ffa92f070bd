"""``tend inactive_assignments``: list anything still assigned to a deactivated person."""

from django.core.management.base import BaseCommand, CommandError

from tend.handover.selectors import inactive_assignments


class Command(BaseCommand):
    help = "Find customers, promises, cases, tasks... still assigned to an inactive person."

    def handle(self, *args, **options):
        found = inactive_assignments()
        for line in found:
            self.stdout.write(line)
        if found:
            raise CommandError(f"{len(found)} record(s) are assigned to inactive people.")
        self.stdout.write(self.style.SUCCESS("Nothing is assigned to an inactive person."))
