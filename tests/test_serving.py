"""Serving: security headers, health checks, error pages, and the database being down."""

import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "catalogue.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/catalogue",
}


def run(args, env):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own process: not for these.
    dropped = {*PRODUCTION, "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/?q=naloxone", "/initiatives/3212/", "/register/", "/shortlist/"]
)
def test_public_pages_send_strict_security_headers_and_no_inline_code(client, catalogue, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy or policy.endswith("script-src 'self'")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    html = response.content.decode()
    # Every script is a file (JSON-LD is a data block the browser never runs); no style
    # attribute or <style> element anywhere.
    scripts = re.findall(r"<script[^>]*>", html)
    assert all("src=" in tag or tag == '<script type="application/ld+json">' for tag in scripts)
    assert " style=" not in html and "<style" not in html


@pytest.mark.django_db
def test_session_cookies_are_http_only_and_same_site(client, catalogue):
    response = client.post("/shortlist/", {"add": "1101"})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_production_cookies_and_hsts_settings():
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'catalogue.settings');"
        "django.setup(); from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT)"
    )
    result = run(["-c", script], PRODUCTION)
    assert result.stdout.split() == ["True", "True", "31536000", "True"], result.stderr


@pytest.mark.django_db
def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok"}


DATABASE_DOWN = """
import time, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
for url in ("/", "/initiatives/1101/", "/healthz", "/readyz", "/api/initiatives/"):
    start = time.monotonic()
    response = client.get(url)
    print(url, response.status_code, round(time.monotonic() - start, 1),
          "temporarily unavailable" in response.content.decode())
"""


def test_with_the_database_down_pages_answer_503_quickly():
    with_closed_port = {
        "DJANGO_SETTINGS_MODULE": "catalogue.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:9/catalogue",
        "DB_CONNECT_TIMEOUT": "2",
    }
    started = time.monotonic()
    result = run(["-c", DATABASE_DOWN], with_closed_port)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()}
    assert lines["/"][0] == "503" and lines["/"][2] == "True"
    assert lines["/initiatives/1101/"][0] == "503"
    assert lines["/api/initiatives/"][0] == "503"
    assert lines["/healthz"][0] == "200"
    assert lines["/readyz"][0] == "503"
    assert "Traceback" not in result.stdout
    assert all(float(parts[1]) < 5 for parts in lines.values())
    assert time.monotonic() - started < 60


@pytest.mark.django_db
def test_error_pages_leak_nothing(client, catalogue, settings):
    missing = client.get("/initiatives/0000/")
    assert missing.status_code == 404 and "Page not found" in missing.content.decode()
    bad_host = client.get("/", HTTP_HOST="evil.example")
    assert bad_host.status_code == 400
    assert "could not be understood" in bad_host.content.decode()
    assert "ALLOWED_HOSTS" not in bad_host.content.decode()
    from django.test import Client

    csrf = Client(enforce_csrf_checks=True).post("/shortlist/", {"add": "1101"})
    assert csrf.status_code == 403
    assert "This form could not be checked" in csrf.content.decode()
    assert "CSRF" not in csrf.content.decode()


@pytest.mark.django_db
def test_each_request_is_logged_as_one_json_line_without_personal_data(client, catalogue, caplog):
    import json as json_module
    import logging

    from catalogue.logs import JSONFormatter

    caplog.set_level(logging.INFO, logger="catalogue.requests")
    response = client.get("/?q=maria.gomez@ministry.example", HTTP_X_REQUEST_ID="req-12345678")
    assert response["X-Request-ID"] == "req-12345678"
    lines = [JSONFormatter().format(record) for record in caplog.records]
    entries = [json_module.loads(line) for line in lines]
    request_entry = next(e for e in entries if e["logger"] == "catalogue.requests")
    assert request_entry["request_id"] == "req-12345678"
    assert request_entry["status"] == 200 and request_entry["path"] == "/"
    assert request_entry["duration_ms"] >= 0
    assert all("maria" not in line for line in lines)  # the query string is never logged
    # A request id that could forge log content is replaced.
    forged = client.get("/healthz", HTTP_X_REQUEST_ID='x"\n{"level": "ERROR"}')
    assert forged["X-Request-ID"] != 'x"\n{"level": "ERROR"}'
    assert len(forged["X-Request-ID"]) == 32
