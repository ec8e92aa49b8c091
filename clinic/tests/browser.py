"""Fixtures for browser tests: Debian's Chromium driven by Playwright against `live_server`.

Every app's browser tests use them (mark the test `@pytest.mark.browser`):

    def test_it_shows_the_caseload(live_server, page_at):
        page = page_at(390)
        login(page, live_server, "alice@alder.example", PASSWORD)
        screenshot(page, "caseload-390")

Screenshots land in `artifacts/screenshots/` (git-ignored) for people to look at.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from clinic.tests.accessibility import AxeWatch

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_MISSING = (
    "Chromium is not installed: run `apt-get install -y chromium` (Debian) to run the browser tests"
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
VIEWPORTS = {390: {"width": 390, "height": 844}, 1280: {"width": 1280, "height": 900}}
# How long an action or an `expect` waits for the page to reach its state before failing. A
# passing test waits only until then; the bound is generous because CI machines can be busy.
STATE_TIMEOUT_MS = 15_000


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items) -> None:
    """Run browser tests after all others.

    Once Playwright starts, its asyncio loop runs in the main thread until the session ends, so
    any test after the first browser test would need DJANGO_ALLOW_ASYNC_UNSAFE (and subprocesses
    would inherit it). Running them last keeps that variable to browser tests alone.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One Chromium for the whole session; each test opens its own context through `page_at`."""
    if not CHROMIUM.exists():
        if os.environ.get("REBOUND_REQUIRE_BROWSER"):
            pytest.fail(CHROMIUM_MISSING, pytrace=False)
        pytest.skip(CHROMIUM_MISSING)

    # Playwright's sync API keeps an asyncio loop running in this thread until it stops, and
    # Django's ORM refuses to run while a loop runs. The variable is set only for that span,
    # which `pytest_collection_modifyitems` keeps at the end of the session.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=STATE_TIMEOUT_MS)
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(
                executable_path=str(CHROMIUM),
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                ],
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page_at(browser) -> Iterator[Callable]:
    """`page_at(390)` (phone) or `page_at(1280)` (desktop): a fresh page in its own context.

    The test fails if the page logs a console error or throws, unless the error contains one of
    `expected_errors` (e.g. the browser reporting the 404 status a test asked for), and if axe
    finds a WCAG 2.2 A or AA violation on any page it loaded (clinic/tests/accessibility.py).
    """
    contexts, errors, watches = [], [], []

    def open_page(width: int, *, expected_errors: tuple[str, ...] = ()):
        phone = width < 576
        # Reduced motion, as a person may ask their phone for: Bootstrap then opens menus and
        # dialogs without a transition, so no click can land on something still moving.
        context = browser.new_context(
            viewport=VIEWPORTS[width],
            device_scale_factor=2 if phone else 1,
            is_mobile=phone,
            has_touch=phone,
            reduced_motion="reduce",
        )
        context.set_default_timeout(STATE_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()

        def record(text: str) -> None:
            if not any(expected in text for expected in expected_errors):
                errors.append(f"{page.url}: {text}")

        def on_console(message) -> None:
            if message.type == "error":
                record(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: record(str(error)))
        watches.append(AxeWatch(page, width))
        return page

    yield open_page
    violations = [violation for watch in watches for violation in watch.finish()]
    for context in contexts:
        context.close()
    assert not errors, "The browser reported errors:\n" + "\n".join(errors)
    assert not violations, "axe found WCAG 2.2 AA violations:\n" + "\n".join(violations)


def login(page, live_server, email: str, password: str) -> None:
    """Sign in through the real login form and wait for the home page it leads to."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page, f"{email} could not sign in").not_to_have_url(re.compile("/accounts/login/"))


def open_the_phone_menu(page) -> None:
    """Open the navigation bar's menu on a narrow screen and wait until it has finished opening.

    Bootstrap marks the menu `collapsing` while it opens and `show` once it is open; a click on
    one of its items before then could land where the item is not yet.
    """
    page.get_by_role("button", name="Open the menu").click()
    menu = page.locator("#mainnav")
    expect(menu).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(menu).not_to_have_class(re.compile(r"(^|\s)collapsing(\s|$)"))


def screenshot(page, name: str) -> Path:
    """Save the whole page as `artifacts/screenshots/<name>.png` and return the path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path
