"""Benchmarks (`make bench`): set-up speed and page cost on the demo programme.

Targets: `make run` on an empty database is ready in under a minute, so migrate + seed_demo
must take well under that; the busiest home page renders in well under a second.
Prints the measurements and exits non-zero when a target is missed.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED_TARGET_SECONDS = 30.0
PAGE_TARGET_SECONDS = 0.5


def main() -> int:
    workdir = tempfile.mkdtemp(prefix="keel-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outsourcing.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    call_command("seed_demo", verbosity=0)
    seeded = time.perf_counter()
    print(f"migrate: {migrated - started:.2f} s, seed_demo: {seeded - migrated:.2f} s")

    failures = []
    if seeded - started > SEED_TARGET_SECONDS:
        failures.append(f"migrate + seed_demo took {seeded - started:.1f} s")

    from partners.models import User

    client = Client()
    client.force_login(User.objects.get(email="pm@northwind.example"))
    for path in ["/", "/partners/", "/partners/1/agents/", "/api/v1/agents/?page_size=500"]:
        timings = []
        for _ in range(15):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                assert client.get(path).status_code == 200
                timings.append(time.perf_counter() - t0)
        median = statistics.median(timings)
        print(f"{path:35} median {median * 1000:7.1f} ms, {len(queries)} queries")
        if median > PAGE_TARGET_SECONDS:
            failures.append(f"{path} took {median:.2f} s")
    for failure in failures:
        print("MISSED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
