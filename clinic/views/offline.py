"""The installable app: its manifest and its service worker, both served from the site root.

The worker must be served from `/` for its scope to cover the patient's pages, so it is a
template rendered here (its list of static files carries their hashed names) rather than a
static file. What it may keep offline is decided by the server: see `offline_page`.
"""

import functools
import hashlib
import json

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from clinic import access

BRAND = "#0f766e"
BACKGROUND = "#f6f8f8"
# The app shell: what every patient page needs to look right without a network.
SHELL_FILES = (
    "vendor/bootstrap-5.3.9/bootstrap.min.css",
    "vendor/bootstrap-icons-1.13.2/bootstrap-icons.min.css",
    "vendor/bootstrap-icons-1.13.2/fonts/bootstrap-icons.woff2",
    "css/rebound.css",
    "vendor/bootstrap-5.3.9/bootstrap.bundle.min.js",
    "js/offline.js",
    "js/daily-log.js",
    "js/walk-run-timer.js",
    "img/favicon.svg",
    "img/app/icon-192.png",
)


@require_GET
@access.public
def manifest(request):
    """The web app manifest: what a phone needs to install Rebound on its home screen."""
    icons = [
        {"src": static("img/app/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("img/app/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("img/app/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    data = {
        "id": reverse("today"),
        "name": "Rebound",
        "short_name": "Rebound",
        "description": "Your rehab plan and daily log, from your clinic.",
        "start_url": reverse("today"),
        "scope": "/",
        "display": "standalone",
        "theme_color": BRAND,
        "background_color": BACKGROUND,
        "icons": icons,
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_GET
@access.public
def service_worker(request):
    """The service worker script. `no-cache`: the browser checks for a new one on each visit."""
    context = {
        "shell_files": json.dumps([static(path) for path in SHELL_FILES]),
        "version": _shell_version(),
    }
    response = HttpResponse(
        render_to_string("offline/sw.js", context),
        content_type="application/javascript; charset=utf-8",
    )
    patch_cache_control(response, no_cache=True)
    return response


@functools.cache
def _shell_version() -> str:
    """A digest of the shell's files: a changed file makes a new worker with a fresh cache.

    (Outside development the hashed file names change the worker already; this covers both.)
    """
    digest = hashlib.sha256()
    for path in SHELL_FILES:
        found = finders.find(path)
        if found:
            with open(found, "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()[:12]
