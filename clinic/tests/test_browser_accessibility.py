"""axe in the browser tests (clinic/tests/accessibility.py): it can fail, and every role's pages
pass it at phone and desktop width."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from clinic import demo
from clinic.tests.accessibility import AxeWatch
from clinic.tests.browser import VIEWPORTS, login

pytestmark = pytest.mark.browser

# A page with an image no screen reader can name (WCAG 1.1.1), served at the test server's origin.
UNNAMED_IMAGE = (
    '<!DOCTYPE html><html lang="en"><title>Probe</title><main><h1>Probe</h1>'
    '<img src="/static/img/favicon.svg"><a href="/accounts/login/">Back</a></main></html>'
)


def serve_probe(route) -> None:
    route.fulfill(body=UNNAMED_IMAGE, content_type="text/html")


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport=VIEWPORTS[390])
    page = context.new_page()
    yield page, AxeWatch(page, 390)
    context.close()


def test_it_checks_a_page_reached_by_a_click_before_the_next_action(live_server, watched):
    page, watch = watched
    page.route(
        "**/probe/", lambda route: route.fulfill(body=UNNAMED_IMAGE, content_type="text/html")
    )
    page.goto(f"{live_server.url}/accounts/login/")
    assert watch.violations == []  # the login page passes
    page.locator("main").evaluate(
        "main => main.insertAdjacentHTML('beforeend', '<a href=\"/probe/\">Probe</a>')"
    )
    page.get_by_role("link", name="Probe").click()
    page.get_by_role("link", name="Back").click()  # checked before this click, then left
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    (found,) = watch.finish()
    assert "/probe/ at 390 px: image-alt" in found


def test_it_checks_the_page_again_as_the_test_leaves_it(live_server, watched):
    page, watch = watched
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").evaluate("field => field.labels[0].remove()")
    (found,) = watch.finish()
    assert "/accounts/login/ at 390 px: label" in found


def test_the_focused_skip_link_hides_no_other_target(live_server, watched):
    page, watch = watched
    page.goto(f"{live_server.url}/accounts/login/")
    skip = page.locator(".skip-link")
    skip.focus()  # as the first Tab from the address bar does: the link is shown
    expect(skip).to_be_focused()
    shown, brand = skip.bounding_box(), page.locator(".navbar-brand").bounding_box()
    assert shown["y"] + shown["height"] <= brand["y"]  # above the header, not over its brand
    assert watch.finish() == []  # axe's target-size rule on the page as left, link focused


ROLES = ["admin", "therapist", "patient", "coach", "nutritionist"]


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_in_a_roles_menu_passes_axe(live_server, page_at, role, width):
    """Each demo role's home and every page its menu links to (axe runs on each load)."""
    demo.seed()
    page = page_at(width)
    login(page, live_server, f"{role}@demo.example", demo.DEMO_PASSWORD)
    links = page.locator("#mainnav a[href^='/']").evaluate_all("links => links.map(a => a.href)")
    paths = sorted({urlparse(link).path for link in links} - {urlparse(page.url).path})
    assert paths, "the menu links nowhere"
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.ok, path
        expect(page.locator("main")).to_be_visible()
    assert not re.search(r"/accounts/login/", page.url)
