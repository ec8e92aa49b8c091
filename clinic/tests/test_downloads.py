"""Downloads are attachments with names Rebound makes, and only from views behind clinic.access."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import ResolverMatch

from clinic import access
from clinic.downloads import attachment_response, download_name


def request_to(view):
    request = RequestFactory().get("/export/")
    request.resolver_match = ResolverMatch(view, (), {})
    return request


@access.signed_in
def guarded_export(request):
    raise AssertionError("only its access rule is used")


@access.public
def public_page(request):
    raise AssertionError("only its access rule is used")


def plain_view(request):
    raise AssertionError("only its access rule is used")


def test_it_names_the_file_from_plain_words_and_the_date():
    when = datetime(2026, 3, 4, 9, 5, tzinfo=ZoneInfo("UTC"))
    assert download_name("Caseload — Alder PT", "csv", when=when) == (
        "rebound-caseload-alder-pt-2026-03-04-0905.csv"
    )


@pytest.mark.parametrize(
    "label", ["../../etc/passwd", 'a"; filename="evil.exe', "Ünïcødé\r\nX-Evil: 1", ""]
)
def test_no_label_can_smuggle_a_path_a_header_or_a_quote(label):
    name = download_name(label, "csv")
    assert name.startswith("rebound-") and name.endswith(".csv")
    assert all(c.isascii() and (c.isalnum() or c in "-.") for c in name)


def test_it_refuses_file_types_it_does_not_know():
    with pytest.raises(ValueError):
        download_name("caseload", "html")


def test_bytes_are_served_as_an_attachment_that_is_never_sniffed_or_cached():
    response = attachment_response(
        request_to(guarded_export), b"a,b\n1,2\n", label="caseload", extension="csv"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="rebound-caseload-')
    assert disposition.endswith('.csv"')
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.content == b"a,b\n1,2\n"


def test_files_and_generators_are_streamed():
    file_response = attachment_response(
        request_to(guarded_export), io.BytesIO(b"PK\x03\x04"), label="plans", extension="zip"
    )
    assert file_response.streaming
    assert b"".join(file_response.streaming_content) == b"PK\x03\x04"
    rows = (f"{n}\n".encode() for n in range(3))
    stream = attachment_response(request_to(guarded_export), rows, label="logs", extension="txt")
    assert stream.streaming and b"".join(stream.streaming_content) == b"0\n1\n2\n"
    assert stream["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("view", [public_page, plain_view])
def test_it_refuses_to_serve_from_a_view_without_an_access_check(view):
    with pytest.raises(ImproperlyConfigured):
        attachment_response(request_to(view), b"x", label="caseload", extension="csv")
