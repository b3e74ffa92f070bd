from django.contrib import admin

from .models import Tag, Territory


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
