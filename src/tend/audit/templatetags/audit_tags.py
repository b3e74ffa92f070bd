from django import template

from ..sentences import entry_sentences

register = template.Library()


@register.filter
def audit_sentences(entry) -> list[str]:
    return entry_sentences(entry)
