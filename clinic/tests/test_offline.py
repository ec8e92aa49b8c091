"""The installable app: manifest, service worker, which pages the worker may keep, sign-out."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from clinic.middleware import OFFLINE_HEADER
from clinic.views.offline import SHELL_FILES

pytestmark = pytest.mark.django_db


def static_path(url: str) -> str:
    return finders.find(url.removeprefix("/static/"))


def test_the_manifest_installs_today_in_standalone_with_its_icons(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/me/today/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] == "Rebound" and manifest["short_name"] == "Rebound"
    assert manifest["theme_color"] and manifest["background_color"]
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        with Image.open(static_path(icon["src"])) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_worker_is_served_from_the_root_and_checked_for_updates_each_visit(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert "{%" not in script and "{{" not in script
    assert '"X-Rebound-Offline"' in script
    shell = json.loads(script.split("var SHELL_FILES = ", 1)[1].split(";\n", 1)[0])
    assert len(shell) == len(SHELL_FILES)
    assert all(static_path(url) for url in shell)  # every shell file exists


def test_the_policy_allows_our_own_worker_and_manifest_only(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]

    assert "worker-src 'self'" in policy
    assert "manifest-src 'self'" in policy
    assert "'unsafe-inline'" not in policy


@pytest.mark.parametrize("url_name", ["today", "log_today"])
def test_the_patients_own_today_and_log_may_be_kept_offline(client, pat, url_name):
    client.force_login(pat.user)

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert response[OFFLINE_HEADER] == "patient"


def test_no_other_page_may_be_kept(client, pat, alice):
    client.force_login(pat.user)
    assert OFFLINE_HEADER not in client.get(reverse("my_progress"))
    assert OFFLINE_HEADER not in client.get(reverse("patient_settings"))
    client.logout()

    assert OFFLINE_HEADER not in client.get(reverse("today"))  # to the sign-in page
    client.force_login(alice)
    assert OFFLINE_HEADER not in client.get(reverse("today"))  # refused to staff
    assert OFFLINE_HEADER not in client.get(reverse("patient_detail", args=[pat.pk]))


def test_a_patients_pages_link_the_manifest_and_register_the_worker(client, pat):
    client.force_login(pat.user)

    page = client.get(reverse("log_today")).content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'data-offline="patient"' in page
    assert f'data-offline-owner="{pat.pk}"' in page


def test_staff_pages_neither_link_the_manifest_nor_keep_anything(client, alice):
    client.force_login(alice)

    page = client.get(reverse("caseload")).content.decode()

    assert 'rel="manifest"' not in page
    assert 'data-offline=""' in page  # offline.js empties the worker's page cache here


def test_signing_out_tells_the_browser_to_clear_its_cache(client, pat):
    client.force_login(pat.user)

    response = client.post(reverse("logout"))

    assert response["Clear-Site-Data"] == '"cache"'
    assert 'data-offline=""' in client.get(reverse("login")).content.decode()
