"""Server-rendered SVG charts: no script, no CDN, every figure a link to its records.

Text is escaped here; the templates mark the result safe.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ["#1d4f91", "#a4161a", "#1f6f3a", "#8a5a00", "#5a6472", "#6b3fa0"]


@dataclass(frozen=True)
class Segment:
    label: str
    value: int
    href: str


@dataclass(frozen=True)
class Bar:
    label: str
    segments: Sequence[Segment]

    @property
    def total(self) -> int:
        return sum(s.value for s in self.segments)


def stacked_columns(
    bars: Sequence[Bar], series: Sequence[str], *, title: str, height: int = 180
) -> str:
    """Vertical stacked columns (e.g. searches per day by purpose)."""
    width = max(320, 14 * len(bars) + 60)
    top = max((b.total for b in bars), default=0) or 1
    plot = height - 40
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(series)}
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="12" font-size="11">max {top}</text>',
    ]
    for i, bar in enumerate(bars):
        x = 40 + i * 14
        y = height - 25
        for seg in bar.segments:
            if not seg.value:
                continue
            h = max(1, round(plot * seg.value / top))
            y -= h
            parts.append(
                f'<a href="{escape(seg.href)}"><rect x="{x}" y="{y}" width="11" '
                f'height="{h}" fill="{colour.get(seg.label, PALETTE[0])}">'
                f"<title>{escape(bar.label)}: {escape(seg.label)} {seg.value}"
                "</title></rect></a>"
            )
        if i % 7 == 0:
            parts.append(
                f'<text x="{x}" y="{height - 8}" font-size="9">'
                f"{escape(bar.label[-5:])}</text>"
            )
    parts.append("</svg>")
    legend = " ".join(
        f'<span class="legend"><span class="swatch" style="background:{c}"></span>'
        f"{escape(name)}</span>"
        for name, c in colour.items()
    )
    return "".join(parts) + f'<div class="legend-row">{legend}</div>'


def horizontal_bars(
    rows: Sequence[tuple[str, int, str]], *, title: str, limit: int = 25
) -> str:
    """Labelled horizontal bars (per officer, per rule), each a link."""
    rows = list(rows)[:limit]
    top = max((n for _, n, _ in rows), default=0) or 1
    line = 18
    height = line * len(rows) + 10
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 560 {height}" width="560" '
        f'height="{height}" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, value, href) in enumerate(rows):
        y = 5 + i * line
        w = max(1, round(300 * value / top)) if value else 0
        # The label's room holds about 32 characters; a longer one is cut with
        # an ellipsis and shown whole as the row's tooltip.
        shown = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<a href="{escape(href)}"><title>{escape(label)}: {value}</title>'
            f'<text x="0" y="{y + 12}" font-size="11">{escape(shown)}</text>'
            f'<rect x="200" y="{y + 2}" width="{w}" height="13" fill="{PALETTE[0]}"/>'
            f'<text x="{205 + w}" y="{y + 12}" font-size="11">{value}</text></a>'
        )
    parts.append("</svg>")
    return "".join(parts)
