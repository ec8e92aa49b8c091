"""In Chromium at 390 and 1280 px (issue 14 §4, §5): the clinic admin uploads a logo on the
clinic page (a file that is not an image is refused beside the field, then a real one is shown),
and a runner downloads their own data from the account page.

Screenshots: artifacts/screenshots/handover-logo-{refused,shown}-<width>.png and
handover-my-data-<width>.png.
"""

import io
import json
import zipfile

import pytest
from PIL import Image
from playwright.sync_api import expect

from clinic.models import Clinic
from clinic.tests import factories
from clinic.tests.browser import login, screenshot
from clinic.tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("width", [390, 1280])
def test_the_admin_uploads_the_clinic_logo(live_server, page_at, width, tmp_path):
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    admin = factories.member(clinic, "admin", email="adam@alder.example", full_name="Adam Hale")
    not_an_image = tmp_path / "logo.png"
    not_an_image.write_bytes(b"%PDF-1.7 a document renamed")
    logo = tmp_path / "alder.png"
    Image.new("RGB", (480, 160), (15, 118, 110)).save(logo, format="PNG")

    page = page_at(width, expected_errors=("status of 400",))
    login(page, live_server, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/clinic/")
    card = page.locator("#logo")
    card.get_by_label("Logo").set_input_files(str(not_an_image))
    card.get_by_role("button", name="Upload the logo").click()
    error = page.locator("#error_1_id_logo")
    expect(error).to_contain_text("not an image Rebound can read")
    card.scroll_into_view_if_needed()
    screenshot(page, f"handover-logo-refused-{width}")
    assert not Clinic.objects.get(pk=clinic.pk).logo

    page.locator("#logo").get_by_label("Logo").set_input_files(str(logo))
    page.locator("#logo").get_by_role("button", name="Upload the logo").click()
    expect(page.get_by_text("The logo was saved.")).to_be_visible()
    shown = page.get_by_role("img", name="Logo of Alder Sports PT")
    expect(shown).to_be_visible()
    assert shown.evaluate("img => img.naturalWidth") == 480  # loaded under the CSP
    page.locator("#logo").scroll_into_view_if_needed()
    screenshot(page, f"handover-logo-shown-{width}")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_runner_downloads_their_data_from_the_account_page(live_server, page_at, width):
    clinic = factories.ClinicFactory(name="Alder Sports PT", slug="alder")
    therapist = factories.member(clinic, "therapist", email="alice@alder.example")
    pat = factories.patient_with_account(
        clinic, therapist, email="pat@runner.example", first_name="Pat", last_name="Lane"
    )
    page = page_at(width)
    login(page, live_server, pat.user.email, PASSWORD)
    page.goto(f"{live_server.url}/accounts/security/")
    section = page.get_by_role("region", name="Your data")
    button = section.get_by_role("link", name="Download my data")
    expect(button).to_be_visible()
    button.scroll_into_view_if_needed()
    screenshot(page, f"handover-my-data-{width}")
    with page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename.startswith("rebound-my-data-")
    with zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())) as archive:
        document = json.loads(archive.read("my-data.json"))
    assert document["profile"][0]["last_name"] == "Lane"
