"""Open a report in Debian's headless Chromium and record console errors and network requests."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class PageCheck:
    """What happened while a page loaded."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    title: str = ""
    body_text: str = ""


def require_chromium() -> None:
    """Skip locally when Chromium is missing; fail in CI, where `.ci/run` installs it."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("THRESHER_REQUIRE_SERVICES") or os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run should have installed Debian's chromium")
    pytest.skip("chromium not installed (apt-get install chromium)")


def open_report(
    html: Path, screenshot: Path | None = None, *, wait_selector: str | None = None
) -> PageCheck:
    """Load `html` from a file:// URL; any request not to file:// or data: is external."""
    return _check_page(
        html.resolve().as_uri(),
        allowed=("file://",),
        wait_selector=wait_selector,
        selector_timeout=15_000,
        screenshot=screenshot,
    )


def open_served_page(url: str, *, wait_selector: str) -> PageCheck:
    """Load `url` from a local server; any request to another origin is external."""
    from urllib.parse import urlsplit

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    return _check_page(url, allowed=(origin,), wait_selector=wait_selector, selector_timeout=30_000)


def _check_page(
    url: str,
    *,
    allowed: tuple[str, ...],
    wait_selector: str | None,
    selector_timeout: int,
    screenshot: Path | None = None,
) -> PageCheck:
    """Open `url` in headless Chromium, recording errors and requests outside `allowed`."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    check = PageCheck()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on(
                "console",
                lambda m: check.console_errors.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: check.page_errors.append(str(e)))

            def on_request(request) -> None:  # type: ignore[no-untyped-def]
                if not request.url.startswith((*allowed, "data:", "blob:", "about:")):
                    check.external_requests.append(request.url)

            page.on("request", on_request)
            page.goto(url, wait_until="load")
            if wait_selector:
                page.wait_for_selector(wait_selector, timeout=selector_timeout)
            page.wait_for_timeout(500)
            check.title = page.title()
            check.body_text = page.inner_text("body")
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=False)
        finally:
            browser.close()
    return check
