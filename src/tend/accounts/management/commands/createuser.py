"""``tend createuser``: add a person with a role and a team."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tend.accounts.models import Role, Team
from tend.accounts.services import user_create


def _refusal(exc: ValidationError) -> str:
    """One line a person can act on: the option each problem belongs to, then the problems."""
    if not hasattr(exc, "error_dict"):
        return "Password: " + " ".join(exc.messages)
    options = {"team": "--team", "email": "--email", "username": "username"}
    return "; ".join(
        f"{options.get(field, field)}: {' '.join(messages)}"
        for field, messages in exc.message_dict.items()
    )


class Command(BaseCommand):
    help = "Create a person who can log in to Tend."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.REP)
        parser.add_argument("--team", help="Team name; created if it does not exist.")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--password", help="Asked for when omitted.")

    def handle(self, *args, username, role, team, email, first_name, last_name, password, **kw):
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            with transaction.atomic():  # a refused person leaves no new team behind
                team_obj = Team.objects.get_or_create(name=team.strip())[0] if team else None
                user = user_create(
                    username=username,
                    password=password,
                    role=role,
                    team=team_obj,
                    email=email,
                    first_name=first_name,
                    last_name=last_name,
                )
        except ValidationError as exc:
            raise CommandError(_refusal(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {user.role} {user.username}."))
