"""Every Bootstrap icon a page names exists in the vendored icon font (a missing one shows as a
blank gap, as the running icon on Today once did)."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ICON = re.compile(r"\bbi-[a-z0-9]+(?:-[a-z0-9]+)*")


def vendored_icons() -> set[str]:
    (css,) = ROOT.glob("static/vendor/bootstrap-icons-*/bootstrap-icons.min.css")
    return set(re.findall(r"\.(bi-[a-z0-9-]+)::before", css.read_text()))


def test_every_icon_used_by_templates_scripts_and_views_exists():
    known = vendored_icons()
    assert "bi-stopwatch" in known and "bi-person-running" not in known
    sources = [
        *ROOT.glob("templates/**/*.html"),
        *ROOT.glob("static/js/*.js"),
        *ROOT.glob("*/templatetags/*.py"),
        *ROOT.glob("*/views/*.py"),
        *ROOT.glob("*/views.py"),
    ]
    missing = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sources
        for name in ICON.findall(path.read_text())
        if name not in known
    }
    assert not missing, sorted(missing)
