"""Writes for KPI data: creating and running import batches, saving column mappings.

Every way data comes in (upload, REST, command) creates an `ImportBatch` here and runs it
through `kpis.importers`, the one validation and write path.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from core import clock
from core.errors import DomainError
from core.scoping import PERMISSION_DENIED, Viewer, ensure_in_scope, require_role
from kpis.csvfiles import count_lines
from kpis.importers import import_batch_file, import_records, import_stream, progress_get
from kpis.models import (
    ColumnMapping,
    ImportBatch,
    ImportSource,
    ImportStatus,
    ScorecardOpening,
    UnknownAgents,
)
from kpis.rows import FIELDS, PRESETS, ColumnMap, Kind
from partners.models import Account, Agent, Partner, Role
from partners.services import audit_record

# Files with more rows than this are imported by a Celery worker; smaller ones at once.
ASYNC_ROWS = 2_000
MAX_API_ROWS = 10_000
MAX_UPLOAD_BYTES = 1024**3
SAVED = "saved"


IMPORTERS = (Role.PROGRAM_MANAGER, Role.PARTNER_QA_LEAD)


def _check_can_import(viewer: Viewer, partner: Partner | None) -> None:
    """Importers only, and for a partner in the viewer's scope; a partner-side viewer
    imports for its own partner, never for "several partners"."""
    require_role(viewer, IMPORTERS, what="import KPI data")
    if partner is None:
        if viewer.partner is not None:
            raise DomainError(
                f"You import data for {viewer.partner.name} only: choose it as the partner.",
                code=PERMISSION_DENIED,
                field="partner",
            )
        return
    ensure_in_scope(
        partner,
        viewer,
        field="partner",
        message="You cannot import data for that partner."
        if viewer.is_partner_side
        else "That partner is not part of this account.",
    )


def _timezone(name: str | None, account: Account) -> str:
    """The zone for times written without an offset: the one asked for, or the account's."""
    if name is None:
        return account.time_zone
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(
            f"'{name}' is not a time zone; use a name such as UTC or Europe/Paris.",
            field="timezone",
        ) from None
    return name


def _kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in Kind)
        raise DomainError(
            f"'{kind}' is not a kind of import; use {choices}.", field="kind"
        ) from None


def mapping_resolve(*, partner: Partner | None, kind: Kind, preset: str) -> tuple[str, ColumnMap]:
    """The column map an upload uses: a preset, or the partner's saved mapping."""
    if preset == SAVED:
        saved = (
            ColumnMapping.objects.filter(partner=partner, kind=kind.value).first()
            if partner
            else None
        )
        if saved is None:
            raise DomainError(
                "There is no saved column mapping for this partner and kind of data yet.",
                field="mapping",
            )
        return f"Saved for {partner}", ColumnMap.from_json(
            {"columns": saved.columns, "units": saved.units, "values": saved.values}
        )
    if preset not in PRESETS:
        raise DomainError(f"'{preset}' is not a column mapping.", field="mapping")
    label, preset_kind, column_map = PRESETS[preset]
    if preset_kind is not None and preset_kind is not kind:
        raise DomainError(f"The {label} preset is for {preset_kind.value} only.", field="mapping")
    return label, column_map


def _new_batch(
    *,
    account: Account,
    partner: Partner | None,
    kind: Kind,
    source: ImportSource,
    mapping_name: str,
    column_map: ColumnMap,
    unknown_agents: str,
    timezone_name: str | None,
    created_by: Any,
    created_by_label: str,
    **extra: Any,
) -> ImportBatch:
    if unknown_agents not in UnknownAgents.values:
        raise DomainError(
            f"'{unknown_agents}' is not a choice for unknown agents; use reject or create.",
            field="unknown_agents",
        )
    return ImportBatch.objects.create(
        account=account,
        partner=partner,
        kind=kind.value,
        source=source,
        mapping_name=mapping_name,
        mapping=column_map.to_json(),
        unknown_agents=unknown_agents,
        timezone=_timezone(timezone_name, account),
        created_by=created_by,
        created_by_label=created_by_label,
        **extra,
    )


def _label(viewer: Viewer) -> str:
    if viewer.user is not None:
        return viewer.user.email
    return f"API token “{viewer.token.name}”" if viewer.token else ""


def import_upload(
    *,
    viewer: Viewer,
    kind: str,
    partner: Partner | None,
    file: UploadedFile,
    mapping: str,
    unknown_agents: str,
    timezone_name: str | None = None,
) -> ImportBatch:
    """Store an uploaded CSV and import it: at once when small, by a worker when large."""
    import_kind = _kind(kind)
    _check_can_import(viewer, partner)
    if file.size and file.size > MAX_UPLOAD_BYTES:
        raise DomainError(
            f"The file is {file.size / 1024**2:,.0f} MB; at most {MAX_UPLOAD_BYTES // 1024**2:,} "
            "MB is accepted in one upload: split it.",
            field="file",
        )
    mapping_name, column_map = mapping_resolve(partner=partner, kind=import_kind, preset=mapping)
    rows_expected = max(count_lines(file) - 1, 0)
    file.seek(0)
    batch = _new_batch(
        account=viewer.account,
        partner=partner,
        kind=import_kind,
        source=ImportSource.UPLOAD,
        mapping_name=mapping_name,
        column_map=column_map,
        unknown_agents=unknown_agents,
        timezone_name=timezone_name,
        created_by=viewer.user,
        created_by_label=_label(viewer),
        file=file,
        file_name=Path(file.name or "upload.csv").name[:255],
        rows_expected=rows_expected,
    )
    audit_record(
        account=viewer.account,
        actor=viewer.user,
        action="import.upload",
        summary=f"Uploaded {batch.file_name} ({import_kind.value}"
        + (f", {partner.name})" if partner else ", several partners)"),
        batch_id=batch.pk,
    )
    if rows_expected > ASYNC_ROWS:
        _enqueue(batch)
        return batch
    return import_batch_file(batch)


