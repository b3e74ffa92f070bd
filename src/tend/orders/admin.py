from django.contrib import admin

from tend.core.paginators import EstimatedCountPaginator

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
    """For fixing bookkeeping fields only. Orders are placed, and move status, through Tend
    (pages, API, import), where the approval policy is consulted; so here the status and the
    terms are read-only, even on a draft (a draft's terms and its confirmation would otherwise
    pass in one form), and no order is added. The model refuses the same writes."""

    list_display = ["number", "customer", "order_date", "status", "amount", "currency"]
    list_select_related = ["customer"]
    search_fields = ["number", "customer__name"]
    # A million orders: no COUNT(*) of the table for the page links, nor a second one for
    # "(N total)" beside a filtered count.
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_filter = ["status"]
    raw_id_fields = ["customer", "created_by"]
    readonly_fields = [
        "rate_to_base",
        "amount",
        "amount_base",
        "last_delay_update_at",
        "status",
        *Order.GUARDED_FIELDS,
    ]

    def has_add_permission(self, request):
        return False
