"""Safe by default: no tracebacks outside `tend serve --dev`, a real secret key in production,
redirects that stay on the site, API docs that need no CDN."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import path

import tend
from tend.accounts.tests.factories import PASSWORD


def _boom(request):
    raise RuntimeError("secret local value 4242")


urlpatterns = [path("boom/", _boom)]


def _tend(*args, env_extra, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "TEND_ENV", "DATABASE_URL", "TEND_DEV_SERVER"}
    }
    # The subprocess runs this checkout's code, not whichever tend the interpreter installed.
    source = str(Path(tend.__file__).resolve().parents[1])
    env.update({"TEND_DATA_DIR": str(tmp_path), "PYTHONPATH": source, **env_extra})
    return subprocess.run(
        [sys.executable, "-m", "tend", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _debug_setting(tmp_path, **env_extra) -> str:
    result = _tend(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        env_extra=env_extra,
        tmp_path=tmp_path,
    )
    return result.stdout.strip().splitlines()[-1]


def test_debug_is_off_outside_the_development_server(tmp_path):
    assert _debug_setting(tmp_path) == "False"
    assert _debug_setting(tmp_path, DEBUG="1") == "False"
    assert _debug_setting(tmp_path, TEND_DEV_SERVER="1") == "True"


def test_serve_dev_turns_debug_on_for_the_reloaders_server(monkeypatch, settings):
    monkeypatch.setenv("TEND_DEV_SERVER", "0")
    calls = []
    monkeypatch.setattr(
        "tend.core.management.commands.serve.call_command",
        lambda *args, **kwargs: calls.append(args),
    )
    call_command("serve", "--dev", "--port", "8123")
    assert calls == [("runserver", "127.0.0.1:8123")]
    assert os.environ["TEND_DEV_SERVER"] == "1"
    assert settings.DEBUG is True


def test_serve_for_a_team_refuses_to_run_with_debug_on(monkeypatch, settings):
    settings.DEBUG = True
    started = []
    monkeypatch.setattr(
        "gunicorn.app.wsgiapp.WSGIApplication.run", lambda self: started.append(self)
    )
    with pytest.raises(CommandError, match="tend serve --dev"):
        call_command("serve")
    assert started == []


@pytest.mark.urls(__name__)
def test_an_error_shows_the_error_page_without_a_traceback(client, rep1):
    client.raise_request_exception = False
    client.force_login(rep1)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "Traceback" not in html
    assert "4242" not in html


def test_a_missing_page_shows_the_not_found_page(client, rep1):
    client.force_login(rep1)
    response = client.get("/customers/999999/")
    assert response.status_code == 404
    assert "There is nothing here, or it is not yours to see." in response.content.decode()


@pytest.mark.parametrize(
    "secret_key",
    ["short-secret", "django-insecure-" + "k3y" * 20, "ab" * 40],
    ids=["short", "django-default", "few-characters"],
)
def test_production_refuses_a_weak_secret_key_in_one_line(tmp_path, secret_key):
    result = _tend(
        "check",
        env_extra={
            "TEND_ENV": "production",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "tend.example.com",
        },
        tmp_path=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "tend: SECRET_KEY is short or a default: use 50+ random characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "https:///evil.example"],
)
def test_login_does_not_send_people_to_another_site(client, rep1, target):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_the_bulk_update_goes_back_only_to_a_page_of_this_site(client, manager1, book, target):
    client.force_login(manager1)
    response = client.post("/customers/bulk/", {"choice": "tier:A", "ids": [], "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/customers/"
    response = client.post(
        "/customers/bulk/", {"choice": "tier:A", "ids": [], "next": "/customers/?tier=B"}
    )
    assert response["Location"] == "/customers/?tier=B"


def test_the_api_docs_load_swagger_from_this_site(client, rep1):
    client.force_login(rep1)
    response = client.get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'src="/static/ninja/swagger-ui-bundle.js"' in html
    assert "cdn" not in html.lower()
    bundle = client.get("/static/ninja/swagger-ui-bundle.js")
    assert bundle.status_code == 200
