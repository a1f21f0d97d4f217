"""Start-up with bad settings stops with one line naming the variable; good production
settings pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LONG_KEY = "x7!Gq2@pL9#vR4$tY8%wE1^uI6&oP3*aS5(dF0)gH-jK_lZ+cX=vB|nM~"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    clean["DJANGO_SETTINGS_MODULE"] = "outsourcing.settings.base"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "variable", "words"),
    [
        ({"DATABASE_URL": "postgres://keel@db:notaport/keel"}, "DATABASE_URL", "port"),
        ({"DATABASE_URL": "mysql://keel@db/keel"}, "DATABASE_URL", "not a database URL"),
        ({"DATABASE_URL": "just-some-text"}, "DATABASE_URL", "not a database URL"),
        ({"DATABASE_URL": "postgres://keel@db:5432/"}, "DATABASE_URL", "names no database"),
        ({"REDIS_URL": "redis://cache:sixthousand/0"}, "REDIS_URL", "port"),
        ({"REDIS_URL": "http://cache:6379"}, "REDIS_URL", "not a Redis URL"),
        ({"DEBUG": "maybe"}, "DEBUG", "not a boolean"),
        ({"CONN_MAX_AGE": "forever"}, "CONN_MAX_AGE", "not a whole number"),
        ({"DEBUG": "false"}, "SECRET_KEY", "development default"),
        ({"DEBUG": "false", "SECRET_KEY": ""}, "SECRET_KEY", "development default"),
    ],
)
def test_bad_setting_stops_start_up_with_one_line_naming_it(env, variable, words):
    env = {"DEBUG": "true", **env}
    result = manage("check", **env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert words in lines[0]
    assert "Traceback" not in result.stderr


def test_password_in_a_bad_database_url_is_not_printed():
    result = manage("check", DEBUG="true", DATABASE_URL="postgres://keel:s3cret@db:abc/keel")
    assert "s3cret" not in result.stderr
    assert "DATABASE_URL" in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=LONG_KEY,
        ALLOWED_HOSTS="keel.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_defaults_start_without_any_variable():
    result = manage("check", DEBUG="true")
    assert result.returncode == 0, result.stderr
