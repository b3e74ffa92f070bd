"""Open cases move with the person who owns them: each move is a recorded hand-off."""

from django.utils.translation import gettext_lazy

from tend.handover.registry import HandoverItem, HandoverKind, counts_by_person, register

from .models import OPEN_STATUSES, Case


class OpenCases(HandoverKind):
    key = "cases_open"
    label = gettext_lazy("Open service cases")

    def items(self, person):
        cases = Case.objects.filter(owner=person, status__in=OPEN_STATUSES).select_related(
            "customer__territory"
        )
        return [
            HandoverItem(
                kind=self.key,
                pk=case.pk,
                label=f"#{case.pk} {case.title} — {case.customer.name}",
                customer_id=case.customer_id,
                territory=case.customer.territory.name if case.customer.territory_id else "",
                detail=f"{case.get_severity_display()}, {case.sla_used_pct}% SLA",
            )
            for case in cases
        ]

    def held_counts(self, people):
        return counts_by_person(Case.objects.filter(status__in=OPEN_STATUSES), "owner", people)

    def move(self, *, person, moves, by):
        from django.utils import timezone

        from . import sla
        from .services.cases import _hand_off

        now = timezone.now()
        cases = (
            Case.objects.select_for_update(of=("self",))
            .select_related("customer", "owner", "owner__team")
            .filter(owner=person, status__in=OPEN_STATUSES)
            .in_bulk([item.pk for item, _successor in moves])
        )
        for item, successor in moves:
            case = cases.get(item.pk)
            if case is None or successor.pk == case.owner_id:
                continue
            _hand_off(case, to=successor, by=by, reason=str(gettext_lazy("Handover")), at=now)
            sla.apply_clock(case, now=now)
            case.save(update_fields=sla.SLA_FIELDS)

    def assigned_to_inactive(self):
        for case in Case.objects.filter(
            status__in=OPEN_STATUSES, owner__is_active=False
        ).select_related("owner", "customer"):
            yield (
                f"Open case #{case.pk} ({case.title}) at {case.customer.name} is held by "
                f"inactive {case.owner}"
            )


register(OpenCases())
