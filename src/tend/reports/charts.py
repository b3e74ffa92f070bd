"""Charts drawn on the server with ReportLab's graphics (``reportlab.graphics``).

Why ReportLab and not matplotlib or a JavaScript library: Tend already depends on it for order
PDFs, so charts cost no new dependency; one drawing renders to SVG for the page and the email
and goes into the monthly PDF as vectors, without a browser, a font download or any network.
The charts are deliberately plain: bars, lines and a heat-map triangle, each with its title (the
conclusion), its caption (the definition) and the sample size, and a table view next to it.

A :class:`Chart` is data only (what the sections compute); :func:`drawing` turns it into a
ReportLab ``Drawing`` and :func:`svg` into SVG text."""

import math
from dataclasses import dataclass, field

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 40, 56
FONT = "Helvetica"
# Colour-blind-safe qualitative palette (Okabe-Ito), in the order series are drawn.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


@dataclass
class Chart:
    kind: str  # "bars" (grouped), "stacked", "lines" or "heatmap"
    title: str  # what to conclude
    categories: list[str]  # x axis labels (heat-map: columns)
    series: list[tuple[str, list[float | None]]] = field(default_factory=list)
    unit: str = ""  # "%" for shares held as 0..1; otherwise shown after the axis numbers
    rows: list[str] = field(default_factory=list)  # heat-map: row labels
    matrix: list[list[float | None]] = field(default_factory=list)  # heat-map: 0..1 or None


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def _axis_text(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value * 100:.0f}%"
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 1_000:
        return f"{value / 1_000:.0f}k"
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}"


def _title(drawing: Drawing, chart: Chart) -> None:
    drawing.add(String(LEFT, HEIGHT - 22, chart.title[:110], fontName=FONT + "-Bold", fontSize=11))


def _legend(drawing: Drawing, names: list[str]) -> None:
    """Below the axis, in up to two rows."""
    x, y = LEFT, 24
    for index, name in enumerate(names):
        width = 20 + 5 * min(len(name), 28)
        if x + width > WIDTH - RIGHT and y == 24:
            x, y = LEFT, 10
        colour = colors.HexColor(PALETTE[index % len(PALETTE)])
        drawing.add(Rect(x, y - 1, 9, 9, fillColor=colour, strokeColor=None))
        drawing.add(String(x + 12, y, name[:28], fontName=FONT, fontSize=8))
        x += width


def _axes(drawing: Drawing, chart: Chart, top_value: float, bottom_value: float = 0.0):
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = top_value - bottom_value or 1.0

    def y_of(value: float) -> float:
        return BOTTOM + (value - bottom_value) / span * plot_h

    for tick in range(5):
        value = bottom_value + span * tick / 4
        y = y_of(value)
        drawing.add(Line(LEFT, y, LEFT + plot_w, y, strokeColor=colors.HexColor("#DDDDDD")))
        drawing.add(
            String(
                LEFT - 6,
                y - 3,
                _axis_text(value, chart.unit),
                fontName=FONT,
                fontSize=8,
                textAnchor="end",
            )
        )
    count = max(len(chart.categories), 1)
    slot = plot_w / count
    every = max(1, math.ceil(count / 14))  # no more than 14 labels under the axis
    for index, label in enumerate(chart.categories):
        if index % every == 0:
            drawing.add(
                String(
                    LEFT + slot * (index + 0.5),
                    BOTTOM - 14,
                    label[:10],
                    fontName=FONT,
                    fontSize=8,
                    textAnchor="middle",
                )
            )
    return y_of, slot


def _bars(drawing: Drawing, chart: Chart, stacked: bool) -> None:
    values = [[v or 0.0 for v in values] for _name, values in chart.series]
    if stacked:
        top = max((sum(column) for column in zip(*values, strict=False)), default=0.0)
    else:
        top = max((max(row) for row in values if row), default=0.0)
    top = _nice_max(top) if chart.unit != "%" else max(1.0, top)
    y_of, slot = _axes(drawing, chart, top)
    groups = len(values) or 1
    for index in range(len(chart.categories)):
        base = 0.0
        for s, row in enumerate(values):
            value = row[index] if index < len(row) else 0.0
            colour = colors.HexColor(PALETTE[s % len(PALETTE)])
            if stacked:
                x, width = LEFT + slot * index + slot * 0.15, slot * 0.7
                y0, y1 = y_of(base), y_of(base + value)
                base += value
            else:
                width = slot * 0.8 / groups
                x = LEFT + slot * index + slot * 0.1 + width * s
                y0, y1 = y_of(0), y_of(value)
            if y1 > y0:
                drawing.add(Rect(x, y0, width, y1 - y0, fillColor=colour, strokeColor=None))
    _legend(drawing, [name for name, _values in chart.series])


