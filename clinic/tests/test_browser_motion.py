"""People who ask their device for reduced motion get menus and dialogs that open at once.

The browser tests ask for it too (`page_at`), so no click lands on a menu that is still moving.
"""

import pytest

from clinic.tests.browser import login, open_the_phone_menu
from clinic.tests.factories import PASSWORD

pytestmark = pytest.mark.browser

# How long the phone menu's opening transition lasts, read while Bootstrap would be running it.
MENU_TRANSITION = """() => {
    const menu = document.querySelector("#mainnav");
    menu.classList.add("collapsing");
    const duration = getComputedStyle(menu).transitionDuration;
    menu.classList.remove("collapsing");
    return duration;
}"""


def test_the_phone_menu_opens_without_motion_when_asked(live_server, browser, page_at, alice):
    page = page_at(390)
    login(page, live_server, alice.email, PASSWORD)
    assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
    assert page.evaluate(MENU_TRANSITION) == "0s"
    open_the_phone_menu(page)

    moving = browser.new_context(
        viewport={"width": 390, "height": 844}, reduced_motion="no-preference"
    )
    try:
        other = moving.new_page()
        login(other, live_server, alice.email, PASSWORD)
        assert other.evaluate(MENU_TRANSITION) == "0.35s"  # Bootstrap's, for everyone else
    finally:
        moving.close()
