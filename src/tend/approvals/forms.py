"""The request form: one kind at a time, its proposed change as ordinary fields, turned into the
``proposed`` dict the approval service expects. The service stays the judge of what is allowed;
the form only checks that numbers are numbers and dates are dates."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tend.core import reference
from tend.core.decimals import MONEY, PERCENT, QUANTITY, UNIT_PRICE
from tend.core.inputs import CalendarDateField
from tend.customers.models import Customer
from tend.customers.validators import validate_currency
from tend.orders.models import Order, OrderStatus

from .models import Decision, RequestKind

ORDER_KINDS = (RequestKind.DISCOUNT, RequestKind.ORDER_CHANGE)
CUSTOMER_KINDS = (RequestKind.REFUND, RequestKind.ACCOMMODATION, RequestKind.CREDIT_TERMS)

# Per line, what each kind may change, and how the field reads.
LINE_FIELDS = {
    RequestKind.DISCOUNT: ("unit_price", "discount_pct"),
    RequestKind.ORDER_CHANGE: ("quantity", "unit_price", "discount_pct"),
}
LINE_LABELS = {
    "quantity": _("New quantity"),
    "unit_price": _("New unit price"),
    "discount_pct": _("New discount %"),
}
# Service error keys that name a field of the proposed change, by kind, and this form's name.
SERVICE_FIELD_NAMES = {RequestKind.REFUND: {"kind": "refund_kind"}}


def _decimal_field(name: str, **kwargs) -> forms.DecimalField:
    """A number the service will take: the column it is stored in bounds it."""
    shapes = {
        "quantity": (QUANTITY, {"min_value": 0}),
        "unit_price": (UNIT_PRICE, {"min_value": 0}),
        "discount_pct": (PERCENT, {"min_value": 0, "max_value": 100}),
        "money": (MONEY, {"min_value": 0}),
    }
    column, limits = shapes[name]
    return column.form_field(**limits, **kwargs)


class CurrencyField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=3, validators=[validate_currency], **kwargs)

    def to_python(self, value):
        return super().to_python(value).upper()


def _reading(name: str, value: Decimal) -> str:
    """A line's current value as people read it: 100, 10.00, 5%."""
    whole, _dot, fraction = format(value.normalize(), "f").partition(".")
    if name == "unit_price":
        fraction = fraction.ljust(2, "0")
    text = f"{whole}.{fraction}" if fraction else whole
    return f"{text}%" if name == "discount_pct" else text


def _text(value: Decimal) -> str:
    """A decimal as the service stores it: a plain string, never a float."""
    return format(value, "f")


