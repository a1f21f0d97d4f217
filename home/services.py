"""Writes of the QBR record: a program manager opens a partner's review of a quarter and adds
its action items; the program manager or the item's owner records how an item ended. Each
write checks role and scope through `core.scoping` and is audited."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from core import clock
from core.errors import DomainError
from core.scoping import Viewer, ensure_in_scope, require_role
from home.domain import LAYERS
from home.models import ActionItem, ItemStatus, QuarterlyReview, Side
from home.signals import review_published
from kpis.periods import Period, PeriodType
from partners.models import Partner, Role, User
from partners.scoping import pickable_member
from partners.services import audit_record

PROGRAM_MANAGERS = (Role.PROGRAM_MANAGER,)
DESCRIPTION_MAX = ActionItem._meta.get_field("description").max_length or 300
EVIDENCE_MAX = 300
LAYER_KEYS = {key for key, _, _ in LAYERS}


def review_open(*, viewer: Viewer, partner: Partner, quarter: Period) -> QuarterlyReview:
    """The partner's review of `quarter`, opened now if it is not yet: opening twice (two
    program managers at once) gives the one review."""
    require_role(viewer, PROGRAM_MANAGERS, what="open quarterly reviews")
    ensure_in_scope(partner, viewer, field="partner")
    existing = QuarterlyReview.objects.filter(partner=partner, quarter_start=quarter.start).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            review = QuarterlyReview.objects.create(
                account=viewer.account, partner=partner, quarter_start=quarter.start,
                opened_by=viewer.user, opened_at=clock.now(),
            )  # fmt: skip
            audit_record(
                account=viewer.account, actor=viewer.user, action="qbr.open",
                summary=f"Opened the review of {review}", review_id=review.pk,
            )  # fmt: skip
    except IntegrityError:  # opened by someone else a moment ago
        return QuarterlyReview.objects.get(partner=partner, quarter_start=quarter.start)
    return review


def review_publish(*, viewer: Viewer, review: QuarterlyReview) -> QuarterlyReview:
    """Declare a review final once its quarter is over: who published it and when are shown
    on the QBR and its print, and `review_published` tells the integrations. Publishing twice
    is refused, naming when it was."""
    require_role(viewer, PROGRAM_MANAGERS, what="publish quarterly reviews")
    ensure_in_scope(review, viewer, field="review")
    quarter = Period.containing(PeriodType.QUARTER, review.quarter_start)
    if clock.today(viewer.account) <= quarter.end:
        raise DomainError(
            f"{review} runs to {quarter.end:%d %b %Y}: publish its review once the quarter "
            "is over.",
            code="quarter_not_over",
        )
    with transaction.atomic():
        locked = QuarterlyReview.objects.select_for_update().get(pk=review.pk)
        if locked.published_at is not None:
            raise DomainError(
                f"The review of {locked} was already published on "
                f"{clock.local_date(locked.published_at, viewer.account):%d %b %Y}.",
                code="already_published",
            )
        locked.published_at = clock.now()
        locked.published_by = viewer.user
        locked.save(update_fields=["published_at", "published_by"])
        audit_record(
            account=viewer.account, actor=viewer.user, action="qbr.publish",
            summary=f"Published the review of {locked}", review_id=locked.pk,
        )  # fmt: skip
        transaction.on_commit(lambda: review_published.send(sender=QuarterlyReview, review=locked))
    return locked


def action_item_add(
    *, viewer: Viewer, review: QuarterlyReview, description: str, side: str,
    owner: User | int | None, due_date: date | None,
) -> ActionItem:  # fmt: skip
    """An action the review agreed, owned by a person on the buyer's side or on the
    partner's; refused, naming the field, with nothing saved."""
    require_role(viewer, PROGRAM_MANAGERS, what="add QBR action items")
    ensure_in_scope(review, viewer, field="review")
    text = description.strip()
    if not text:
        raise DomainError("Say what is to be done.", field="description")
    if len(text) > DESCRIPTION_MAX:
        raise DomainError(
            f"Keep the action to {DESCRIPTION_MAX} characters ({len(text)} now).",
            field="description",
        )
    if side not in Side.values:
        raise DomainError(f"'{side}' is not a side: buyer or partner.", field="side")
    if due_date is None:
        raise DomainError("Give the action a due date.", field="due_date")
    if owner is None:
        raise DomainError("Name the action's owner.", field="owner")
    membership = pickable_member(viewer, owner, field="owner", partner=review.partner)
    assert membership is not None  # owner is given
    if side == Side.BUYER and membership.partner_id is not None:
        raise DomainError(
            f"{membership.user} works for {membership.partner}, not the buyer.", field="owner"
        )
    if side == Side.PARTNER and membership.partner_id != review.partner_id:
        raise DomainError(
            f"A partner-side owner works for {review.partner}; {membership.user} does not.",
            field="owner",
        )
    now = clock.now()
    with transaction.atomic():
        item = ActionItem.objects.create(
            review=review, description=text, side=side, owner=membership.user,
            due_date=due_date, created_at=now, updated_at=now,
        )  # fmt: skip
        audit_record(
            account=viewer.account, actor=viewer.user, action="qbr.item_add",
            summary=f"Added a QBR action for {membership.user} to {review}: {text}",
            item_id=item.pk,
        )  # fmt: skip
    return item


