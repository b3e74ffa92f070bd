from django.contrib import admin

from .models import ExchangeRate, Order, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "category", "launch_date", "list_price", "active"]
    search_fields = ["sku", "name", "local_name"]
    list_filter = ["active", "category"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "valid_from", "rate"]
    list_filter = ["currency"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """For fixing bookkeeping fields. The agreed terms of a confirmed order are read-only here
    (and refused by the model): they change only by an approved request."""

    list_display = ["number", "customer", "order_date", "status", "amount", "currency"]
    search_fields = ["number", "customer__name"]
    list_filter = ["status"]
    raw_id_fields = ["customer", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["rate_to_base", "amount", "amount_base", "last_delay_update_at"]
        if obj is not None and obj.guard_active():
            readonly += list(Order.GUARDED_FIELDS)
        return readonly
