"""Contact first: the few customers to contact before anything else today, ranked across every
section of the agenda that gives its rows a reason (late orders, promises, inquiries, tasks,
customers at high risk, touches, samples, pool returns...).

The score of one reason is

    weight of its section  x  urgency  x  value of the customer

- *weight*: declared by the section when it registers (a late order the customer has not heard
  about weighs more than an overdue touch);
- *urgency*: ``1 + min(days, 28) / 7``, from 1 when due today to 5 when four weeks or more
  overdue (or waiting): the longer it waits the worse, but a years-old touch does not bury a
  promise due today;
- *value*: the customer's tier, A 3, B 2, C 1 (tiers come from revenue, margin and potential).

A customer appears once, with all its reasons in words, strongest first; its score is the sum
of its reasons' scores. Ties go to the customer with the single strongest reason, then by name.

Each section offers its first ``CANDIDATES`` rows, in its own order, which is already its
urgency order (oldest, most overdue, most valuable first): the same rows the page shows, so the
list costs no query of its own. A reason beyond a section's first ``CANDIDATES`` rows is left
out of the ranking, never out of its section."""

from dataclasses import dataclass, field

from .registry import AgendaContext, AgendaSection, Reason, SectionResult

CANDIDATES = 20
TOP = 12
MAX_DAYS = 28
TIER_VALUE = {"A": 3, "B": 2, "C": 1}


def reason_score(*, weight: float, days: int, tier: str) -> float:
    urgency = 1 + min(max(days, 0), MAX_DAYS) / 7
    return weight * urgency * TIER_VALUE.get(tier, 1)


@dataclass(frozen=True)
class RankedReason:
    section: str  # the section's key
    reason: Reason
    score: float


@dataclass
class Contact:
    customer: object
    row: object  # the first row it came from (``rows.Row``), for the customer's local moment
    reasons: list[RankedReason] = field(default_factory=list)

    @property
    def local(self):
        """The customer's LocalMoment, worked out for the contacts shown only."""
        return self.row.local

    @property
    def score(self) -> float:
        return sum(reason.score for reason in self.reasons)


def contact_first(
    results: list[tuple[AgendaSection, SectionResult]], context: AgendaContext, top: int = TOP
) -> list[Contact]:
    """The ``top`` customers to contact first, from the sections' rows."""
    contacts: dict[int, Contact] = {}
    for section, result in results:
        if section.reason is None:
            continue
        for row in result.rows[:CANDIDATES]:
            if row.customer is None:
                continue
            reason = section.reason(row, context)
            if reason is None:
                continue
            contact = contacts.setdefault(row.customer.pk, Contact(customer=row.customer, row=row))
            contact.reasons.append(
                RankedReason(
                    section=section.key,
                    reason=reason,
                    score=reason_score(
                        weight=section.weight, days=reason.days, tier=row.customer.tier
                    ),
                )
            )
    for contact in contacts.values():
        contact.reasons.sort(key=lambda ranked: -ranked.score)
    ranked = sorted(
        contacts.values(),
        key=lambda c: (-c.score, -c.reasons[0].score, c.customer.name, c.customer.pk),
    )
    return ranked[:top]
