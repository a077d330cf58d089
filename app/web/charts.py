"""Server-rendered SVG charts (no JavaScript, no external assets): drawn inline in the page."""

from __future__ import annotations

from markupsafe import Markup, escape

from app.domain.statistics import MonthlyReport

SERIES = (("核查告知书", "#1f5fa8"), ("承诺书备案", "#2e8b57"), ("违诺记录", "#c0392b"))
"""Each unit's three bars, in this order, with their colours (also told apart by the legend and
the number at the end of each bar, not by colour alone)."""

WIDTH = 760
LABEL_W = 230
BAR_AREA = 430
BAR_H = 14
BAR_GAP = 3
GROUP_GAP = 16
TOP = 52


def monthly_work_chart(report: MonthlyReport) -> Markup:
    """Horizontal bars per unit: certificates issued, letters filed, breaches recorded in the
    month; the unit with most work on top. Empty markup when there is nothing to draw."""
    if not report.units:
        return Markup("")
    values = [(row.unit, (row.certificate_total, row.filings, row.breaches))
              for row in report.units]
    top = max(max(v) for _, v in values) or 1
    group_h = len(SERIES) * BAR_H + (len(SERIES) - 1) * BAR_GAP
    height = TOP + len(values) * (group_h + GROUP_GAP) + 10
    title = f"{report.period}各单位信用工作量"
    totals = report.totals
    summary = (f"{title}：核查告知书{totals.certificate_total}份，承诺书备案{totals.filings}份，"
               f"违诺记录{totals.breaches}条")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" width="100%" style="max-width:{WIDTH}px" '
             f'aria-label="{escape(summary)}" font-size="13">',
             f"<title>{escape(summary)}</title>",
             f'<text x="0" y="18" font-size="16" font-weight="bold">{escape(title)}</text>']
    x = LABEL_W
    for label, colour in SERIES:
        parts.append(f'<rect x="{x}" y="28" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="39">{escape(label)}</text>')
        x += 16 + 14 * len(label) + 24
    y = TOP
    for unit, counts in values:
        parts.append(f'<text x="{LABEL_W - 8}" y="{y + group_h / 2 + 5:.0f}" text-anchor="end">'
                     f"{escape(unit)}</text>")
        for (label, colour), n in zip(SERIES, counts, strict=True):
            w = round(BAR_AREA * n / top) if n else 0
            parts.append(f'<rect class="bar" x="{LABEL_W}" y="{y}" width="{max(w, 1) if n else 0}" '
                         f'height="{BAR_H}" fill="{colour}"><title>{escape(unit)} {label} {n}'
                         f"</title></rect>"
                         f'<text x="{LABEL_W + w + 5}" y="{y + BAR_H - 2}" font-size="12">{n}</text>')
            y += BAR_H + BAR_GAP
        y += GROUP_GAP - BAR_GAP
    parts.append(f'<line x1="{LABEL_W}" y1="{TOP - 4}" x2="{LABEL_W}" y2="{y - GROUP_GAP + 4}" '
                 f'stroke="#555"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