def _enqueue(batch: ImportBatch) -> None:
    from kpis.tasks import import_batch_run_task

    transaction.on_commit(lambda: import_batch_run_task.delay(batch.pk))


def import_api(
    *,
    viewer: Viewer,
    kind: str,
    partner: Partner | None,
    rows: list[Mapping[str, Any]],
    unknown_agents: str = UnknownAgents.REJECT,
    timezone_name: str | None = None,
) -> ImportBatch:
    """Import rows sent to the REST bulk endpoint, synchronously."""
    import_kind = _kind(kind)
    _check_can_import(viewer, partner)
    if not rows:
        raise DomainError("Send at least one row.", field="rows")
    if len(rows) > MAX_API_ROWS:
        raise DomainError(
            f"{len(rows):,} rows sent; at most {MAX_API_ROWS:,} fit in one call: split them.",
            field="rows",
        )
    batch = _new_batch(
        account=viewer.account,
        partner=partner,
        kind=import_kind,
        source=ImportSource.API,
        mapping_name="Keel fields",
        column_map=ColumnMap(),
        unknown_agents=unknown_agents,
        timezone_name=timezone_name,
        created_by=viewer.user,
        created_by_label=_label(viewer),
        rows_expected=len(rows),
    )
    return import_records(batch, rows)


def import_file_on_disk(
    *,
    account: Account,
    partner: Partner | None,
    kind: str,
    stream: BinaryIO,
    file_name: str,
    mapping: str,
    unknown_agents: str,
    timezone_name: str | None = None,
) -> ImportBatch:
    """Import a file from disk (the management command): an operator's action."""
    import_kind = _kind(kind)
    if partner is not None and partner.account_id != account.pk:
        raise DomainError(f"{partner.name} is not a partner of {account.name}.", field="partner")
    mapping_name, column_map = mapping_resolve(partner=partner, kind=import_kind, preset=mapping)
    batch = _new_batch(
        account=account,
        partner=partner,
        kind=import_kind,
        source=ImportSource.COMMAND,
        mapping_name=mapping_name,
        column_map=column_map,
        unknown_agents=unknown_agents,
        timezone_name=timezone_name,
        created_by=None,
        created_by_label="management command",
        file_name=file_name[:255],
    )
    return import_stream(batch, stream)


def import_is_stalled(batch: ImportBatch) -> bool:
    """A queued or running import nothing has moved for a while (its worker died)."""
    if batch.status not in {ImportStatus.PENDING, ImportStatus.RUNNING}:
        return False
    progress = progress_get(batch.pk)
    last = progress["at"] if progress else (batch.started_at or batch.created_at).timestamp()
    return clock.now().timestamp() - last > settings.KEEL_IMPORT_STALLED_SECONDS


def import_retry(*, viewer: Viewer, batch: ImportBatch) -> ImportBatch:
    """Run a failed (or stalled) upload again; nothing of the earlier attempt was written."""
    ensure_in_scope(batch, viewer)
    _check_can_import(viewer, batch.partner)
    if not (batch.status == ImportStatus.FAILED or import_is_stalled(batch)):
        raise DomainError(
            f"This import is {batch.get_status_display().lower()}; only a failed or stalled "
            "import can be retried.",
            code="not_retryable",
        )
    if not batch.file:
        raise DomainError("This import came through the API: send the rows again.")
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.PENDING)
    audit_record(
        account=viewer.account,
        actor=viewer.user,
        action="import.retry",
        summary=f"Retried the import of {batch.file_name}",
        batch_id=batch.pk,
    )
    _enqueue(batch)
    batch.refresh_from_db()
    return batch


def mapping_save(
    *,
    viewer: Viewer,
    partner: Partner,
    kind: str,
    columns: Mapping[str, str],
    units: Mapping[str, str],
    values: Mapping[str, Mapping[str, str]],
) -> ColumnMapping:
    import_kind = _kind(kind)
    _check_can_import(viewer, partner)
    names = {f.name for f in FIELDS[import_kind]}
    unknown = sorted(set(columns) - names)
    if unknown:
        raise DomainError(f"Keel has no field {', '.join(unknown)} for {import_kind.value}.")
    mapping, _ = ColumnMapping.objects.update_or_create(
        partner=partner,
        kind=import_kind.value,
        defaults={
            "columns": {k: v.strip() for k, v in columns.items() if v and v.strip()},
            "units": dict(units),
            "values": {k: dict(v) for k, v in values.items() if v},
            "updated_by": viewer.user,
        },
    )
    return mapping


def scorecard_opened(*, viewer: Viewer, agent: Agent) -> None:
    """Note that the viewer opened `agent`'s scorecard today (once a day; tokens are not
    people and are not counted)."""
    if viewer.user is None:
        return
    ensure_in_scope(agent, viewer, field="agent")
    ScorecardOpening.objects.bulk_create(
        [
            ScorecardOpening(
                agent=agent, user=viewer.user, buyer_side=viewer.partner is None,
                opened_on=clock.today(viewer.account),
            )
        ],
        ignore_conflicts=True,
    )  # fmt: skip
