"""A small inline SVG of a customer's risk over time, drawn on the server: no script, no
library. Pure: days and risks in, markup out."""

from collections.abc import Sequence
from datetime import date
from html import escape

from .risk import HIGH, MEDIUM

WIDTH = 240
HEIGHT = 48
PAD = 3


def _y(risk: float) -> float:
    risk = min(max(risk, 0.0), 1.0)
    return round(PAD + (1.0 - risk) * (HEIGHT - 2 * PAD), 1)


def risk_sparkline(
    points: Sequence[tuple[date, float]], *, start: date, end: date, label: str = ""
) -> str:
    """``points`` are (day, risk in 0..1), oldest first, placed by day between ``start`` and
    ``end`` so a gap in scoring shows as a gap in time. Dashed lines mark the medium and high
    thresholds; the last point is a dot."""
    span = max((end - start).days, 1)

    def x(day: date) -> float:
        return round(PAD + (day - start).days / span * (WIDTH - 2 * PAD), 1)

    coords = [(x(day), _y(risk)) for day, risk in points]
    parts = [
        f'<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
    ]
    for threshold, colour in ((HIGH, "#b42318"), (MEDIUM, "#9a6700")):
        y = _y(threshold)
        parts.append(
            f'<line x1="0" y1="{y}" x2="{WIDTH}" y2="{y}" stroke="{colour}" '
            'stroke-opacity=".35" stroke-dasharray="3 3" stroke-width="1"/>'
        )
    if len(coords) > 1:
        path = " ".join(f"{cx},{cy}" for cx, cy in coords)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="#0b5cad" stroke-width="1.5" '
            'stroke-linejoin="round"/>'
        )
    if coords:
        cx, cy = coords[-1]
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="#0b5cad"/>')
    parts.append("</svg>")
    return "".join(parts)