class RequestForm(forms.Form):
    kind = forms.ChoiceField(choices=RequestKind.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The approver decides on this: what the customer asked, and why we should."),
    )

    def __init__(self, *args, kind: str, customer: Customer, order: Order | None = None, **kwargs):
        kwargs.setdefault("initial", {})["kind"] = kind
        super().__init__(*args, **kwargs)
        self.kind, self.customer, self.order = kind, customer, order
        self.lines = list(order.lines.select_related("product").order_by("pk")) if order else []
        getattr(self, f"_add_{kind}_fields")()

    # --- The fields of each kind ---

    def _add_line_fields(self) -> None:
        for line in self.lines:
            for name in LINE_FIELDS[self.kind]:
                self.fields[self._line_field(line, name)] = _decimal_field(
                    name,
                    label=f"{line.product.sku} · {LINE_LABELS[name]}",
                    required=False,
                    help_text=_("now %(value)s") % {"value": _reading(name, getattr(line, name))},
                )

    def _add_discount_fields(self) -> None:
        if self.order.status == OrderStatus.DRAFT:
            self.fields["confirm"] = forms.BooleanField(
                label=_("Confirm the order as it is priced"),
                required=False,
                help_text=_(
                    "Asks to confirm this draft at its prices; leave the lines as they are."
                ),
            )
        self._add_line_fields()

    def _add_order_change_fields(self) -> None:
        order = self.order
        if order.status == OrderStatus.CONFIRMED:
            self.fields["reopen"] = forms.BooleanField(
                label=_("Move it back to draft"),
                required=False,
                help_text=_(
                    "Reopens all its terms for editing; it is confirmed again only within policy. "
                    "Leave the other fields empty."
                ),
            )
        self.fields["promised_ship_date"] = CalendarDateField(
            label=_("New promised ship date"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            help_text=_("now %(value)s") % {"value": order.promised_ship_date or "—"},
        )
        self.fields["payment_terms"] = forms.CharField(
            label=_("New payment terms"),
            max_length=200,
            required=False,
            help_text=_("now %(value)s") % {"value": order.payment_terms or "—"},
        )
        self.fields["incoterm"] = forms.ChoiceField(
            label=_("New Incoterm"),
            choices=[("", _("no change"))] + list(reference.INCOTERMS_2020),
            required=False,
            help_text=_("now %(value)s") % {"value": order.incoterm or "—"},
        )
        self._add_line_fields()

    def _add_refund_fields(self) -> None:
        self.fields["refund_kind"] = forms.ChoiceField(
            label=_("Refund or credit note"),
            choices=[("refund", _("Refund")), ("credit_note", _("Credit note"))],
        )
        self.fields["amount"] = _decimal_field("money", label=_("Amount"))
        self.fields["currency"] = CurrencyField(
            label=_("Currency"),
            initial=self.order.currency if self.order else self.customer.currency,
        )
        if self.order is None:
            self.fields["order"] = forms.ModelChoiceField(
                label=_("For order"),
                queryset=self.customer.orders.order_by("-order_date", "-pk"),
                required=False,
                empty_label=_("not about one order"),
            )

    def _add_accommodation_fields(self) -> None:
        self.fields["description"] = forms.CharField(
            label=_("What we would grant"),
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Free freight, extended warranty, an exclusive territory…"),
        )
        self.fields["value"] = _decimal_field(
            "money", label=_("What it is worth"), required=False, initial=Decimal("0")
        )
        self.fields["currency"] = CurrencyField(label=_("Currency"), initial=self.customer.currency)

    def _add_credit_terms_fields(self) -> None:
        customer = self.customer
        limit = customer.credit_limit
        self.fields["payment_terms"] = forms.CharField(
            label=_("New payment terms"),
            max_length=200,
            required=False,
            help_text=_("now %(value)s") % {"value": customer.payment_terms or "—"},
        )
        self.fields["credit_limit"] = _decimal_field(
            "money",
            label=_("New credit limit (base currency)"),
            required=False,
            help_text=_("now %(value)s") % {"value": limit if limit is not None else _("none")},
        )

    @staticmethod
    def _line_field(line, name: str) -> str:
        return f"line_{line.pk}_{name}"

    # --- For the template ---

    def line_table(self) -> list[tuple[Any, list]]:
        """Each order line with its bound fields, for a table of lines."""
        names = LINE_FIELDS.get(self.kind, ())
        return [
            (line, [self[self._line_field(line, name)] for name in names]) for line in self.lines
        ]

    def header_fields(self) -> list:
        """The fields that are not per line, in order (the reason comes last)."""
        return [
            self[name]
            for name in self.fields
            if name not in ("kind", "reason") and not name.startswith("line_")
        ]

    # --- What the service gets ---

    def target_order(self) -> Order | None:
        if self.kind in ORDER_KINDS:
            return self.order
        if self.kind == RequestKind.REFUND:
            return self.order or self.cleaned_data.get("order")
        return None

    def proposed(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = self.kind
        if kind in ORDER_KINDS:
            if data.get("confirm"):
                return {"status": OrderStatus.CONFIRMED.value}
            if data.get("reopen"):
                return {"status": OrderStatus.DRAFT.value}
            proposed: dict[str, Any] = {}
            lines: dict[str, dict[str, str]] = {}
            for line in self.lines:
                changes = {}
                for name in LINE_FIELDS[kind]:
                    value = data.get(self._line_field(line, name))
                    if value is not None and value != getattr(line, name):
                        changes[name] = _text(value)
                if changes:
                    lines[str(line.pk)] = changes
            if lines:
                proposed["lines"] = lines
            if kind == RequestKind.ORDER_CHANGE:
                order = self.order
                if data.get("promised_ship_date") and (
                    data["promised_ship_date"] != order.promised_ship_date
                ):
                    proposed["promised_ship_date"] = data["promised_ship_date"].isoformat()
                terms = (data.get("payment_terms") or "").strip()
                if terms and terms != order.payment_terms:
                    proposed["payment_terms"] = terms
                if data.get("incoterm") and data["incoterm"] != order.incoterm:
                    proposed["incoterm"] = data["incoterm"]
            return proposed
        if kind == RequestKind.REFUND:
            return {
                "kind": data["refund_kind"],
                "amount": _text(data["amount"]),
                "currency": data["currency"],
            }
        if kind == RequestKind.ACCOMMODATION:
            value = data.get("value")
            return {
                "description": data["description"].strip(),
                "value": _text(value if value is not None else Decimal("0")),
                "currency": data["currency"],
            }
        proposed = {}
        terms = (data.get("payment_terms") or "").strip()
        if terms and terms != self.customer.payment_terms:
            proposed["payment_terms"] = terms
        if data.get("credit_limit") is not None:
            proposed["credit_limit"] = _text(data["credit_limit"])
        return proposed

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service's errors next to the fields they name; the rest above the form."""
        renames = SERVICE_FIELD_NAMES.get(self.kind, {})
        errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for field, messages in errors.items():
            name = renames.get(field, field)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject: the requester reads it."),
    )
