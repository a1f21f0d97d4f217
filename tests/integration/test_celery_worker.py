"""A task sent through Redis to a real Celery worker process, which writes to the database.

Runs when REDIS_URL is set (CI's second run, with DATABASE_URL on PostgreSQL).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from core import clock
from outsourcing.celery import app as celery_app
from partners.models import Invitation
from partners.tasks import invitation_send_task, sessions_clear_expired_task
from sla.tasks import sla_evaluate_open_months_task
from tests.factories.partners import AccountFactory, make_invitation

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis)"),
]


def _database_url_for_the_test_database() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        pytest.fail(
            "A worker process cannot share an in-memory SQLite test database: "
            "set DATABASE_URL to PostgreSQL together with REDIS_URL."
        )
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db):
    """A Celery worker on its own queue, pointed at this test run's database."""
    queue = f"keel-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "outsourcing.settings.test",
        "DATABASE_URL": _database_url_for_the_test_database(),
        "REDIS_URL": settings.REDIS_URL,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "outsourcing",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        celery_app.conf.task_always_eager = eager
        process.terminate()
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output)


def test_worker_sends_an_invitation_and_records_it(worker):
    # given: an invitation committed to the database the worker reads
    invitation, _ = make_invitation(account=AccountFactory(), email="worker@example.com")
    # when: the task goes through Redis to the worker process
    result = invitation_send_task.apply_async(
        (invitation.pk, "https://keel.example/invitations/x/"), queue=worker
    )
    # then: the worker ran it, wrote sent_at, and the result came back through Redis
    assert result.get(timeout=90) == "sent"
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None


def test_worker_runs_the_nightly_housekeeping_task(worker):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    store = SessionStore()
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=clock.now() - timezone.timedelta(days=1)
    )
    sessions_clear_expired_task.apply_async(queue=worker, ignore_result=False).get(timeout=90)
    assert not Session.objects.filter(session_key=store.session_key).exists()


def test_worker_runs_the_nightly_sla_evaluation(worker):
    import time

    from sla.evaluation import month_of
    from sla.models import BandStatus, Settlement
    from tests.factories.partners import PartnerFactory
    from tests.factories.sla import govern_template, make_contract, make_sla, month_snapshot

    # given: a partner under contract with CSAT data this month
    partner = PartnerFactory(account=AccountFactory())
    today = clock.today()
    contract = make_contract(partner, start_date=today.replace(year=today.year - 1))
    govern_template(make_sla(contract), "chat", "csat")
    month_snapshot(partner, "chat", month_of(today).start, contacts=400, csat_n=200,
                   csat_positive=140)  # fmt: skip
    # when: beat's nightly task goes through Redis to the worker, which fans out per partner
    task = sla_evaluate_open_months_task.apply_async(queue=worker, ignore_result=False)
    assert task.get(timeout=90) == 1
    # then: the partner's task (on the same queue) wrote this month's standing and settlement
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not BandStatus.objects.filter(partner=partner).exists():
        time.sleep(0.5)
    status = BandStatus.objects.get(partner=partner, month=month_of(today).start)
    assert status.band_kind == "penalty"  # 70 %, below 75 %
    if today.day > 1:  # with a day of the month behind it, the month end is projected
        assert status.heading == "penalty"
    assert Settlement.objects.filter(contract=contract).count() == 2


def _start_worker(queue: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "outsourcing.settings.test",
        "DATABASE_URL": _database_url_for_the_test_database(),
        "REDIS_URL": settings.REDIS_URL,
        "KEEL_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "outsourcing", "worker",
            "--pool=solo", "-Q", queue, "--without-gossip", "--without-mingle",
            "--without-heartbeat", "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def test_a_worker_killed_mid_import_leaves_the_database_as_before_and_a_retry_imports(
    transactional_db, settings
):
    import signal
    import time
    from datetime import timedelta

    from django.core.files.base import ContentFile

    from kpis.importers import progress_get
    from kpis.models import ImportBatch, ImportStatus, Interaction
    from kpis.tasks import import_batch_run_task
    from partners.models import InteractionType
    from tests.factories.partners import AgentFactory, PartnerFactory

    # given: a file big enough to take a few seconds, stored where the worker reads it
    partner = PartnerFactory()
    InteractionType.objects.create(account=partner.account, code="billing", name="Billing")
    AgentFactory(partner=partner, external_id="901")
    opened = (clock.now() - timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    lines = ["external_id,agent_id,channel,interaction_type,opened_at,csat"]
    lines += [f"T-{i},901,chat,billing,{opened},5" for i in range(60_000)]
    batch = ImportBatch.objects.create(
        account=partner.account, partner=partner, kind="interactions", source="upload",
        file=ContentFile("\n".join(lines).encode(), name="big.csv"), file_name="big.csv",
        rows_expected=60_000, mapping={"columns": {}, "units": {}, "values": {}},
    )  # fmt: skip
    queue = f"keel-test-{uuid.uuid4().hex[:12]}"
    # The worker reports progress under the cache's own key prefix, not a per-test one.
    from django.core.cache import cache

    cache.key_prefix = ""
    cache.delete_many([f"kpis:import:{batch.pk}:progress"])  # left by an earlier test run
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    worker = _start_worker(queue)
    try:
        # when: the worker is killed once it is reading rows
        import_batch_run_task.apply_async((batch.pk,), queue=queue)
        deadline = time.monotonic() + 120
        while (progress_get(batch.pk) or {}).get("rows", 0) < 5_000:
            assert time.monotonic() < deadline, "the worker never started the import"
            time.sleep(0.2)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        # then: nothing of it was written; the batch is still "running" and stalls
        assert Interaction.objects.count() == 0
        batch.refresh_from_db()
        assert batch.status == ImportStatus.RUNNING
        settings.KEEL_IMPORT_STALLED_SECONDS = 0
        time.sleep(1)
        # and a retry on a fresh worker imports the whole file
        worker = _start_worker(queue)
        from kpis.services import import_is_stalled

        assert import_is_stalled(batch)
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.PENDING)
        result = import_batch_run_task.apply_async((batch.pk,), queue=queue)
        assert result.get(timeout=300) == ImportStatus.SUCCEEDED
        assert Interaction.objects.count() == 60_000
        batch.refresh_from_db()
        assert batch.attempts == 2
    finally:
        celery_app.conf.task_always_eager = eager
        worker.kill()
        worker.wait(timeout=30)
