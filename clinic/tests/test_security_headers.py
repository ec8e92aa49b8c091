"""Every URL answers with the security headers and a strict CSP, and no page has inline code.

Each URL of the URLconf (test_access_urls.TABLE) is requested once, by a person allowed to use it,
so the page is the real one and not a redirect or a refusal.
"""

import pytest
from django.urls import reverse

from clinic.models import User
from clinic.tests import otp
from clinic.tests.html import inline_code
from clinic.tests.test_access_urls import MOVED, OK, PEOPLE, TABLE, cast  # noqa: F401

EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def allowed_person(name: str) -> str:
    """Someone who gets the page itself (else the action's redirect), preferring a signed-in one."""
    outcomes = TABLE[name][2]
    for wanted in (OK, MOVED):
        for person in PEOPLE:
            if outcomes[person] == wanted:
                return person
    return "alice"


def assert_secure_response(response) -> None:
    for header, value in EXPECTED_HEADERS.items():
        assert response.headers.get(header) == value, header
    policy = response.headers["Content-Security-Policy"]
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        # Downloads (clinic.downloads) replace the page policy with a stricter sandbox.
        assert policy == "default-src 'none'; sandbox"
        assert response.headers["Cache-Control"] == "no-store"
        return
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in policy
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize("name", sorted(TABLE))
def test_every_url_sends_the_security_headers_and_no_inline_code(client, cast, name):  # noqa: F811
    method, kwargs_name, _ = TABLE[name]
    person = allowed_person(name)
    if person != "anonymous":
        otp.sign_in(client, cast["people"][person])
    kwargs = cast["kwargs"][kwargs_name] if kwargs_name else {}
    response = getattr(client, method)(reverse(name, kwargs=kwargs))
    assert_secure_response(response)
    if response.headers.get("Content-Type", "").startswith("text/html"):
        assert inline_code(response.content.decode()) == []


def test_error_pages_have_no_inline_code(client, alice):
    client.force_login(alice)
    for response in (client.get("/no-such-page/"), client.get(reverse("patient_home"))):
        assert response.status_code in (403, 404)
        assert_secure_response(response)
        assert inline_code(response.content.decode()) == []


def test_the_django_admin_works_under_the_csp_without_inline_code(client, pat):
    root = User.objects.create_superuser(email="root@example.com", password="x" * 12, full_name="R")
    client.force_login(root)
    for url in (
        reverse("admin:index"),
        reverse("admin:clinic_patient_changelist"),
        reverse("admin:clinic_patient_change", args=[pat.pk]),
        reverse("admin:clinic_user_add"),
        reverse("admin:clinic_clinic_add"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_secure_response(response)
        assert inline_code(response.content.decode()) == [], url


def test_the_session_cookie_is_http_only_and_same_site(client, alice):
    response = client.post(
        reverse("login"), {"username": alice.email, "password": "correct-horse-battery"}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_patient_pages_are_never_stored_by_the_browser(client, alice, pat):
    """A shared clinic computer's back button must not show a record after signing out."""
    client.force_login(alice)
    for url in (
        reverse("patient_detail", args=[pat.pk]),
        reverse("caseload"),
        "/no-such-page/",
    ):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    client.force_login(pat.user)
    assert client.get(reverse("patient_home")).headers["Cache-Control"] == "no-store"


def test_signed_out_pages_are_not_stored_either(client):
    response = client.get(reverse("login"))
    assert "no-store" in response.headers["Cache-Control"]


def test_static_files_keep_their_caching(client):
    response = client.get("/static/css/rebound.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
