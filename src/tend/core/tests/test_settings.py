"""Settings come from the environment; production refuses to start when misconfigured."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tend.core.reference import timezone_for


def _tend(*args, env_extra, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "TEND_ENV", "DATABASE_URL"}
    }
    env.update({"TEND_DATA_DIR": str(tmp_path), **env_extra})
    return subprocess.run(
        [sys.executable, "-m", "tend", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key_and_allowed_hosts(tmp_path):
    result = _tend("check", env_extra={"TEND_ENV": "production"}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "tend: TEND_ENV=production needs SECRET_KEY and ALLOWED_HOSTS in the environment.\n"
    )


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = _tend(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "TEND_ENV": "production",
            "SECRET_KEY": "x" * 30 + "a-long-random-production-secret-value-1234567890",
            "ALLOWED_HOSTS": "tend.example.com",
        },
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path):
    first = _tend(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        env_extra={},
        tmp_path=tmp_path,
    )
    second = _tend(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        env_extra={},
        tmp_path=tmp_path,
    )
    key = (Path(tmp_path) / "secret_key").read_text().strip()
    assert first.stdout.strip().splitlines()[-1] == key == second.stdout.strip().splitlines()[-1]
    assert len(key) > 40


def test_the_default_database_is_sqlite_in_the_data_dir(tmp_path):
    result = _tend(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DATABASES['default']['NAME'])",
        env_extra={},
        tmp_path=tmp_path,
    )
    assert result.stdout.strip().splitlines()[-1] == str(tmp_path / "tend.sqlite3")


def test_the_tend_command_wraps_any_management_command(tmp_path):
    result = _tend("help", env_extra={}, tmp_path=tmp_path)
    for command in ("serve", "demo", "createuser", "migrate"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("country", "city", "zone"),
    [
        ("AE", "Dubai", "Asia/Dubai"),
        ("US", "Chicago", "America/Chicago"),
        ("US", "Houston", "America/Chicago"),
        ("US", "", "America/New_York"),
        ("RU", "", "Europe/Moscow"),
        ("BR", "São Paulo", "America/Sao_Paulo"),
        ("CN", "Ningbo", "Asia/Shanghai"),
        ("AU", "Perth", "Australia/Perth"),
        ("ZZ", "", "UTC"),
    ],
)
def test_time_zone_for_country_and_city(country, city, zone):
    assert timezone_for(country, city) == zone


def test_the_database_optimize_job_gathers_sqlite_statistics(db):
    from django.db import connection

    from tend.core.jobs import database_optimize

    result = database_optimize()
    if connection.vendor == "sqlite":
        assert result == "analyzed"
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1
    else:
        assert result == "nothing to do"


def _handlers_reached(logger_name: str) -> list:
    """The handlers a record logged on this logger goes through, as the logging module walks."""
    logger = logging.getLogger(logger_name)
    handlers = []
    while logger:
        handlers += logger.handlers
        if not logger.propagate:
            break
        logger = logger.parent
    return handlers


@pytest.mark.parametrize("debug", [True, False])
def test_a_refused_request_is_logged_once(settings, debug):
    settings.DEBUG = debug
    record = logging.makeLogRecord({"name": "django.request", "levelno": logging.WARNING})
    printing = [
        handler
        for handler in _handlers_reached("django.request")
        if type(handler) is logging.StreamHandler and handler.filter(record)  # not pytest's own
    ]
    assert len(printing) == 1
