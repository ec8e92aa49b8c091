"""Driving a page with the keyboard alone, as someone who cannot use a mouse does.

Each helper moves focus only with keys (Tab, Shift+Tab, arrow keys) and, wherever focus lands
on the element it was looking for, asserts that the person can see it: the element, or for a
radio button or checkbox drawn by its label, that label, shows an outline or a focus shadow.
"""

from playwright.sync_api import expect

# A focus indicator on the element or, for a choice drawn by its label, on one of its labels.
FOCUS_SHOWN = """
el => {
  const shows = node => {
    const style = getComputedStyle(node);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
    return outline || style.boxShadow !== 'none';
  };
  const choice = el.matches('input[type=radio], input[type=checkbox]');
  return shows(el) || (choice && [...el.labels].some(shows));
}
"""


def is_focused(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def assert_focus_visible(page) -> None:
    focused = page.locator("*:focus")
    expect(focused).to_have_count(1)
    shown = focused.evaluate(FOCUS_SHOWN)
    assert shown, f"focus is not visible on {focused.evaluate('el => el.outerHTML')[:200]}"


def tab_to(page, target, *, backwards: bool = False, presses: int = 80) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus, and check that it shows."""
    key = "Shift+Tab" if backwards else "Tab"
    target.wait_for(state="attached")
    for _ in range(presses):
        page.keyboard.press(key)
        if is_focused(target):
            assert_focus_visible(page)
            return
    raise AssertionError(f"{presses} presses of {key} never reached {target}")


def arrow_to(page, target, *, key: str = "ArrowRight", presses: int = 15) -> None:
    """Inside a radio group, press an arrow key until `target` is focused (and so chosen)."""
    for _ in range(presses):
        if is_focused(target):
            assert_focus_visible(page)
            return
        page.keyboard.press(key)
    raise AssertionError(f"{presses} presses of {key} never reached {target}")


def sign_in(page, live_server, email: str, password: str) -> None:
    """The login form, by keyboard: Tab to each field, type, and Enter to send."""
    login_url = f"{live_server.url}/accounts/login/"
    page.goto(login_url)
    tab_to(page, page.get_by_label("E-mail address"))
    page.keyboard.type(email)
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page, f"{email} could not sign in").not_to_have_url(login_url)


def choose(page, option, *, key: str = "ArrowDown") -> None:
    """Tab into `option`'s radio group and press an arrow key until it is chosen.

    Tab enters a group on its chosen radio, or on its first one shown when none is chosen yet;
    an arrow key moves and chooses, Space chooses the one focused.
    """
    group = f'input[type=radio][name="{option.get_attribute("name")}"]'
    chosen = page.locator(f"{group}:checked")
    tab_to(page, chosen if chosen.count() else page.locator(group).filter(visible=True).first)
    arrow_to(page, option, key=key)
    if not option.is_checked():  # Tab focused the first radio of an unanswered group
        page.keyboard.press("Space")
    expect(option).to_be_checked()
