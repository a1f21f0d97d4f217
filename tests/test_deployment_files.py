"""docker-compose.yml and the Dockerfile describe the production-like stack."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_service_has_a_health_check(compose):
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    for name, service in services.items():
        assert "healthcheck" in service, name


def test_web_runs_on_gunicorn_and_worker_and_beat_reuse_the_image(compose):
    services = compose["services"]
    assert "gunicorn outsourcing.wsgi" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A outsourcing worker")
    assert services["beat"]["command"].startswith("celery -A outsourcing beat")
    assert {services[s]["image"] for s in ("web", "worker", "beat")} == {"keel:latest"}


def test_web_and_worker_share_the_uploaded_files(compose):
    """The web process stores an uploaded KPI file; the worker imports it from the same disk."""
    services = compose["services"]
    for name in ("web", "worker"):
        assert "media:/app/media" in services[name]["volumes"], name
    assert "media" in compose["volumes"]


def test_dockerfile_installs_from_pyproject():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY pyproject.toml" in dockerfile
    assert "pip install ." in dockerfile


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose not installed")
def test_docker_compose_accepts_the_file():
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
