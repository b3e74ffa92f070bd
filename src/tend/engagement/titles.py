"""The timeline's words for interactions and promises, kept as messages so that each reader reads
them in their own language. The services and the demo book both write with these."""

from django.utils.translation import gettext_lazy

from tend.core.i18n import TranslatableText

from .models import Channel, Direction, PromiseOutcome

# Keyed by (has a subject, needs an answer).
INTERACTION = {
    (True, True): gettext_lazy("%(arrow)s %(channel)s: %(subject)s (needs an answer)"),
    (True, False): gettext_lazy("%(arrow)s %(channel)s: %(subject)s"),
    (False, True): gettext_lazy("%(arrow)s %(channel)s (needs an answer)"),
    (False, False): gettext_lazy("%(arrow)s %(channel)s"),
}
PROMISE_MADE = gettext_lazy("Promised: %(what)s, due %(due)s")
PROMISE_CLOSED = {
    PromiseOutcome.KEPT: gettext_lazy("Promise kept: %(what)s"),
    PromiseOutcome.KEPT_LATE: gettext_lazy("Promise kept late: %(what)s"),
    PromiseOutcome.BROKEN: gettext_lazy("Promise broken: %(what)s"),
    PromiseOutcome.WITHDRAWN: gettext_lazy("Promise withdrawn: %(what)s"),
}


def arrow(direction: str) -> str:
    return "→" if direction == Direction.OUTBOUND else "←"


def interaction_title(
    *, channel: str, direction: str, subject: str, needs_answer: bool
) -> TranslatableText:
    return TranslatableText(
        INTERACTION[(bool(subject), bool(needs_answer))],
        {"arrow": arrow(direction), "channel": Channel(channel).label, "subject": subject},
    )
