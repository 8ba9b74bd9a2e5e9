"""Real-browser tests: Playwright driving Debian's Chromium against the app as `make run` serves
it."""
