"""A small inline SVG of a customer's risk over time, drawn on the server: no script, no
library. Pure: days and risks in, markup out, every value escaped by ``format_html``."""

from collections.abc import Sequence
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .risk import HIGH, MEDIUM

WIDTH = 240
HEIGHT = 48
PAD = 3


def _y(risk: float) -> float:
    risk = min(max(risk, 0.0), 1.0)
    return round(PAD + (1.0 - risk) * (HEIGHT - 2 * PAD), 1)


def risk_sparkline(
    points: Sequence[tuple[date, float]], *, start: date, end: date, label: str = ""
) -> SafeString:
    """``points`` are (day, risk in 0..1), oldest first, placed by day between ``start`` and
    ``end`` so a gap in scoring shows as a gap in time. Dashed lines mark the medium and high
    thresholds; the last point is a dot."""
    span = max((end - start).days, 1)

    def x(day: date) -> float:
        return round(PAD + (day - start).days / span * (WIDTH - 2 * PAD), 1)

    coords = [(x(day), _y(risk)) for day, risk in points]
    parts = [
        format_html(
            '<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" '
            'viewBox="0 0 {} {}" role="img" aria-label="{}"><title>{}</title>',
            WIDTH,
            HEIGHT,
            WIDTH,
            HEIGHT,
            label,
            label,
        )
    ]
    for threshold, colour in ((HIGH, "#b42318"), (MEDIUM, "#9a6700")):
        y = _y(threshold)
        parts.append(
            format_html(
                '<line x1="0" y1="{}" x2="{}" y2="{}" stroke="{}" '
                'stroke-opacity=".35" stroke-dasharray="3 3" stroke-width="1"/>',
                y,
                WIDTH,
                y,
                colour,
            )
        )
    if len(coords) > 1:
        path = " ".join(f"{cx},{cy}" for cx, cy in coords)
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="#0b5cad" stroke-width="1.5" '
                'stroke-linejoin="round"/>',
                path,
            )
        )
    if coords:
        cx, cy = coords[-1]
        parts.append(format_html('<circle cx="{}" cy="{}" r="2.5" fill="#0b5cad"/>', cx, cy))
    return format_html("{}</svg>", format_html_join("", "{}", ((part,) for part in parts)))
