"""Customer-facing wording for order updates, in the contact's language. The sentences are
gettext messages and the letters are templates (``orders/messages/*.txt``), so they are
translated in the catalogue like the rest of Tend; a contact whose language Tend does not speak
gets English. Plain text: it goes by email, WhatsApp or WeChat alike."""

from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy

# The contact's language (ISO 639-1, as on the contact) -> the language Tend writes in.
SPOKEN = {"en": "en", "zh": "zh-hans"}

# Each language by its own name, as the preview shows which one a message is in.
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}

SENTENCES = {
    "delay_subject_new": gettext_lazy(
        "Update on your order %(number)s: new ship date %(new_date)s"
    ),
    "delay_subject_same": gettext_lazy(
        "Update on your order %(number)s: still expected to ship on %(previous_date)s"
    ),
    "delay_subject_unknown": gettext_lazy(
        "Update on your order %(number)s: new ship date to follow"
    ),
    "delay_intro_first": gettext_lazy(
        "We want to tell you before you have to ask: your order %(number)s will not ship "
        "on %(promised_date)s as promised."
    ),
    "delay_intro_later": gettext_lazy(
        "Here is the latest on your order %(number)s, which we first promised to ship on "
        "%(promised_date)s."
    ),
    "delay_intro_unpromised": gettext_lazy("Here is the latest on your order %(number)s."),
    "delay_first_new": gettext_lazy("The new expected ship date is %(new_date)s."),
    "delay_first_unknown": gettext_lazy(
        "We do not know the new ship date yet and will tell you as soon as we do."
    ),
    "delay_later_new": gettext_lazy(
        "It will not ship on %(previous_date)s, the date we last gave you. The new "
        "expected ship date is %(new_date)s."
    ),
    "delay_later_earlier": gettext_lazy(
        "It will ship sooner than %(previous_date)s, the date we last gave you. The new "
        "expected ship date is %(new_date)s."
    ),
    "delay_later_same": gettext_lazy(
        "It is still expected to ship on %(previous_date)s, the date we last gave you."
    ),
    "delay_later_unknown": gettext_lazy(
        "It will not ship on %(previous_date)s, the date we last gave you, and we do not "
        "know the new ship date yet. We will tell you as soon as we do."
    ),
    "delay_now_known": gettext_lazy("We now expect it to ship on %(new_date)s."),
    "delay_still_unknown": gettext_lazy(
        "We still do not know the new ship date and will tell you as soon as we do."
    ),
    "disruption_subject": gettext_lazy("%(title)s: how it affects your orders"),
    "order_line": gettext_lazy("- %(number)s: was to ship %(old_date)s, now expected %(new_date)s"),
    "unknown_date": gettext_lazy("not yet known"),
}


def language_for(code: str) -> str:
    """The contact's language if Tend writes in it, else English."""
    return code if code in SPOKEN else "en"


def fmt_date(value: date | None, language: str) -> str:
    if value is None:
        return render(language, "unknown_date")
    return value.isoformat()


def render(language: str, key: str, **values) -> str:
    """One sentence in the contact's language."""
    with translation.override(SPOKEN[language_for(language)]):
        return str(SENTENCES[key]) % values if values else str(SENTENCES[key])


def letter(language: str, template: str, **values) -> str:
    """A whole message body from ``orders/messages/<template>.txt`` in the contact's language."""
    with translation.override(SPOKEN[language_for(language)]):
        return render_to_string(f"orders/messages/{template}.txt", values).strip()


@dataclass(frozen=True)
class DelayStep:
    """Where a late order stands when we write (``today``): the date first promised, whether
    the customer has had an update before and which date it gave (None: "not yet known"), and
    the current estimate."""

    promised: date | None
    told: bool
    previous: date | None
    estimate: date | None
    today: date

    @property
    def replaced(self) -> date | None:
        """The date the customer holds now, which this update replaces."""
        return self.previous if self.told else self.promised

    @property
    def new_date(self) -> date | None:
        """The estimate, when it is a date to give. A stale one gives nothing: a day already
        past, or, on a first update, a day no later than the promise being broken."""
        if self.estimate is None or self.estimate < self.today:
            return None
        if not self.told and self.promised is not None and self.estimate <= self.promised:
            return None
        return self.estimate

    @property
    def change(self) -> str:
        """Which sentence tells the customer what moved."""
        new, replaced = self.new_date, self.replaced
        if not self.told:
            if self.promised is None:
                return "now_known" if new else "first_unknown"
            return "first_new" if new else "first_unknown"
        if replaced is None:
            return "now_known" if new else "still_unknown"
        if new is None:
            return "later_unknown"
        if new == replaced:
            return "later_same"
        return "later_new" if new > replaced else "later_earlier"

    @property
    def intro(self) -> str:
        if self.promised is None:
            return "unpromised"
        return "later" if self.told else "first"

    @property
    def subject(self) -> str:
        if self.change == "later_same":
            return "same"
        return "new" if self.new_date else "unknown"


def delay_message(
    language: str, *, step: DelayStep, number: str, name: str, reason: str, sender: str
) -> tuple[str, str]:
    """The subject and body of an update about a late order, at any step of the delay."""
    language = language_for(language)
    values = {
        "number": number,
        "promised_date": fmt_date(step.promised, language),
        "previous_date": fmt_date(step.replaced, language),
        "new_date": fmt_date(step.new_date, language),
    }
    body = letter(
        language,
        "delay",
        name=name,
        reason=reason,
        sender=sender,
        intro=render(language, f"delay_intro_{step.intro}", **values),
        change=render(language, f"delay_{step.change}", **values),
    )
    return render(language, f"delay_subject_{step.subject}", **values), body
