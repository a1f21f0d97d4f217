"""The life of an import batch: claimed once, run in one transaction, then marked succeeded
(with what it wrote), rejected (with its problems, and nothing else written) or failed (a
crash: nothing written, and it can be run again)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import IO, Any

from django.db import transaction
from django.db.models import F

from core import clock
from kpis.importers.importer import Importer
from kpis.importers.progress import progress_set
from kpis.importers.reading import Source, csv_source, records_source
from kpis.importers.state import ImportRejected, ProblemLog, Result
from kpis.models import ImportBatch, ImportProblem, ImportStatus

logger = logging.getLogger(__name__)


def import_stream(batch: ImportBatch, stream: IO[bytes]) -> ImportBatch:
    """Import a CSV stream (an upload, or a file on disk) into `batch`."""
    return _run(batch, csv_source(batch, stream))


def import_records(batch: ImportBatch, records: list[Mapping[str, Any]]) -> ImportBatch:
    """Import rows sent as JSON objects keyed by Keel's field names (the REST endpoint)."""
    return _run(batch, records_source(batch, records))


def import_batch_file(batch: ImportBatch) -> ImportBatch:
    """Import the file stored with the batch (uploads; retries)."""
    with batch.file.open("rb") as stream:
        return import_stream(batch, stream)


def _claim(batch: ImportBatch) -> bool:
    """Mark the batch running, unless it has already finished (a redelivered task)."""
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportStatus.PENDING, ImportStatus.RUNNING, ImportStatus.FAILED]
    ).update(
        status=ImportStatus.RUNNING,
        started_at=clock.now(),
        error="",
        attempts=F("attempts") + 1,
    )
    if claimed:
        ImportProblem.objects.filter(batch=batch).delete()
        progress_set(batch.pk, 0, "starting")
    batch.refresh_from_db()
    return bool(claimed)


def _run(batch: ImportBatch, source: Source) -> ImportBatch:
    if not _claim(batch):
        return batch
    log = ProblemLog()
    result = Result()
    reader, records, file_problems = source()
    log.extend(file_problems)
    if reader is not None:
        log.extend(reader.file_problems)
    try:
        with transaction.atomic():
            # Held until commit: a second worker handed the same batch skips it.
            locked = ImportBatch.objects.select_for_update(skip_locked=True).filter(pk=batch.pk)
            if not locked.exists():
                return batch
            if log.count == 0 and reader is not None:
                Importer(batch, reader, log, result).run(records)
            if log.count:
                raise ImportRejected
            batch.columns_missing = reader.missing_optional if reader else []
    except ImportRejected:
        _finish_rejected(batch, log, result)
    except Exception as exc:
        # Nothing was written (the transaction rolled back); the batch can be run again.
        logger.exception("Import batch %s failed", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED,
            finished_at=clock.now(),
            error=f"{exc.__class__.__name__}: {exc}",
        )
    else:
        _finish_succeeded(batch, result)
    batch.refresh_from_db()
    return batch


def _finish_rejected(batch: ImportBatch, log: ProblemLog, result: Result) -> None:
    with transaction.atomic():
        ImportProblem.objects.bulk_create(
            ImportProblem(
                batch=batch,
                row=p.row,
                column=p.column[:200],
                value=p.value[:200],
                message=p.message,
            )
            for p in log.problems
        )
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.REJECTED,
            finished_at=clock.now(),
            rows_total=result.rows_total,
            rows_created=0,
            rows_updated=0,
            agents_created=0,
            rows_rejected=len(log.rows - {0}),
            problem_count=log.count,
        )
    progress_set(batch.pk, result.rows_total, "rejected")


def _finish_succeeded(batch: ImportBatch, result: Result) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.SUCCEEDED,
        finished_at=clock.now(),
        rows_total=result.rows_total,
        rows_created=result.rows_created,
        rows_updated=result.rows_updated,
        rows_rejected=0,
        agents_created=result.agents_created,
        problem_count=0,
        first_day=result.first_day,
        last_day=result.last_day,
        columns_missing=batch.columns_missing,
    )
    progress_set(batch.pk, result.rows_total, "done")
