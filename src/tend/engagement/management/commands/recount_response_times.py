"""``tend recount_response_times``: count stored response times again by the current rule."""

from django.core.management.base import BaseCommand

from tend.engagement.services import inquiries_response_recount


class Command(BaseCommand):
    help = (
        "Count every answered inquiry's response time again on the customer's clock (zone, "
        "working week, public holidays) and save those that changed. Run once after upgrading "
        "to the version that counts public holidays as days off."
    )

    def handle(self, *args, **options):
        changed = inquiries_response_recount()
        self.stdout.write(self.style.SUCCESS(f"{changed} response time(s) changed."))
