from __future__ import annotations

from unittest import mock


def test_health_reports_database_and_cache(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_is_503_naming_what_fails(client, db):
    with mock.patch("outsourcing.views.cache.set", side_effect=ConnectionError):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["cache"] == "error: ConnectionError"
