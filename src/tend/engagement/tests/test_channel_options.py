from django.template import Context, Template
from django.utils import translation

from tend.engagement.models import Channel


def _render() -> str:
    return Template("{% load engagement_tags %}{% channel_options %}").render(Context())


def test_channel_options_list_every_channel_in_order():
    with translation.override("en"):
        html = _render()
    for value, label in Channel.choices:
        assert f'<option value="{value}">{label}</option>' in html
    positions = [html.index(f'value="{value}"') for value, _ in Channel.choices]
    assert positions == sorted(positions)


def test_channel_options_follow_the_language_of_the_request():
    with translation.override("zh-hans"):
        chinese = _render()
        expected = [str(label) for _, label in Channel.choices]
    with translation.override("en"):
        english = _render()
    assert all(label in chinese for label in expected)
    assert english == _render()  # written once per language, the same each time
