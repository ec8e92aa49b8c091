import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-of-fifty-or-more-characters-0123456789abcdefXYZ",
    "ALLOWED_HOSTS": "rebound.example",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    env.update(env_overrides, REBOUND_ENV_FILE=os.devnull)  # as production: no .env file
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_sends_hsts_and_only_secure_http_only_cookies():
    script = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT,"
        "s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE,"
        "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_HTTPONLY, s.CSRF_COOKIE_SAMESITE,"
        "s.SECURE_CONTENT_TYPE_NOSNIFF, s.SECURE_REFERRER_POLICY, s.STAFF_2FA_DEFAULT]))"
    )
    result = manage("shell", "-c", script, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        31536000,
        True,
        True,
        True,
        True,
        "Lax",
        True,
        True,
        "Lax",
        True,
        "same-origin",
        True,
    ]


def test_export_files_may_not_live_in_a_public_folder(settings, tmp_path):
    from clinic.checks import export_files_are_not_published

    assert export_files_are_not_published() == []  # the default, var/exports
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.EXPORT_ROOT = tmp_path / "staticfiles" / "exports"
    assert [e.id for e in export_files_are_not_published()] == ["clinic.E001"]
    settings.EXPORT_ROOT = settings.STATICFILES_DIRS[0]
    assert [e.id for e in export_files_are_not_published()] == ["clinic.E001"]
