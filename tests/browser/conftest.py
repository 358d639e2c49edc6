"""Pages in a real browser: Debian's Chromium driven by Playwright (no browser download), headless."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from .console_board import ConsoleWithBoard

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_or_skip() -> None:
    """Skip without Debian's Chromium, except in CI: it installs it, so there a missing browser is a failure."""
    if not Path(CHROMIUM).exists():
        missing = "Chromium is missing: install Debian's chromium package (apt-get install chromium; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    chromium_or_skip()
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
    yield launched
    launched.close()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[ConsoleWithBoard]:
    running = ConsoleWithBoard(tmp_path)
    yield running
    running.close()
