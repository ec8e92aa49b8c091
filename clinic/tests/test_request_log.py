"""Requests in the log: a refused or missing page is one warning line, a 500 a traceback."""

import logging
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse


def request_log(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


def test_a_page_that_does_not_exist_is_one_line_without_a_traceback(client, alice, pat, caplog):
    client.force_login(alice)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/no-such-page/").status_code == 404
        assert client.get(reverse("patient_detail", args=[pat.pk]) + "x/").status_code == 404
        other = "00000000-0000-0000-0000-000000000000"
        assert client.get(reverse("patient_detail", args=[other])).status_code == 404
    records = request_log(caplog)
    assert [r.levelname for r in records] == ["WARNING"] * 3
    assert records[0].getMessage() == "Not Found: /no-such-page/"
    assert [r.exc_info for r in records] == [None] * 3
    assert "Traceback" not in caplog.text


def test_a_refused_page_is_one_line_without_a_traceback(client, pat, caplog):
    client.force_login(pat.user)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("caseload")).status_code == 403
    (record,) = request_log(caplog)
    assert record.getMessage() == "Forbidden (Permission denied): /caseload/"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


@pytest.mark.django_db
def test_a_server_error_keeps_its_traceback(caplog):
    client = Client(raise_request_exception=False)
    with (
        mock.patch("clinic.views.security.SignInView.get", side_effect=RuntimeError("boom")),
        caplog.at_level(logging.ERROR, logger="django.request"),
    ):
        assert client.get(reverse("login")).status_code == 500
    (record,) = request_log(caplog)
    assert record.exc_info[0] is RuntimeError
    assert "Traceback" in caplog.text
