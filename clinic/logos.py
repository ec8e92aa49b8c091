"""The clinic's logo: checked by what the file is, not what it is called, and re-encoded.

An upload is read by Pillow (never trusted by its name or content type), refused when it is not
a PNG, JPEG or WebP image, larger than `MAX_BYTES`, or outside the pixel bounds, and otherwise
drawn again as a fresh PNG no wider than `MAX_WIDTH` and no taller than `MAX_HEIGHT`: metadata,
trailing bytes and anything hidden in the original are dropped, and only that PNG is stored
(under MEDIA_ROOT, a random name per upload). The dimensions are read from the header before any
pixel is decoded, so a small file that would decode to gigabytes (a "decompression bomb") is
refused without being decoded.
"""

import io
import logging
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from clinic.models import Clinic

logger = logging.getLogger(__name__)

MAX_BYTES = 512 * 1024
FORMATS = {"PNG", "JPEG", "WEBP"}
MIN_SIDE = 32  # pixels: smaller is not a readable logo
MAX_SIDE = 4000  # pixels on either side of the upload
MAX_WIDTH, MAX_HEIGHT = 800, 400  # the stored PNG: enough for print at the report's 40 x 20 mm


def validated_logo(upload) -> bytes:
    """The PNG to store for `upload` (a Django UploadedFile), or ValidationError saying why not."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            f"The file is {upload.size // 1024} KB; a logo may be at most {MAX_BYTES // 1024} KB.",
            code="too_large",
        )
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:  # the declared size was wrong
        raise ValidationError(f"A logo may be at most {MAX_BYTES // 1024} KB.", code="too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
    except Image.DecompressionBombError:
        raise ValidationError(
            f"The picture has far too many pixels; a logo must be between {MIN_SIDE} and "
            f"{MAX_SIDE} pixels on each side.",
            code="dimensions",
        ) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError(
            "That file is not an image Rebound can read. Upload a PNG, JPEG or WebP picture.",
            code="not_image",
        ) from None
    if kind not in FORMATS:
        raise ValidationError(
            f"That file is a {kind} image. Upload a PNG, JPEG or WebP picture.", code="format"
        )
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_SIDE:
        raise ValidationError(
            f"The picture is {width} x {height} pixels; a logo must be between {MIN_SIDE} and "
            f"{MAX_SIDE} pixels on each side.",
            code="dimensions",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            drawn = image.convert("RGBA")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(
            "That image is damaged and cannot be read. Save it again and upload it.",
            code="damaged",
        ) from None
    drawn.thumbnail((MAX_WIDTH, MAX_HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    drawn.save(out, format="PNG", optimize=True)
    return out.getvalue()


def logo_set(clinic: Clinic, png: bytes) -> None:
    """Store `png` (from `validated_logo`) as the clinic's logo; the previous file is removed
    once the new one is committed."""
    with transaction.atomic():
        locked = Clinic.objects.select_for_update().get(pk=clinic.pk)
        previous = locked.logo.name
        locked.logo.save(f"{clinic.slug}-{secrets.token_hex(8)}.png", ContentFile(png), save=False)
        locked.logo_updated_at = timezone.now()
        locked.save(update_fields=["logo", "logo_updated_at"])
        new_name = locked.logo.name
        transaction.on_commit(lambda: _remove(locked.logo.storage, previous))
    clinic.logo.name, clinic.logo_updated_at = new_name, locked.logo_updated_at


def logo_remove(clinic: Clinic) -> bool:
    """Remove the clinic's logo; False when it had none (nothing changes)."""
    with transaction.atomic():
        locked = Clinic.objects.select_for_update().get(pk=clinic.pk)
        previous = locked.logo.name
        if not previous:
            return False
        Clinic.objects.filter(pk=clinic.pk).update(logo="", logo_updated_at=timezone.now())
        transaction.on_commit(lambda: _remove(locked.logo.storage, previous))
    clinic.logo.name = ""
    return True


def logo_bytes(clinic: Clinic) -> bytes | None:
    """The stored PNG, or None when there is none (or its file has gone missing)."""
    if not clinic.logo:
        return None
    try:
        with clinic.logo.open("rb") as stored:
            return stored.read(MAX_BYTES * 4)
    except OSError:
        logger.warning("The logo file of clinic %s is missing: %s", clinic.pk, clinic.logo.name)
        return None


def _remove(storage, name: str) -> None:
    if name:
        try:
            storage.delete(name)
        except OSError:  # already gone: nothing to clean up
            logger.warning("Could not delete the old logo file %s", name)
