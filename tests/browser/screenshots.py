"""Full-page PNGs of every page of a running app, to look at what a person sees.

    python -m tests.browser.screenshots --out DIR --url http://127.0.0.1:8501

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
# Streamlit scrolls its main area inside a fixed-height frame, so a "full page" screenshot of
# the document shows only one screen: grow the window to the height of the main area instead.
_CONTENT_HEIGHT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return Math.max(main.scrollHeight, document.documentElement.scrollHeight);
}"""


def capture(page: Page, base_url: str, spec: site.PageSpec, out: Path) -> Path:
    page.set_viewport_size(sp.VIEWPORT)
    sp.open_page(page, base_url, spec)
    height = min(int(page.evaluate(_CONTENT_HEIGHT)), MAX_HEIGHT_PX)
    page.set_viewport_size({"width": sp.VIEWPORT["width"], "height": height})
    sp.wait_for_app(page)
    path = out / f"{spec.url_path}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNGs")
    parser.add_argument("--url", required=True, help="the running app, http://127.0.0.1:PORT")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base_url = args.url.rstrip("/")
    with sync_playwright() as playwright:
        browser = sp.launch(playwright)
        context = sp.new_context(browser)
        for spec in site.PAGES:
            page = context.new_page()
            path = capture(page, base_url, spec, args.out)
            errors = sp.shown_errors(page)
            print(f"{path}" + (f"  ERROR SHOWN: {errors[0][:200]}" if errors else ""))
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
