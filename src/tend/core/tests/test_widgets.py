import re

from django import forms

from tend.core.widgets import QuickSelect

CHOICES = [("", "All countries"), ("NL", "Netherlands"), ("CI", "Côte d'Ivoire <&>")]


def _options(html: str) -> str:
    """The options of a select, whitespace and attribute spelling aside."""
    html = re.sub(r">\s+<", "><", html).replace(' selected=""', " selected")
    return html.split(">", 1)[1]


def test_quick_select_writes_what_django_select_writes():
    for value in ("", "NL", "CI", "XX", None):
        quick = QuickSelect(choices=CHOICES).render("country", value, {"id": "id_country"})
        django = forms.Select(choices=CHOICES).render("country", value, {"id": "id_country"})
        assert _options(quick) == _options(django)
        assert quick.startswith("<select") and 'name="country"' in quick
        assert 'id="id_country"' in quick


def test_quick_select_marks_the_value_and_escapes_labels():
    html = QuickSelect(choices=CHOICES).render("country", "CI", {})
    assert '<option value="CI" selected>Côte d&#x27;Ivoire &lt;&amp;&gt;</option>' in html
    assert html.count(" selected") == 1


def test_quick_select_in_a_bound_form_keeps_the_submitted_value():
    class Filter(forms.Form):
        country = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect)

    html = str(Filter({"country": "NL"})["country"])
    assert '<option value="NL" selected>Netherlands</option>' in html


def test_quick_select_leaves_grouped_choices_to_django():
    grouped = [("Europe", [("NL", "Netherlands")]), ("Africa", [("CI", "Côte d'Ivoire")])]
    html = QuickSelect(choices=grouped).render("country", "NL", {})
    assert '<optgroup label="Europe">' in html
