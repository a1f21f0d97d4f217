"""The debrief after the reveal: the consensus both sides agree, an outcome item (or a "no
action" note) for every disagreement, and closing the session once none is left open."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from calibration import domain
from calibration.models import (
    CalibrationSession,
    ConsensusScore,
    NoActionNote,
    OutcomeItem,
    OutcomeStatus,
    SessionItem,
    SessionStatus,
)
from calibration.services.alignment import alignment_update, compute_alignment, session_data
from calibration.services.roles import require_facilitator
from calibration.services.rubrics import checked_answers
from core import clock
from core.errors import DomainError
from core.scoping import PERMISSION_DENIED, Viewer
from partners.models import Role, User
from partners.scoping import pickable_members
from partners.services import audit_record

# A criterion on which the sides' agreement falls below this needs an outcome item or a
# "no action" note before the session can close.
DISAGREEMENT_BELOW = Decimal("0.75")


def _require_revealed(session: CalibrationSession) -> None:
    if not session.is_revealed:
        raise DomainError("The scores are not revealed yet.", code="not_revealed")
    if session.status == SessionStatus.CLOSED:
        raise DomainError("The session is closed.", code="closed")


def consensus_save(
    *, viewer: Viewer, session: CalibrationSession, item: SessionItem,
    values: Mapping[int, Decimal | None],
) -> None:  # fmt: skip
    """The facilitator records the score both sides agreed, per criterion."""
    require_facilitator(viewer, session)
    _require_revealed(session)
    if item.session_id != session.pk:
        raise DomainError("That interaction is not part of this session.", field="item")
    answers = checked_answers(session.version, values, complete=False)
    with transaction.atomic():
        for pk, answer in answers.items():
            ConsensusScore.objects.update_or_create(
                item=item, criterion_id=pk, defaults={"value": answer.value}
            )
        alignment_update(session)


def outcome_add(
    *, viewer: Viewer, session: CalibrationSession, kind: str, description: str, owner: User,
    due_date: date, item: SessionItem | None = None, criterion_id: int | None = None,
) -> OutcomeItem:  # fmt: skip
    require_facilitator(viewer, session)
    _require_revealed(session)
    if kind not in ("policy", "training", "process"):
        raise DomainError(f"'{kind}' is not a kind of outcome.", field="kind")
    if not description.strip():
        raise DomainError("Describe the action.", field="description")
    # An owner from another partner could not even see the outcome.
    if not pickable_members(viewer, partner=session.partner_id).filter(user=owner).exists():
        raise DomainError(
            f"The owner must be on the buyer's side or work for {session.partner}.",
            field="owner",
        )
    if item is not None and item.session_id != session.pk:
        raise DomainError("That interaction is not part of this session.", field="item")
    if criterion_id is not None and not session.version.criteria.filter(pk=criterion_id).exists():
        raise DomainError(f"Criterion {criterion_id} is not part of {session.version}.",
                          field="criterion")  # fmt: skip
    return OutcomeItem.objects.create(
        session=session, item=item, criterion_id=criterion_id, kind=kind,
        description=description.strip(), owner=owner, due_date=due_date,
    )  # fmt: skip


def outcome_update(*, viewer: Viewer, outcome: OutcomeItem, status: str) -> OutcomeItem:
    """The owner, or a program manager, marks an outcome done (or open again)."""
    if viewer.read_only or (viewer.role != Role.PROGRAM_MANAGER and viewer.user != outcome.owner):
        raise DomainError("Only the owner or a program manager updates an outcome.",
                          code=PERMISSION_DENIED)  # fmt: skip
    if status not in OutcomeStatus.values:
        raise DomainError(f"'{status}' is not a status.", field="status")
    with transaction.atomic():
        outcome.status = status
        outcome.done_at = clock.now() if status == OutcomeStatus.DONE else None
        outcome.save(update_fields=["status", "done_at"])
        audit_record(
            account=viewer.account, actor=viewer.user, action=f"calibration.outcome_{status}",
            summary=f"Marked {outcome} {status}"[:300], outcome=outcome.pk,
        )  # fmt: skip
    return outcome


def no_action_save(
    *, viewer: Viewer, session: CalibrationSession, item: SessionItem, criterion_id: int,
    note: str,
) -> NoActionNote:  # fmt: skip
    require_facilitator(viewer, session)
    _require_revealed(session)
    if not note.strip():
        raise DomainError("Say why no action is needed.", field="note")
    if item.session_id != session.pk:
        raise DomainError("That interaction is not part of this session.", field="item")
    if not session.version.criteria.filter(pk=criterion_id).exists():
        raise DomainError(f"Criterion {criterion_id} is not part of {session.version}.",
                          field="criterion")  # fmt: skip
    note_obj, _ = NoActionNote.objects.update_or_create(
        item=item, criterion_id=criterion_id, defaults={"note": note.strip()[:500]}
    )
    return note_obj


@dataclass(frozen=True)
class Disagreement:
    item: SessionItem
    criterion: domain.Criterion
    agreement: Decimal
    bias: Decimal | None


def open_disagreements(session: CalibrationSession) -> list[Disagreement]:
    """Disagreements below the threshold without an outcome item or a "no action" note,
    largest first. Only after the reveal: before it, they would tell the scores."""
    if not session.is_revealed:
        raise DomainError("The scores are not revealed yet.", code="not_revealed")
    data = session_data(session)
    result = compute_alignment(data)
    handled = set(
        OutcomeItem.objects.filter(session=session, item__isnull=False).values_list(
            "item_id", "criterion_id"
        )
    ) | set(
        NoActionNote.objects.filter(item__session=session).values_list("item_id", "criterion_id")
    )
    found = []
    for item, aligned in zip(data.items, result.items, strict=True):
        for criterion, row in domain.disagreements(data.criteria, aligned):
            if (
                row.agreement is not None
                and row.agreement < DISAGREEMENT_BELOW
                and ((item.pk, int(criterion.key)) not in handled)
            ):
                found.append(Disagreement(item, criterion, row.agreement, row.bias))
    return sorted(found, key=lambda d: d.agreement)


def session_close(*, viewer: Viewer, session: CalibrationSession) -> CalibrationSession:
    require_facilitator(viewer, session)
    _require_revealed(session)
    pending = open_disagreements(session)
    if pending:
        first = pending[0]
        raise DomainError(
            f"{len(pending)} disagreement(s) need an outcome item or a 'no action' note, "
            f"starting with '{first.criterion.name}' on {first.item.external_id} "
            f"(agreement {first.agreement:.0%}).",
            code="open_disagreements",
        )
    session.status = SessionStatus.CLOSED
    session.closed_at = clock.now()
    session.save(update_fields=["status", "closed_at"])
    audit_record(
        account=viewer.account, actor=viewer.user, action="calibration.closed",
        summary=f"Closed {session}", session=session.pk,
    )  # fmt: skip
    return session
