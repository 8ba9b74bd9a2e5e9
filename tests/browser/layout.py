"""Layout checks run in the page by the browser tests and the screenshot script: what is wider
than the window, and which pieces of chart text overlap.

Charts are drawn as SVG (dashboard.components.for_page), so every label is a <text> element
whose box the browser can measure.
"""

from __future__ import annotations

from playwright.sync_api import Page

WIDTHS = (1440, 640, 390)
SLACK_PX = 1  # sub-pixel rounding
OVERLAP_PX = 2  # two labels overlap when their boxes share more than this in both directions

# Elements that stick out of the window, unless an ancestor inside the window scrolls or clips
# them (a wide table in its own scrolling box is fine; a page that scrolls sideways is not).
_TOO_WIDE = """(slack) => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const clipped = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (['auto', 'scroll'].includes(style.overflowX)
          && a.getBoundingClientRect().right <= width + slack
          && a !== document.body && a !== document.documentElement) return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('[data-testid="stMain"] *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + slack || box.left < -slack) {
      if (clipped(el)) continue;
      const id = el.getAttribute('data-testid') || el.tagName.toLowerCase();
      found.push(`${id} ${Math.round(box.left)}..${Math.round(box.right)} `
                 + `"${(el.textContent || '').trim().slice(0, 60)}"`);
    }
  }
  return found;
}"""

# Pairs of chart text boxes that overlap, and text cut off at the chart's edge, per chart,
# named by the chart's accessible name.
_OVERLAPS = """(overlap) => {
  const found = [];
  for (const chart of document.querySelectorAll('[data-testid="stVegaLiteChart"] svg')) {
    const texts = [...chart.querySelectorAll('text')]
      .filter(t => t.textContent.trim() && getComputedStyle(t).visibility !== 'hidden'
                   && Number(getComputedStyle(t).opacity) > 0)
      .map(t => ({text: t.textContent.trim(), box: t.getBoundingClientRect()}))
      .filter(t => t.box.width > 0 && t.box.height > 0);
    const name = (chart.closest('[data-testid="stVegaLiteChart"]').getAttribute('aria-label')
                  || '').slice(0, 60);
    const edge = chart.getBoundingClientRect();
    for (const t of texts) {
      if (t.box.right > edge.right + overlap || t.box.left < edge.left - overlap) {
        found.push(`${name}: "${t.text}" is cut off at the chart's edge`);
      }
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i].box, b = texts[j].box;
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > overlap && y > overlap) {
          found.push(`${name}: "${texts[i].text}" / "${texts[j].text}"`);
        }
      }
    }
  }
  return found;
}"""


def too_wide(page: Page) -> list[str]:
    """Elements of the main area that reach past the window's edge without a scrolling box."""
    return page.evaluate(_TOO_WIDE, SLACK_PX)


def overlapping_chart_text(page: Page) -> list[str]:
    """Overlapping pairs of text in the page's SVG charts: 'chart: "a" / "b"'."""
    return page.evaluate(_OVERLAPS, OVERLAP_PX)
