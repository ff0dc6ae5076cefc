"""Headless Chromium for the widget and console tests: Debian's package, driven by Playwright.

Playwright's own browser download does not work offline, so the tests launch /usr/bin/chromium
(installed from Debian's packages by scripts/ensure-debian.sh when missing) with the flags that
keep it from reaching out to the network.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from bot import PROJECT_ROOT

SCREENSHOTS = PROJECT_ROOT / "reports" / "screenshots"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]  # fmt: skip


def chromium_path() -> str:
    found = subprocess.run(
        ["bash", str(PROJECT_ROOT / "scripts" / "ensure-debian.sh"), "/usr/bin/chromium",
         "chromium"],
        check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return found.stdout.strip().splitlines()[-1]


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / name
