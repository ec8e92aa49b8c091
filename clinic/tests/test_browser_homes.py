"""Each demo login, signed in through the real form in Chromium, lands on a home page with its data.

Screenshots of every home page at phone and desktop width go to `artifacts/screenshots/`.
"""

import pytest
from playwright.sync_api import expect

from clinic import demo
from clinic.models import Patient
from clinic.tests.browser import login, open_the_phone_menu, screenshot

pytestmark = pytest.mark.browser


def shows_the_clinic_admin_page(page):
    expect(page.get_by_role("heading", name="Demo Sports PT")).to_be_visible()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Dr. Priya Raman")
    expect(page.get_by_role("heading", name="Invite staff")).to_be_visible()
    expect(page.get_by_label("Full name")).to_be_visible()
    expect(page.get_by_role("button", name="Send invitation")).to_be_visible()


def shows_a_worklist_with_mayas_alerts(page):
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
    alerts = page.get_by_role("region", name="Open alerts")
    expect(alerts.get_by_role("link", name="Maya Chen").first).to_be_visible()


def shows_a_riverside_worklist_without_maya(page):
    expect(page.get_by_role("heading", name="Worklist")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Riverside Physio")
    expect(page.locator("main")).not_to_contain_text("Maya")


def shows_maya_her_own_page(page):
    expect(page.get_by_role("heading", name="Hi Maya")).to_be_visible()
    team = page.get_by_role("region", name="Your care team")
    expect(team).to_contain_text("Dr. Priya Raman")
    expect(team).to_contain_text("Jamie Reyes")
    expect(team).to_contain_text("Hannah Lindqvist")


def shows_maya_on_the_care_team_list(page):
    expect(page.get_by_role("heading", name="My patients")).to_be_visible()
    expect(page.get_by_role("link", name="Maya Chen")).to_be_visible()


def shows_a_riverside_caseload_without_maya(page):
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Riverside Physio")
    expect(page.locator("table")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Chen, Maya")


HOMES = [
    pytest.param("admin@demo.example", "/clinic/", shows_the_clinic_admin_page, id="admin"),
    pytest.param(
        "therapist@demo.example", "/worklist/", shows_a_worklist_with_mayas_alerts, id="therapist"
    ),
    pytest.param("patient@demo.example", "/me/", shows_maya_her_own_page, id="patient"),
    pytest.param("coach@demo.example", "/care-team/", shows_maya_on_the_care_team_list, id="coach"),
    pytest.param(
        "nutritionist@demo.example",
        "/care-team/",
        shows_maya_on_the_care_team_list,
        id="nutritionist",
    ),
    pytest.param(
        "therapist@riverside.example",
        "/worklist/",
        shows_a_riverside_worklist_without_maya,
        id="riverside-therapist",
    ),
]


@pytest.mark.parametrize(("email", "home_path", "shows_home"), HOMES)
def test_each_demo_login_lands_on_its_home_page(
    request, live_server, page_at, email, home_path, shows_home
):
    demo.seed()
    role = request.node.callspec.id
    for width in (390, 1280):
        page = page_at(width)
        login(page, live_server, email, demo.DEMO_PASSWORD)
        assert page.url == f"{live_server.url}{home_path}"
        shows_home(page)
        screenshot(page, f"home-{role}-{width}")


def test_it_hides_maya_from_the_whole_riverside_clinic(live_server, page_at):
    demo.seed()
    page = page_at(1280)
    login(page, live_server, "therapist@riverside.example", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/caseload/")
    shows_a_riverside_caseload_without_maya(page)
    page.get_by_label("Search by name or e-mail").fill("Chen")
    page.get_by_label("Whose patients").select_option("Whole clinic")
    page.get_by_label("Status").select_option("Any")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No patient matches “Chen”.")).to_be_visible()


def test_it_answers_404_when_riverside_opens_mayas_record(live_server, page_at):
    demo.seed()
    maya = Patient.objects.get(email="patient@demo.example")
    page = page_at(390, expected_errors=("status of 404",))
    login(page, live_server, "therapist@riverside.example", demo.DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/patients/{maya.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="We could not find that page")).to_be_visible()
    expect(page.get_by_text("Maya")).to_have_count(0)
    screenshot(page, "not-found-390")


def test_the_phone_menu_opens_and_reaches_sign_out(live_server, page_at):
    demo.seed()
    page = page_at(390)
    login(page, live_server, "therapist@riverside.example", demo.DEMO_PASSWORD)
    patients_link = page.get_by_role("link", name="Patients", exact=True)
    expect(page.get_by_role("button", name="Open the menu")).to_be_visible()
    expect(patients_link).to_be_hidden()

    open_the_phone_menu(page)
    expect(patients_link).to_be_visible()
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_hidden()
    page.get_by_role("button", name="Tom").click()
    expect(sign_out).to_be_visible()
    screenshot(page, "navbar-open-390")

    sign_out.click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
