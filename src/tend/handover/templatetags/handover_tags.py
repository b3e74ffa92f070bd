from django import template

from tend.handover import registry

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def planned_for(plan, item):
    return next((move for move in plan if move.item.key == item.key), None)


@register.filter
def held_text(counts):
    return registry.held_text(counts)
