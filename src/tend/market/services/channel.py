"""Territories, market checks and transshipment (story S4).

A market check records a lot seen in a shop. Tend traces the lot to the order lines that
shipped it (``OrderLine.batch_number``) and so to the dealers who received it. When a dealer's
territory for that product line does not cover the place, an alert names the source dealer,
the dealer harmed (holding exclusive rights there, if any) and the evidence; the harmed
dealer's risk rises (``market.signals``) and the source dealer's owner gets a task.

EU rule (Vertical Block Exemption Regulation 2022/720, art. 4(b)): a supplier may restrict a
dealer's *active* sales into a territory given exclusively to another, not its *passive* sales
(answering unsolicited buyers). The reviewer classifies each alert; no action is taken against
a passive sale, and any action against the source dealer goes through four-eyes approval.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.approvals.models import ApprovalRequest, RequestKind, RequestState
from tend.audit.models import AuditAction
from tend.audit.services import audit_record
from tend.core.i18n import TranslatableText
from tend.customers.models import Customer, Territory
from tend.orders.models import OrderLine, OrderStatus, Product
from tend.tasks.models import TaskKind
from tend.timeline.services import timeline_add

from ..models import (
    AlertState,
    ChannelAction,
    MarketCheck,
    SaleKind,
    TerritoryArea,
    TerritoryRight,
    TransshipmentAlert,
)
from ..timeline_kinds import MARKET

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
# Actions a reviewer may ask for, by how the sale was classified. Passive sales may not be
# restricted: nothing may be asked against them.
ACTIONS_BY_SALE = {
    SaleKind.ACTIVE: set(ChannelAction.values),
    SaleKind.PASSIVE: set(),
}


# --- Territories --------------------------------------------------------------------------


def _clean_place(country: str, province: str, city: str) -> tuple[str, str, str]:
    return (
        (country or "").strip().upper(),
        " ".join((province or "").split()),
        " ".join((city or "").split()),
    )


@transaction.atomic
def territory_area_add(
    *, by: User, territory: Territory, country: str, province: str = "", city: str = ""
) -> TerritoryArea:
    """Add a country, a province/state of it, or a city to a territory (admins and managers)."""
    if by.is_rep:
        raise PermissionDenied(_("Only managers and admins draw territories."))
    area = TerritoryArea(
        territory=territory,
        **dict(
            zip(("country", "province", "city"), _clean_place(country, province, city), strict=True)
        ),
    )
    area.full_clean()
    area.save()
    audit_record(actor=by, action=AuditAction.CREATE, instance=area, after={"area": str(area)})
    return area


@transaction.atomic
def territory_right_grant(
    *,
    by: User,
    dealer: Customer,
    territory: Territory,
    product_line: str = "",
    exclusive: bool = False,
    valid_from: date,
    valid_until: date | None = None,
) -> TerritoryRight:
    """Give a dealer the right to sell a line in a territory. Two dealers cannot both hold the
    same line exclusively in the same territory on the same day."""
    if by.is_rep:
        raise PermissionDenied(_("Only managers and admins grant territory rights."))
    product_line = " ".join((product_line or "").split())
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end comes before the start.")})
    right = TerritoryRight(
        dealer=dealer,
        territory=territory,
        product_line=product_line,
        exclusive=exclusive,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    right.full_clean()
    if exclusive:
        overlapping = (
            TerritoryRight.objects.select_for_update()
            .filter(territory=territory, exclusive=True)
            .exclude(dealer=dealer)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
        )
        if valid_until is not None:
            overlapping = overlapping.filter(valid_from__lte=valid_until)
        for other in overlapping.select_related("dealer"):
            if not other.product_line or not product_line or other.covers_line(product_line):
                raise ValidationError(
                    {
                        "exclusive": _("%(dealer)s already holds this exclusively then.")
                        % {"dealer": other.dealer}
                    }
                )
    right.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=right,
        after={
            "territory": territory.name,
            "product_line": product_line or "*",
            "exclusive": exclusive,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
        customer_id=dealer.pk,
    )
    return right


def _areas_by_territory(territory_ids) -> dict[int, list[TerritoryArea]]:
    out: dict[int, list[TerritoryArea]] = {}
    for area in TerritoryArea.objects.filter(territory_id__in=set(territory_ids)):
        out.setdefault(area.territory_id, []).append(area)
    return out


def dealer_covers(
    *,
    dealer: Customer,
    line: str,
    day: date,
    country: str,
    province: str,
    city: str,
    rights: list[TerritoryRight],
    areas: dict[int, list[TerritoryArea]],
) -> bool | None:
    """Whether the dealer may sell ``line`` at the place on ``day``: True/False, or None when
    nothing about its territory is known (no rights and no territory)."""
    own = [
        r for r in rights if r.dealer_id == dealer.pk and r.in_force(day) and r.covers_line(line)
    ]
    territory_ids = [r.territory_id for r in own]
    if not own and not [r for r in rights if r.dealer_id == dealer.pk]:
        if dealer.territory_id is None:
            return None
        territory_ids = [dealer.territory_id]
    return any(
        area.covers(country=country, province=province, city=city)
        for tid in territory_ids
        for area in areas.get(tid, [])
    )


def exclusive_holder(
    *,
    line: str,
    day: date,
    country: str,
    province: str,
    city: str,
    rights: list[TerritoryRight],
    areas: dict[int, list[TerritoryArea]],
    exclude: int,
) -> int | None:
    for right in rights:
        if (
            right.exclusive
            and right.dealer_id != exclude
            and right.in_force(day)
            and right.covers_line(line)
            and any(
                area.covers(country=country, province=province, city=city)
                for area in areas.get(right.territory_id, [])
            )
        ):
            return right.dealer_id
    return None


# --- Market checks ------------------------------------------------------------------------


def _check_photo(photo) -> None:
    if photo is None:
        return
    if photo.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("The photo is larger than 5 MB.")})
    content_type = getattr(photo, "content_type", "") or ""
    if content_type not in PHOTO_TYPES:
        raise ValidationError({"photo": _("A photo is a JPEG, PNG or WebP image.")})
    head = photo.read(16)
    photo.seek(0)
    if not (
        head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"\x89PNG\r\n\x1a\n")
        or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
    ):
        raise ValidationError({"photo": _("This file is not a JPEG, PNG or WebP image.")})


def market_check_record(
    *,
    by: User,
    country: str,
    city: str,
    shop: str,
    product: Product,
    lot_code: str,
    checked_on: date,
    province: str = "",
    price: Decimal | None = None,
    currency: str = "",
    photo=None,
    notes: str = "",
    now: datetime | None = None,
) -> MarketCheck:
    """Record what was seen, trace the lot, and raise an alert per dealer found out of its
    territory. Returns the check (its ``alerts`` made)."""
    now = now or timezone.now()
    country, province, city = _clean_place(country, province, city)
    lot_code = " ".join((lot_code or "").split())
    if not lot_code:
        raise ValidationError({"lot_code": _("Which lot? It is printed on the pack.")})
    if checked_on > timezone.localdate(now) + timedelta(days=1):
        raise ValidationError({"checked_on": _("That day has not come yet.")})
    if price is not None and not currency:
        raise ValidationError({"currency": _("In which currency is the price?")})
    _check_photo(photo)
    check = MarketCheck(
        country=country,
        province=province,
        city=city,
        shop=" ".join((shop or "").split()),
        product=product,
        lot_code=lot_code,
        price=price,
        currency=(currency or "").upper(),
        checked_on=checked_on,
        notes=(notes or "").strip(),
        by=by,
        created_at=now,
    )
    if photo is not None:
        check.photo = photo
    check.full_clean(exclude=["photo"])
    with transaction.atomic():
        check.save()
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            instance=check,
            after={"lot": lot_code, "where": f"{country} {province} {city} {check.shop}".strip()},
        )
        market_check_trace(check=check, now=now)
    return check


def market_check_trace(
    *, check: MarketCheck, now: datetime | None = None
) -> list[TransshipmentAlert]:
    """Trace the check's lot to the dealers who received it; alert where it is out of place.
    Safe to run again: one alert per check and source dealer."""
    now = now or timezone.now()
    lines = list(
        OrderLine.objects.filter(batch_number__iexact=check.lot_code, product_id=check.product_id)
        .exclude(order__status=OrderStatus.CANCELLED)
        .select_related("order__customer__owner")
        .order_by("order__order_date", "pk")
    )
    first_line: dict[int, OrderLine] = {}
    for line in lines:
        first_line.setdefault(line.order.customer_id, line)
    if not first_line:
        return []
    rights = list(TerritoryRight.objects.order_by("valid_from", "pk"))
    territory_ids = {r.territory_id for r in rights} | {
        line.order.customer.territory_id
        for line in first_line.values()
        if line.order.customer.territory_id
    }
    areas = _areas_by_territory(territory_ids)
    product_line = check.product.category
    place = {"country": check.country, "province": check.province, "city": check.city}
    alerts = []
    for dealer_id, line in first_line.items():
        dealer = line.order.customer
        covered = dealer_covers(
            dealer=dealer,
            line=product_line,
            day=check.checked_on,
            rights=rights,
            areas=areas,
            **place,
        )
        if covered:
            continue
        harmed_id = exclusive_holder(
            line=product_line,
            day=check.checked_on,
            rights=rights,
            areas=areas,
            exclude=dealer_id,
            **place,
        )
        if covered is None and harmed_id is None:
            continue  # nothing known about where this dealer may sell, and nobody is harmed
        alert, created = TransshipmentAlert.objects.get_or_create(
            market_check=check,
            source_dealer=dealer,
            defaults={"order_line": line, "harmed_dealer_id": harmed_id, "created_at": now},
        )
        if created:
            _alert_opened(alert, line, now)
        alerts.append(alert)
    return alerts


def _place(check: MarketCheck) -> str:
    return ", ".join(p for p in (check.shop, check.city, check.province, check.country) if p)


def _alert_opened(alert: TransshipmentAlert, line: OrderLine, now: datetime) -> None:
    from tend.tasks.services import create_task

    check = alert.market_check
    evidence = {
        "alert": alert.pk,
        "lot": check.lot_code,
        "order": line.order.number,
        "place": _place(check),
    }
    timeline_add(
        customer_id=alert.source_dealer_id,
        kind=MARKET,
        title=TranslatableText(
            gettext_lazy(
                "Lot %(lot)s (shipped on order %(order)s) found outside their territory: %(place)s"
            ),
            evidence,
        ),
        actor=check.by,
        at=now,
        data=evidence,
        source=alert,
    )
    if alert.harmed_dealer_id:
        timeline_add(
            customer_id=alert.harmed_dealer_id,
            kind=MARKET,
            title=TranslatableText(
                gettext_lazy(
                    "Lot %(lot)s of %(source)s found in their exclusive territory: %(place)s"
                ),
                {**evidence, "source": str(alert.source_dealer)},
            ),
            actor=check.by,
            at=now,
            data=evidence,
            source=alert,
        )
    owner = alert.source_dealer.owner
    if owner is not None and owner.is_active:
        create_task(
            customer=alert.source_dealer,
            assignee=owner,
            kind=TaskKind.REVIEW,
            title=_("Lot %(lot)s found outside their territory: talk to the dealer")
            % {"lot": check.lot_code},
            detail=_("Found at %(place)s on %(day)s. Evidence: order %(order)s.")
            % {
                "place": _place(check),
                "day": check.checked_on.isoformat(),
                "order": line.order.number,
            },
            due_at=now + timedelta(days=3),
            origin="transshipment",
            dedupe_key=f"transshipment:{alert.pk}",
        )


# --- Review and action --------------------------------------------------------------------


def _check_reviewer(by: User) -> None:
    if by.is_rep:
        raise PermissionDenied(_("A manager or admin reviews transshipment alerts."))


@transaction.atomic
def alert_classify(
    *, by: User, alert: TransshipmentAlert, sale_kind: str, note: str = "", dismiss: bool = False
) -> TransshipmentAlert:
    """The reviewer says whether the dealer sought buyers there (active) or answered buyers who
    came (passive); or dismisses the alert (e.g. the lot was sold on lawfully)."""
    _check_reviewer(by)
    alert = TransshipmentAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.state in (AlertState.ACTION_REQUESTED, AlertState.ACTION_APPROVED):
        raise ValidationError({"sale_kind": _("An action is already under way on this alert.")})
    if sale_kind not in (SaleKind.ACTIVE, SaleKind.PASSIVE):
        raise ValidationError({"sale_kind": _("Active or passive?")})
    before = {"state": alert.state, "sale_kind": alert.sale_kind}
    alert.sale_kind = sale_kind
    alert.review_note = (note or "").strip()
    alert.reviewed_by, alert.reviewed_at = by, timezone.now()
    alert.state = AlertState.DISMISSED if dismiss else AlertState.CLASSIFIED
    alert.save()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=alert,
        before=before,
        after={"state": alert.state, "sale_kind": alert.sale_kind},
        customer_id=alert.source_dealer_id,
    )
    return alert


def alert_action_request(
    *, by: User, alert: TransshipmentAlert, action: str, reason: str
) -> ApprovalRequest:
    """Ask to act against the source dealer: an approval request another person decides."""
    from tend.approvals.services import request_create

    _check_reviewer(by)
    with transaction.atomic():
        alert = (
            TransshipmentAlert.objects.select_for_update()
            .select_related("source_dealer")
            .get(pk=alert.pk)
        )
        if action not in ChannelAction.values:
            raise ValidationError({"action": _("Unknown action.")})
        if not alert.sale_kind:
            raise ValidationError({"action": _("Classify the sale as active or passive first.")})
        if action not in ACTIONS_BY_SALE[SaleKind(alert.sale_kind)]:
            raise ValidationError(
                {
                    "action": _(
                        "A passive sale (buyers who came unsolicited) may not be restricted: "
                        "no action can be taken against the dealer for it."
                    )
                }
            )
        if alert.state == AlertState.DISMISSED:
            raise ValidationError({"action": _("This alert was dismissed.")})
        if (
            alert.action_request_id
            and ApprovalRequest.objects.filter(
                pk=alert.action_request_id,
                state__in=[RequestState.PENDING, RequestState.APPROVED, RequestState.APPLIED],
            ).exists()
        ):
            raise ValidationError({"action": _("An action on this alert is already requested.")})
        request = request_create(
            by=by,
            kind=RequestKind.CHANNEL_ACTION,
            customer=alert.source_dealer,
            reason=reason,
            proposed={"alert": alert.pk, "action": action},
        )
        alert.action_request = request
        if alert.state != AlertState.ACTION_APPROVED:
            alert.state = AlertState.ACTION_REQUESTED
        alert.save(update_fields=["action_request", "state"])
    return request


def channel_action_prepare(customer: Customer, proposed: dict):
    """For ``approvals.changes.prepare``: (baseline, amount, measure) of a channel action."""
    unknown = set(proposed) - {"alert", "action"}
    if unknown or "alert" not in proposed or "action" not in proposed:
        raise ValidationError({"proposed": _("Propose the alert and the action.")})
    if proposed["action"] not in ChannelAction.values:
        raise ValidationError({"action": _("Unknown action.")})
    try:
        alert = TransshipmentAlert.objects.get(pk=int(proposed["alert"]), source_dealer=customer)
    except (TransshipmentAlert.DoesNotExist, TypeError, ValueError, OverflowError):
        raise ValidationError({"alert": _("No such alert on this dealer.")}) from None
    if alert.sale_kind != SaleKind.ACTIVE:
        raise ValidationError({"action": _("Only an active sale may be acted against.")})
    return {"sale_kind": alert.sale_kind}, Decimal("0"), Decimal("0")


def channel_action_baseline(request: ApprovalRequest) -> dict:
    """What the approval re-checks before applying: the sale is still classified as it was."""
    alert = TransshipmentAlert.objects.filter(pk=int(request.proposed["alert"])).first()
    return {"sale_kind": alert.sale_kind if alert else None}


def channel_action_apply(request: ApprovalRequest) -> None:
    """Carry out an approved action: the alert records it; revoking exclusivity ends the
    dealer's exclusive rights today, terminating ends all its rights."""
    alert = TransshipmentAlert.objects.select_for_update().get(pk=int(request.proposed["alert"]))
    action = request.proposed["action"]
    today = timezone.localdate()
    rights = TerritoryRight.objects.filter(dealer_id=alert.source_dealer_id).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=today)
    )
    if action == ChannelAction.REVOKE_EXCLUSIVITY:
        rights.filter(exclusive=True, valid_from__lte=today).update(valid_until=today)
    elif action == ChannelAction.TERMINATE:
        rights.filter(valid_from__lte=today).update(valid_until=today)
        rights.filter(valid_from__gt=today).delete()
    alert.state = AlertState.ACTION_APPROVED
    alert.save(update_fields=["state"])
    timeline_add(
        customer_id=alert.source_dealer_id,
        kind=MARKET,
        title=TranslatableText(
            gettext_lazy("Approved action for selling outside their territory: %(action)s"),
            {"action": ChannelAction(action).label},
        ),
        data={"alert": alert.pk, "action": action},
        source=alert,
    )
