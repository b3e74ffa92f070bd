from django.contrib import admin

from tend.core.paginators import EstimatedCountPaginator

from .models import Customer, Tag, Territory


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    """To look customers up beside the other admin lists, at any size of book. View only:
    customers are created, edited, claimed and handed over through Tend (pages, API, import),
    where ownership rules, the audit log and the timeline are kept."""

    list_display = ["name", "country", "tier", "status", "owner", "backup_owner", "created_at"]
    list_filter = ["tier", "status", "type"]
    list_select_related = ["owner", "backup_owner"]
    search_fields = ["=external_id", "name"]
    search_help_text = "Words in the name (any order), or an exact external id."
    ordering = ["name", "id"]  # the (name, id) index: no sort of the whole book
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    raw_id_fields = ["owner", "backup_owner", "territory"]

    def get_search_results(self, request, queryset, search_term):
        """Name words through ``search_text`` (the customer list's search: a trigram index on
        PostgreSQL) instead of ``UPPER(name) LIKE`` over every row."""
        words = search_term.lower().split()
        if not words:
            return queryset, False
        by_id = queryset.filter(external_id=search_term.strip())
        by_words = queryset
        for word in words[:10]:
            by_words = by_words.filter(search_text__contains=word)
        return by_id | by_words, False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
