"""Bar charts drawn on the server as SVG (pure): no JavaScript, readable by a screen reader.

Each chart is an <svg role="img"> with an aria-label (its title), a <title> and a <desc> that
reads out every bar ("Calls in helpline hours: 3; ..."), so a screen reader says what the chart
shows; the page also puts a table of the same figures beside it. Bars are horizontal, labelled
in text at both ends, so nothing depends on colour; a bar of two parts (in and out of hours) is
told apart by a pattern as well as its colour, and the legend says which is which.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH = 720
LABEL_WIDTH = 300
VALUE_WIDTH = 110
ROW = 30
BAR = 18
TOP = 10
FILLS = ("#1d70b8", "url(#{id}-hatch)")  # the second series: hatched, not only another colour


@dataclass(frozen=True)
class Bar:
    """One bar: its label and one value per series (most charts have one series)."""

    label: str
    values: tuple[float, ...]


def _say(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else f"{value:,}"


def describe(bars: list[Bar], series: tuple[str, ...] = ()) -> str:
    """The words a screen reader hears: every bar and its value(s)."""
    if not bars:
        return "No figures for this period."
    parts = []
    for bar in bars:
        if len(bar.values) > 1 and series:
            split = ", ".join(f"{_say(v)} {name}" for v, name in zip(bar.values, series))
            parts.append(f"{bar.label}: {_say(sum(bar.values))} ({split})")
        else:
            parts.append(f"{bar.label}: {_say(sum(bar.values))}")
    return "; ".join(parts) + "."


def bar_chart(chart_id: str, title: str, bars: list[Bar], *, series: tuple[str, ...] = ()) -> str:
    """An accessible horizontal bar chart as SVG markup (safe to put in a page as it is)."""
    cid = "".join(c for c in chart_id if c.isalnum() or c == "-") or "chart"
    legend = 24 if len(series) > 1 else 0
    height = TOP + legend + max(len(bars), 1) * ROW + 6
    largest = max((sum(b.values) for b in bars), default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" id="{cid}" '
           f'viewBox="0 0 {WIDTH} {height}" width="100%" aria-label="{escape(title)}" '
           f'aria-describedby="{cid}-desc">',
           f'<title id="{cid}-title">{escape(title)}</title>',
           f'<desc id="{cid}-desc">{escape(describe(bars, series))}</desc>',
           f'<defs><pattern id="{cid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
           f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#d2e2f1"/>'
           f'<line x1="0" y1="0" x2="0" y2="6" stroke="#003078" stroke-width="3"/></pattern></defs>']
    if legend:
        x = LABEL_WIDTH
        for i, name in enumerate(series[:2]):
            fill = FILLS[i].format(id=cid)
            out.append(f'<rect x="{x}" y="{TOP}" width="14" height="14" fill="{fill}" stroke="#0b0c0c"/>'
                       f'<text x="{x + 20}" y="{TOP + 12}" class="chart-legend">{escape(name)}</text>')
            x += 30 + 8 * len(name)
    for n, bar in enumerate(bars):
        y = TOP + legend + n * ROW
        out.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR - 4}" text-anchor="end" class="chart-label">'
                   f'{escape(bar.label[:48])}</text>')
        x = float(LABEL_WIDTH)
        for i, value in enumerate(bar.values[:2]):
            width = room * value / largest
            if width > 0:
                fill = FILLS[i].format(id=cid)
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{fill}" '
                           f'stroke="#0b0c0c" stroke-width="0.5"/>')
            x += width
        out.append(f'<text x="{x + 6:.1f}" y="{y + BAR - 4}" class="chart-value">{escape(_say(sum(bar.values)))}</text>')
    if not bars:
        out.append(f'<text x="{LABEL_WIDTH}" y="{TOP + BAR}" class="chart-label">No figures for this period.</text>')
    out.append("</svg>")
    return "".join(out)