def _lines(drawing: Drawing, chart: Chart) -> None:
    present = [v for _name, values in chart.series for v in values if v is not None]
    top = max(present, default=0.0)
    bottom = min(present + [0.0])
    # Shares: a top in steps of 40 points, so the four gridlines fall on tens.
    top = max(0.4, math.ceil(top * 2.5) / 2.5) if chart.unit == "%" else _nice_max(top)
    y_of, slot = _axes(drawing, chart, top, bottom)
    for s, (_name, values) in enumerate(chart.series):
        colour = colors.HexColor(PALETTE[s % len(PALETTE)])
        points: list[float] = []
        for index, value in enumerate(values):
            if value is None:
                continue
            points += [LEFT + slot * (index + 0.5), y_of(value)]
        if len(points) >= 4:
            drawing.add(PolyLine(points, strokeColor=colour, strokeWidth=2))
        for i in range(0, len(points), 2):
            drawing.add(
                Rect(points[i] - 2, points[i + 1] - 2, 4, 4, fillColor=colour, strokeColor=None)
            )
    _legend(drawing, [name for name, _values in chart.series])


def _shade(value: float) -> colors.Color:
    """White (0) to deep blue (1)."""
    value = min(max(value, 0.0), 1.0)
    return colors.Color(1 - 0.9 * value, 1 - 0.6 * value, 1 - 0.3 * value)


def _heatmap(drawing: Drawing, chart: Chart) -> None:
    label_w = 70
    rows, columns = len(chart.rows) or 1, len(chart.categories) or 1
    cell_w = (WIDTH - LEFT - RIGHT - label_w + LEFT) / columns
    cell_h = (HEIGHT - TOP - BOTTOM + 30) / rows
    top = HEIGHT - TOP
    for c, label in enumerate(chart.categories):
        drawing.add(
            String(
                label_w + cell_w * (c + 0.5),
                top + 4,
                label,
                fontName=FONT,
                fontSize=8,
                textAnchor="middle",
            )
        )
    for r, label in enumerate(chart.rows):
        y = top - cell_h * (r + 1)
        drawing.add(
            String(
                label_w - 6, y + cell_h / 2 - 3, label, fontName=FONT, fontSize=8, textAnchor="end"
            )
        )
        for c, value in enumerate(chart.matrix[r] if r < len(chart.matrix) else []):
            if value is None:
                continue
            x = label_w + cell_w * c
            drawing.add(
                Rect(x, y, cell_w - 1, cell_h - 1, fillColor=_shade(value), strokeColor=None)
            )
            ink = colors.white if value > 0.55 else colors.black
            drawing.add(
                String(
                    x + cell_w / 2,
                    y + cell_h / 2 - 3,
                    f"{value * 100:.0f}%",
                    fontName=FONT,
                    fontSize=7,
                    fillColor=ink,
                    textAnchor="middle",
                )
            )


def drawing(chart: Chart, font: str = "") -> Drawing:
    """The chart as a ReportLab drawing (SVG for pages and email, vectors in the PDF). ``font``:
    a registered font for every label (the PDF's CJK font); by default Helvetica."""
    canvas = Drawing(WIDTH, HEIGHT)
    _render(canvas, chart)
    if font:
        for shape in canvas.contents:
            if isinstance(shape, String):
                shape.fontName = font
    return canvas


def _render(canvas: Drawing, chart: Chart) -> None:
    canvas.add(Rect(0, 0, WIDTH, HEIGHT, fillColor=colors.white, strokeColor=None))
    _title(canvas, chart)
    if chart.kind == "heatmap":
        _heatmap(canvas, chart)
    elif chart.kind == "lines":
        _lines(canvas, chart)
    else:
        _bars(canvas, chart, stacked=chart.kind == "stacked")


SANS = "Helvetica, Arial, 'Liberation Sans', sans-serif"


def svg(chart: Chart) -> str:
    """The chart as a standalone SVG document. ReportLab names its PDF fonts; browsers and mail
    readers without Helvetica would fall back to a serif, so the SVG asks for any sans."""
    text = renderSVG.drawToString(drawing(chart))
    text = text.replace("font-family: Helvetica-Bold", f"font-family: {SANS}; font-weight: bold")
    return text.replace("font-family: Helvetica", f"font-family: {SANS}")
