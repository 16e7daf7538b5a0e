"""Debian's chromium, driven by Playwright (never a browser download): a fresh profile per
context, the screenshots kept in artifacts/console/ (git-ignored; CI keeps them)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, Playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "console"
DESKTOP = {"width": 1280, "height": 900}
TABLET_LANDSCAPE = {"width": 1024, "height": 768}
TABLET_PORTRAIT = {"width": 768, "height": 1024}


def chromium_or_fail() -> str:
    if shutil.which(CHROMIUM) is None:
        raise AssertionError(
            f"{CHROMIUM} is missing: the console's browser tests need Debian's chromium. "
            "Install it with: apt-get update && apt-get install -y chromium fonts-noto-cjk"
        )
    return CHROMIUM


@dataclass
class Browser:
    """A page in a context of its own, and what the page complained about."""

    context: BrowserContext
    page: Page
    problems: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path


@contextmanager
def browser(playwright: Playwright, viewport: dict[str, int] = DESKTOP) -> Iterator[Browser]:
    profile = tempfile.mkdtemp(prefix="liaison-chromium-")
    context = playwright.chromium.launch_persistent_context(
        profile,
        executable_path=chromium_or_fail(),
        headless=True,
        args=FLAGS,
        viewport=viewport,
        locale="en-US",
    )
    page = context.pages[0] if context.pages else context.new_page()
    opened = Browser(context, page)
    page.on("pageerror", lambda error: opened.problems.append(f"page error: {error}"))
    page.on("console", lambda message: _console(opened, message.type, message.text))
    page.on("response", lambda response: _response(opened, response.status, response.url))
    try:
        yield opened
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def _console(opened: Browser, kind: str, text: str) -> None:
    # Failed loads are reported with their URL by _response; everything else is a problem
    # (a Content-Security-Policy violation, an exception).
    if kind == "error" and not text.startswith("Failed to load resource"):
        opened.problems.append(f"console {kind}: {text}")


def _response(opened: Browser, status: int, url: str) -> None:
    # The browser asks every origin for /favicon.ico on its own; the console links its icon.
    if status >= 400 and not url.endswith("/favicon.ico"):
        opened.problems.append(f"HTTP {status}: {url}")


def sign_in(opened: Browser, base: str, username: str, password: str | None = None) -> None:
    """From the console's sign-in screen through the login page, back to the console."""
    page = opened.page
    page.goto(f"{base}/console")
    page.click("button[data-provider=liaison]")
    page.wait_for_selector("#username")
    page.fill("#username", username)
    page.fill("#password", password or f"{username}-demo-pass")
    page.click("button[type=submit]")


def choose_purpose(opened: Browser, purpose: str, case: str = "") -> None:
    page = opened.page
    page.wait_for_selector("#start-session")
    page.select_option("select[name=purpose]", purpose)
    page.fill("input[name=case]", case)
    page.click("#start-session")
    page.wait_for_selector("#purpose-bar")


def open_enterprise(opened: Browser, base: str, uscc: str) -> None:
    opened.page.goto(f"{base}/console#/enterprise/{uscc}")
    opened.page.wait_for_selector(f"h1[data-uscc='{uscc}']")


def states(opened: Browser, section: str, owner: str) -> dict[str, set[str]]:
    """Field elements of one section's records of one owner, by state."""
    found: list[list[str]] = opened.page.eval_on_selector_all(
        f"[data-section='{section}'] [data-state][data-owner='{owner}']",
        "cells => cells.map(c => [c.dataset.state, c.dataset.field])",
    )
    by_state: dict[str, set[str]] = {}
    for state, element in found:
        by_state.setdefault(state, set()).add(element.split(".", 1)[1])
    return by_state
