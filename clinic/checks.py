"""System checks of settings that would undo a security rule if a deployment got them wrong."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register


def _public_folders() -> list[Path]:
    """Folders whose files a web server or WhiteNoise publishes."""
    folders = [settings.STATIC_ROOT, settings.MEDIA_ROOT, *settings.STATICFILES_DIRS]
    return [Path(folder).resolve() for folder in folders if folder]


@register(Tags.security)
def export_files_are_not_published(app_configs=None, **kwargs):
    """Export files hold patient data: they are served only through an access-checked view, so
    EXPORT_ROOT must not lie inside (or be) a folder that is published as it is."""
    export_root = Path(settings.EXPORT_ROOT).resolve()
    return [
        Error(
            f"EXPORT_ROOT ({export_root}) lies inside the public folder {folder}.",
            hint="Set EXPORT_ROOT to a folder that no web server publishes, such as var/exports.",
            id="clinic.E001",
        )
        for folder in _public_folders()
        if export_root == folder or folder in export_root.parents
    ]
