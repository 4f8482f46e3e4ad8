"""Production settings refuse to start without real secrets; bad values are named."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k3y-" + "a1b2c3d4e5" * 6
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "catalogue.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/catalogue",
}


def load_settings(**env) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly this environment."""
    clean = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    clean.pop("DEBUG", None)
    clean.update({key: value for key, value in env.items() if value is not None})
    script = (
        "import catalogue.settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.DATABASES['default']['NAME'])"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_production_starts_with_real_values():
    result = load_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['catalogue.example.org'] catalogue"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is not a real secret"),
        ({"SECRET_KEY": "django-insecure-" + "x1y2z3" * 10}, "SECRET_KEY is not a real secret"),
        ({"SECRET_KEY": "a" * 60}, "SECRET_KEY is not a real secret"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must be set"),
        ({"DATABASE_URL": None}, "DATABASE_URL must be set"),
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV must be 'development' or 'production'"),
        ({"SITE_URL": "catalogue.example.org"}, "SITE_URL must start with http:// or https://"),
    ],
)
def test_production_refuses_to_start_without_safe_values(changes, message):
    result = load_settings(**{**PRODUCTION, **changes})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_development_has_safe_local_defaults():
    result = load_settings(DJANGO_ENV="development", DATABASE_URL="postgres://u@h:5432/dev")
    assert result.returncode == 0, result.stderr
    debug, hosts = result.stdout.split(" ", 1)
    assert debug == "True"
    assert "127.0.0.1" in hosts and "*" not in hosts