def action_item_update(
    *, viewer: Viewer, item: ActionItem, status: str, outcome: str
) -> ActionItem:
    """Record how an item stands: its program managers or its owner may."""
    ensure_in_scope(item, viewer, field="item")
    if viewer.read_only or not (
        viewer.has_role(Role.PROGRAM_MANAGER)
        or (viewer.user is not None and viewer.user.pk == item.owner_id)
    ):
        raise DomainError(
            "Only program managers and the item's owner update a QBR action.",
            code="permission_denied",
        )
    if status not in ItemStatus.values:
        raise DomainError(f"'{status}' is not a status: open, done or dropped.", field="status")
    text = outcome.strip()
    if status == ItemStatus.DROPPED and not text:
        raise DomainError("Say why the action is dropped.", field="outcome")
    with transaction.atomic():
        ActionItem.objects.filter(pk=item.pk).update(
            status=status, outcome=text, updated_at=clock.now()
        )
        audit_record(
            account=viewer.account, actor=viewer.user, action="qbr.item_update",
            summary=f"Marked the QBR action '{item.description}' {status}", item_id=item.pk,
        )  # fmt: skip
    item.refresh_from_db()
    return item


def health_score_save(
    *, viewer: Viewer, review: QuarterlyReview, layer: str, healthy: bool, evidence: str
) -> QuarterlyReview:
    """The program manager's score of one health-check layer, with its evidence. Keel's own
    score, where its data gives one, still comes first on the page."""
    require_role(viewer, PROGRAM_MANAGERS, what="score the health check")
    ensure_in_scope(review, viewer, field="review")
    if layer not in LAYER_KEYS:
        raise DomainError(f"'{layer}' is not a layer of the health check.", field="layer")
    text = evidence.strip()
    if not text:
        raise DomainError("Give the evidence for the score.", field="evidence")
    if len(text) > EVIDENCE_MAX:
        raise DomainError(f"Keep the evidence to {EVIDENCE_MAX} characters.", field="evidence")
    with transaction.atomic():
        locked = QuarterlyReview.objects.select_for_update().get(pk=review.pk)
        locked.health_scores = {**locked.health_scores,
                                layer: {"healthy": healthy, "evidence": text}}  # fmt: skip
        locked.save(update_fields=["health_scores"])
        audit_record(
            account=viewer.account, actor=viewer.user, action="qbr.health_score",
            summary=f"Scored {layer} {'healthy' if healthy else 'not healthy'} in {locked}",
            review_id=locked.pk,
        )  # fmt: skip
    return locked
