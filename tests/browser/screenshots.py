"""Full-page PNGs of every page of a running app, to look at what a person sees.

    python -m tests.browser.screenshots --out DIR --url http://127.0.0.1:8501 [--width 390]

Not part of the test run. Start the app first (`make run`); Debian's Chromium must be at
/usr/bin/chromium.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from dashboard import site
from tests.browser import streamlit_page as sp

MAX_HEIGHT_PX = 20_000
TIMEOUT_MS = 120_000
# Streamlit scrolls its main area inside a fixed-height frame, so a "full page" screenshot of
# the document shows only one screen: grow the window to the height of the main area instead.
_CONTENT_HEIGHT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return Math.max(main.scrollHeight, document.documentElement.scrollHeight);
}"""


def capture(page: Page, base_url: str, spec: site.PageSpec, out: Path,
            width: int | None = None) -> Path:
    """The page as a PNG, `width` px wide (named '<page>-<width>.png'), or at the default
    desktop size ('<page>.png')."""
    viewport = {**sp.VIEWPORT, "width": width or sp.VIEWPORT["width"]}
    page.set_viewport_size(viewport)
    sp.open_page(page, base_url, spec)
    height = min(int(page.evaluate(_CONTENT_HEIGHT)), MAX_HEIGHT_PX)
    page.set_viewport_size({"width": viewport["width"], "height": height})
    sp.wait_for_app(page)
    path = out / (f"{spec.url_path}-{width}.png" if width else f"{spec.url_path}.png")
    page.screenshot(path=str(path), full_page=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNGs")
    parser.add_argument("--url", required=True, help="the running app, http://127.0.0.1:PORT")
    parser.add_argument("--width", type=int, help="window width in px (390: a phone)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base_url = args.url.rstrip("/")
    with sync_playwright() as playwright:
        browser = sp.launch(playwright)
        context = sp.new_context(browser)
        context.set_default_timeout(TIMEOUT_MS)
        for spec in site.PAGES:
            page = context.new_page()
            path = capture(page, base_url, spec, args.out, args.width)
            errors = sp.shown_errors(page)
            print(f"{path}" + (f"  ERROR SHOWN: {errors[0][:200]}" if errors else ""))
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
