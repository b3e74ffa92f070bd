from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from tend.core.inputs import CalendarDateField

from . import selectors
from .models import Disruption, Order, OrderStatus, Product, Sample, UpdateChannel

DATE_INPUT = {"type": "date"}


class EstimateForm(forms.Form):
    new_date = CalendarDateField(
        label=_("New estimated ship date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Why"), max_length=300)


class OrderUpdateForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("To"), queryset=None, required=False)
    channel = forms.ChoiceField(label=_("How"), choices=UpdateChannel.choices)
    reason = forms.CharField(label=_("Reason for the delay"), max_length=300, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = order.customer.contacts.all()


class DisruptionForm(forms.ModelForm):
    products = forms.ModelMultipleChoiceField(
        label=_("Products"),
        queryset=Product.objects.filter(active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Disruption
        fields = ["kind", "title", "description", "starts_on", "ends_on", "products", "ports"]
        field_classes = {"starts_on": CalendarDateField, "ends_on": CalendarDateField}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        if not data.get("products") and not data.get("ports", "").strip():
            raise forms.ValidationError(_("Name the products or the ports it touches."))
        if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end is before the start."))
        return data


class ShiftForm(forms.Form):
    days = forms.IntegerField(
        label=_("Move by (days)"), required=False, min_value=-365, max_value=365
    )
    new_date = CalendarDateField(
        label=_("or set to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if (data.get("days") is None) == (data.get("new_date") is None):
            raise forms.ValidationError(_("Give either a number of days or a new date."))
        return data


class SampleForm(forms.ModelForm):
    products = forms.ModelMultipleChoiceField(label=_("Products"), queryset=Product.objects.all())

    class Meta:
        model = Sample
        fields = [
            "contact",
            "products",
            "quantity",
            "sent_on",
            "courier",
            "tracking_number",
            "is_free",
            "fee",
            "fee_currency",
            "fee_status",
            "cost",
            "follow_up_on",
        ]
        field_classes = {"sent_on": CalendarDateField, "follow_up_on": CalendarDateField}
        widgets = {
            "sent_on": forms.DateInput(attrs={"type": "date"}),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = customer.contacts.all()


class OrderFilterForm(forms.Form):
    """The orders list's filters; anything invalid is ignored, never an error page."""

    q = forms.CharField(label=_("Order number"), required=False, max_length=60)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *OrderStatus.choices]
    )
    late = forms.ChoiceField(
        label=_("Late"),
        required=False,
        choices=[("", _("Late or not")), ("yes", _("Late only")), ("no", _("Not late"))],
    )
    customer = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    product = forms.ModelChoiceField(
        label=_("Product"),
        required=False,
        queryset=Product.objects.order_by("sku"),
        empty_label=_("All products"),
    )
    lot = forms.CharField(label=_("Batch / lot"), required=False, max_length=60)
    ordered_from = CalendarDateField(
        label=_("Ordered from"), required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )
    ordered_to = CalendarDateField(
        label=_("Ordered until"), required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )
    promised_from = CalendarDateField(
        label=_("Ship promised from"), required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )
    promised_to = CalendarDateField(
        label=_("Ship promised until"), required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("-ordered", _("Newest first")),
            ("ordered", _("Oldest first")),
            ("promised", _("Promised ship date")),
            ("-promised", _("Promised ship date, latest first")),
            ("-amount", _("Largest first")),
            ("number", _("Order number")),
            ("customer", _("Customer")),
        ],
    )

    def filters(self) -> selectors.OrderFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})  # the valid fields; the rest show as errors
        product = data.get("product")
        return selectors.OrderFilters(
            q=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            late=data.get("late") or "",
            customer=data.get("customer"),
            product=product.pk if product else None,
            lot=(data.get("lot") or "").strip(),
            ordered_from=data.get("ordered_from"),
            ordered_to=data.get("ordered_to"),
            promised_from=data.get("promised_from"),
            promised_to=data.get("promised_to"),
            sort=data.get("sort") or selectors.DEFAULT_ORDER_SORT,
        )


class OrderForm(forms.ModelForm):
    """An order's own fields. On a confirmed order the number, date and currency are fixed,
    and the terms may be changed only together with a reason (they go to an approver)."""

    reason = forms.CharField(
        label=_("Why the terms change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed when a confirmed order's terms or prices change: an approver reads it."
        ),
    )

    class Meta:
        model = Order
        fields = [
            "number",
            "order_date",
            "currency",
            "incoterm",
            "payment_terms",
            "port",
            "promised_ship_date",
            "essential",
            "time_sensitive",
            "quality_standard",
            "remarks",
        ]
        field_classes = {
            "order_date": CalendarDateField,
            "promised_ship_date": CalendarDateField,
        }
        widgets = {
            "order_date": forms.DateInput(attrs=DATE_INPUT),
            "promised_ship_date": forms.DateInput(attrs=DATE_INPUT),
            "remarks": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, creating: bool, guarded: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.guarded = guarded
        if creating:
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"),
                choices=[
                    (OrderStatus.DRAFT, OrderStatus.DRAFT.label),
                    (OrderStatus.CONFIRMED, OrderStatus.CONFIRMED.label),
                ],
                initial=OrderStatus.CONFIRMED,
            )
        if not (guarded and not creating):
            del self.fields["reason"]
        if guarded:
            for name in ("order_date", "currency"):
                self.fields[name].disabled = True

    def _post_clean(self):
        """The service validates the order as a whole; the form checks the fields only."""

    def service_fields(self) -> dict:
        data = self.cleaned_data
        names = [name for name in self.Meta.fields if not self.fields[name].disabled]
        fields = {name: data[name] for name in names}
        fields["currency"] = (data.get("currency") or "").upper()
        if "status" in data:
            fields["status"] = data["status"]
        return fields


class OrderLineForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.order_by("sku"), required=False
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=14, decimal_places=3, min_value=0, required=False
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"), max_digits=18, decimal_places=4, min_value=0, required=False
    )
    discount_pct = forms.DecimalField(
        label=_("Discount %"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
    )
    batch_number = forms.CharField(label=_("Batch / lot"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        row = self.prefix.rsplit("-", 1)[-1] if self.prefix else ""
        for field in self.visible_fields():
            # The table's header names the column; each input says its line too.
            field.field.widget.attrs["aria-label"] = (
                f"{field.label} ({int(row) + 1})" if (row.isdigit()) else str(field.label)
            )

    def clean(self):
        data = super().clean()
        if self.is_blank():
            return data
        for name in ("product", "quantity", "unit_price"):
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, _("This field is required."))
        return data

    def is_blank(self) -> bool:
        """An empty row of the table, ignored (not a line)."""
        if not self.is_bound:
            return True
        return all(
            not str(self.data.get(self.add_prefix(name)) or "").strip()
            for name in ("product", "quantity", "unit_price", "discount_pct", "batch_number")
        )

    def service_line(self) -> dict:
        data = self.cleaned_data
        return {
            "id": data.get("id"),
            "product": data.get("product"),
            "quantity": data.get("quantity"),
            "unit_price": data.get("unit_price"),
            "discount_pct": data.get("discount_pct") or Decimal("0"),
            "batch_number": data.get("batch_number") or "",
        }


class BaseOrderLineFormSet(forms.BaseFormSet):
    def line_forms(self) -> list[OrderLineForm]:
        """The rows that are lines: filled in and not ticked for removal."""
        return [
            form
            for form in self.forms
            if not form.is_blank() and not (self.can_delete and self._should_delete_form(form))
        ]


def order_line_formset(*, guarded: bool, extra: int):
    return forms.formset_factory(
        OrderLineForm,
        formset=BaseOrderLineFormSet,
        extra=0 if guarded else extra,
        can_delete=not guarded,
        max_num=200,
        validate_max=True,
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=OrderStatus.choices)
    actual_ship_date = CalendarDateField(
        label=_("Shipped on"), required=False, widget=forms.DateInput(attrs=DATE_INPUT)
    )
    reason = forms.CharField(
        label=_("Why (for moves an approver decides)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
