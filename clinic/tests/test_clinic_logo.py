"""The clinic's logo: uploaded by its admin on the clinic page, checked by content, re-encoded."""

import io
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from clinic import logos
from clinic.models import AuditEvent, Clinic


def picture(fmt="PNG", size=(200, 80), colour=(15, 118, 110), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt, **save)
    return out.getvalue()


def upload(content: bytes, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def post_logo(client, content, **kwargs):
    return client.post(reverse("clinic_logo"), {"logo": upload(content, **kwargs)})


def test_an_admin_uploads_a_logo_stored_as_a_fresh_png(client, adam, clinic_a, media_root):
    client.force_login(adam)
    jpeg = picture("JPEG", size=(1600, 400), quality=90)
    response = post_logo(client, jpeg, name="brand.jpg", content_type="image/jpeg")
    assert response.status_code == 302 and response.url == reverse("clinic_admin")
    clinic_a.refresh_from_db()
    assert clinic_a.logo.name.startswith("clinic-logos/alder-")
    assert clinic_a.logo.name.endswith(".png")
    stored = (media_root / clinic_a.logo.name).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG"
        assert image.size == (800, 200)  # shrunk to the stored bounds, proportions kept
    event = AuditEvent.objects.get(action="clinic.logo_update")
    assert (event.actor, event.clinic, event.detail["bytes"]) == (adam, clinic_a, len(stored))
    page = client.get(reverse("clinic_admin")).content.decode()
    assert reverse("clinic_logo_image") in page and "Replace the logo" in page
    shown = client.get(reverse("clinic_logo_image"))
    assert shown["Content-Type"] == "image/png" and shown.content == stored


def test_replacing_the_logo_removes_the_old_file(
    client, adam, clinic_a, media_root, django_capture_on_commit_callbacks
):
    client.force_login(adam)
    with django_capture_on_commit_callbacks(execute=True):
        post_logo(client, picture())
    first = Clinic.objects.get(pk=clinic_a.pk).logo.name
    with django_capture_on_commit_callbacks(execute=True):
        post_logo(client, picture(colour=(200, 10, 10)))
    second = Clinic.objects.get(pk=clinic_a.pk).logo.name
    assert first != second
    assert not (media_root / first).exists() and (media_root / second).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("clinic_logo"), {"remove": "1"})
    assert not Clinic.objects.get(pk=clinic_a.pk).logo
    assert not (media_root / second).exists()
    assert AuditEvent.objects.filter(action="clinic.logo_remove").count() == 1
    assert client.get(reverse("clinic_logo_image")).status_code == 404


def tiny_png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height`, with a little compressed data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "content,name,message",
    [
        (b"%PDF-1.7 not a picture at all", "logo.png", "not an image Rebound can read"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", "not an image Rebound can read"),
        (picture("GIF"), "logo.png", "That file is a GIF image"),
        (picture(size=(20, 20)), "logo.png", "20 x 20 pixels"),
        (tiny_png_header(50_000, 50_000), "bomb.png", "far too many pixels"),
        (tiny_png_header(9000, 9000), "wide.png", "9000 x 9000 pixels"),
        (picture()[:60], "cut.png", "damaged"),
        (b"\x89PNG" + b"\x00" * (600 * 1024), "huge.png", "at most 512 KB"),
    ],
    ids=["pdf-named-png", "svg", "gif", "too-small", "bomb", "too-big", "truncated", "too-large"],
)
def test_a_bad_file_is_refused_beside_the_field_and_changes_nothing(
    client, adam, clinic_a, media_root, content, name, message
):
    client.force_login(adam)
    response = post_logo(client, content, name=name)
    assert response.status_code == 400
    beside_the_field = re.search(r'id="error_1_id_logo">(.*?)</p>', response.content.decode(), re.S)
    assert beside_the_field and message in beside_the_field.group(1)
    clinic_a.refresh_from_db()
    assert not clinic_a.logo
    assert not media_root.exists() or not any(media_root.rglob("*.png"))
    assert not AuditEvent.objects.filter(action__startswith="clinic.logo").exists()


def test_posting_no_file_asks_for_one(client, adam, clinic_a):
    client.force_login(adam)
    response = client.post(reverse("clinic_logo"), {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_the_validator_reads_content_not_the_name():
    png_named_jpg = upload(picture(), name="logo.jpg", content_type="image/jpeg")
    with Image.open(io.BytesIO(logos.validated_logo(png_named_jpg))) as image:
        assert image.format == "PNG" and image.size == (200, 80)


@pytest.mark.parametrize("who", ["alice", "coach_cole"])
def test_only_the_admin_may_upload(client, request, who, clinic_a):
    client.force_login(request.getfixturevalue(who))
    assert post_logo(client, picture()).status_code == 403
    clinic_a.refresh_from_db()
    assert not clinic_a.logo


def test_another_clinics_staff_never_see_this_clinics_logo(client, adam, bob, clinic_a):
    logos.logo_set(clinic_a, logos.validated_logo(upload(picture())))
    client.force_login(bob)
    assert client.get(reverse("clinic_logo_image")).status_code == 404  # Birch has none
    client.force_login(adam)
    assert client.get(reverse("clinic_logo_image")).status_code == 200
