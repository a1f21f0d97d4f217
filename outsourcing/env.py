"""Read and validate Keel's settings from the environment.

Every variable a deployment can set is parsed here, so that a malformed value stops
start-up with one line that names the variable instead of a traceback deep inside a
database driver.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

DATABASE_ENGINES = {
    "sqlite": "django.db.backends.sqlite3",
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql",
}
REDIS_SCHEMES = {"redis", "rediss"}


class SettingsError(ImproperlyConfigured):
    """A setting read from the environment is missing or malformed."""


def _port(var: str, url: str) -> int | None:
    try:
        return urlsplit(url).port
    except ValueError:
        raise SettingsError(f"{var}: the port in {_redact(url)!r} is not a number.") from None


def _redact(url: str) -> str:
    """Hide a password in a URL before it is printed."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url


def database(env: environ.Env, var: str, default: str) -> dict[str, Any]:
    """Parse a database URL; only SQLite and PostgreSQL are supported."""
    url = env.str(var, default=default)
    scheme = urlsplit(url).scheme
    if scheme not in DATABASE_ENGINES:
        raise SettingsError(
            f"{var}: {_redact(url)!r} is not a database URL Keel supports; "
            "use postgres://user:password@host:5432/name or sqlite:///path/to/file.sqlite3."
        )
    _port(var, url)
    config: dict[str, Any] = environ.Env.db_url_config(url)
    config["ENGINE"] = DATABASE_ENGINES[scheme]
    if scheme != "sqlite" and not config.get("NAME"):
        raise SettingsError(f"{var}: {_redact(url)!r} names no database (…/name at the end).")
    return config


def redis_url(env: environ.Env, var: str) -> str:
    """An empty string when unset (embedded mode); otherwise a validated redis:// URL."""
    url: str = env.str(var, default="")
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES or not parts.hostname:
        raise SettingsError(f"{var}: {_redact(url)!r} is not a Redis URL; use redis://host:6379/0.")
    _port(var, url)
    return url


def boolean(env: environ.Env, var: str, default: bool) -> bool:
    raw = env.str(var, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{var}: {raw!r} is not a boolean; use true or false.")


def integer(env: environ.Env, var: str, default: int) -> int:
    raw = env.str(var, default="")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{var}: {raw!r} is not a whole number.") from None
