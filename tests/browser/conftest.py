"""Pages in a real browser: Debian's Chromium driven by Playwright (no browser download), headless."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

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


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    """Chromium for one test, through Playwright's asyncio API (its sync API would leave an event loop running
    in the test process, and every asyncio test after it would fail)."""
    chromium_or_skip()
    async with async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        await launched.close()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[ConsoleWithBoard]:
    running = ConsoleWithBoard(tmp_path)
    yield running
    running.close()
