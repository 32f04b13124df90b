"""A real Chromium, driven by Playwright's sync API, against pytest-django's live server.

``playwright install`` is not needed: the tests use the system's Chromium
(``$CHROMIUM_PATH``, else ``/usr/bin/chromium`` or ``chromium`` on the PATH) and are
skipped, with the reason, when there is none.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread, so Django would refuse the
# ORM calls the tests make between browser steps; they are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """$CHROMIUM_PATH when set (and only it), else the usual Debian locations."""
    explicit = os.environ.get("CHROMIUM_PATH")
    candidates = [explicit] if explicit else ["/usr/bin/chromium", shutil.which("chromium")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        where = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium or chromium on the PATH"
        pytest.skip(f"no Chromium binary at {where}: install chromium or set CHROMIUM_PATH")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from django.db import connections

    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections
    }
    playwright = sync_api.sync_playwright().start()
    # Playwright's sync API runs the tests in a new context, where Django opens new connection
    # objects; give them the database copy that serialized_rollback restores between tests.
    for alias, contents in serialized.items():
        if contents is not None:
            connections[alias]._test_serialized_contents = contents
    browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


def _is_favicon(url: str) -> bool:
    # Chromium asks for /favicon.ico on its own; the pages do not link one.
    return url.endswith("/favicon.ico")


@dataclass
class PageProblems:
    """What the browser complained about while the test ran."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def record_console(self, message) -> None:
        if message.type == "error" and not _is_favicon(message.location.get("url", "")):
            self.console_errors.append(message.text)

    def record_response(self, response) -> None:
        if response.status >= 400 and not _is_favicon(response.url):
            self.failed_requests.append(f"{response.status} {response.url}")

    def csp_violations(self) -> list[str]:
        return [text for text in self.console_errors if "Content Security Policy" in text]


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser, live_server, page_problems):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", lambda message: page_problems.record_console(message))
    page.on("pageerror", lambda error: page_problems.page_errors.append(str(error)))
    page.on("response", lambda response: page_problems.record_response(response))
    yield page
    context.close()
