"""Form widgets for pages served to many people at once."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A single select whose options are written in Python rather than one template render
    each: Django's ``Select`` renders every option through its own template, which for the
    250 countries of a filter form cost more than the rest of the customer list page.
    Grouped choices fall back to Django's rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = list(self.choices)
        if any(isinstance(label, (list, tuple)) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = {str(item) for item in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option, " selected" if str(option) in selected else "", label)
                for option, label in choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)
