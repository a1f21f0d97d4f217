"""QA and calibration for the demo programme, deterministic from the seed.

- A "Support QA" rubric of nine criteria (one critical).
- QA evaluations outside calibration, about fifteen a week per partner (a third by the
  buyer), whose scores follow the partner's quality in the KPI demo: they feed the QA score
  KPI. Created before the KPI snapshots are computed.
- Calibration sessions on each partner's cadence since its go-live (within the KPI history),
  eight interactions each, scored by the buyer's QA reviewer and the partner's QA lead.
  Harborline's and Lotus's alignment improves as the relationship matures; Meridian's
  worsens, its QA lead scoring ever more leniently. Past sessions (due before today) are
  closed with their outcomes; the last one waits for its debrief. The next, due within two
  weeks (today included: `demo.accounts.go_live` picks go-live days that make it so), is in
  blind scoring: the buyer's reviewer has submitted, the partner's QA lead has not.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction

from calibration import domain, services
from calibration.models import (
    CalibrationSession,
    EvaluationAnswer,
    NoActionNote,
    OutcomeItem,
    OutcomeStatus,
    QaEvaluation,
    Rubric,
    RubricCriterion,
    RubricVersion,
    Score,
    SessionItem,
    SessionKind,
    SessionReviewer,
    SessionStatus,
    Side,
)
from demo.accounts import insert_rows, moment
from demo.kpis import DRIFTING, HISTORY_DAYS, quality
from kpis.models import Interaction
from partners.models import Account, Agent, Membership, Partner, Role, User

CRITERIA = [
    services.CriterionInput("Opening", "Greeting and name", Decimal(1), "yes_no"),
    services.CriterionInput("Opening", "Verified identity", Decimal(3), "yes_no", critical=True,
                            guidance="Two factors before any account detail."),
    services.CriterionInput("Resolution", "Accurate answer", Decimal(4), "one_to_five"),
    services.CriterionInput("Resolution", "Complete answer", Decimal(3), "one_to_five"),
    services.CriterionInput("Resolution", "Ownership", Decimal(2), "one_to_five"),
    services.CriterionInput("Soft skills", "Empathy", Decimal(2), "one_to_five", na_allowed=True),
    services.CriterionInput("Soft skills", "Tone and brand voice", Decimal(1), "one_to_five"),
    services.CriterionInput("Process", "Correct tags", Decimal(1), "yes_no", na_allowed=True),
    services.CriterionInput("Process", "Case notes", Decimal(2), "zero_to_hundred"),
]  # fmt: skip
EVALUATIONS_PER_WEEK = 15
ITEMS = 8


def _rubric(account: Account) -> RubricVersion:
    rubric = Rubric.objects.create(account=account, name="Support QA")
    return services.version_create(rubric, CRITERIA, None)


def _value(rng: random.Random, criterion: RubricCriterion, level: float) -> Decimal | None:
    """A score on the criterion's scale for an interaction of quality `level` (0-1)."""
    if criterion.na_allowed and rng.random() < 0.1:
        return None
    p = min(max(level + rng.gauss(0, 0.12), 0.0), 1.0)
    if criterion.scale == domain.Scale.YES_NO:
        chance = 0.985 if criterion.critical else p + 0.1
        return Decimal(1 if rng.random() < chance else 0)
    if criterion.scale == domain.Scale.ONE_TO_FIVE:
        return Decimal(1 + round(p * 4))
    return Decimal(round(p * 100))


def _level(partner: Partner, channel: str, day: date, today: date) -> float:
    """The quality of the partner's contacts: its CSAT in the KPI demo, spread a little."""
    return quality(partner, channel, day - timedelta(days=day.weekday()), today).csat - 0.05


def build_evaluations(*, account: Account, seed: int, today: date) -> int:
    """QA evaluations outside calibration; call before the KPI snapshots are computed."""
    version = _rubric(account)
    criteria = list(version.criteria.order_by("position"))
    members = Membership.objects.filter(account=account).select_related("user")
    buyer = next((m.user for m in members if m.role == Role.QA_REVIEWER), None)
    created = 0
    for partner in Partner.objects.filter(account=account).order_by("name"):
        rng = random.Random(f"{seed}-qa-{partner.name}")
        lead = next(
            (
                m.user
                for m in members
                if m.partner_id == partner.pk and m.role == Role.PARTNER_QA_LEAD
            ),
            None,
        )
        agents = list(
            Agent.objects.filter(partner=partner, team__isnull=False).select_related("team")
        )
        if not agents or partner.go_live_date is None:
            continue
        evaluations, answers = [], []
        day = max(partner.go_live_date, today - timedelta(days=HISTORY_DAYS))
        while day < today:
            working = [
                a for a in agents
                if a.hire_date <= day and (a.leaving_date is None or a.leaving_date > day)
            ]  # fmt: skip
            for n in range(EVALUATIONS_PER_WEEK if working else 0):
                agent = rng.choice(working)
                channel = agent.team.channel  # type: ignore[union-attr]
                level = _level(partner, channel, day, today)
                sheet = {c: _value(rng, c, level) for c in criteria}
                score = domain.interaction_score(
                    [c.spec for c in criteria],
                    {str(c.pk): domain.Answer(v) for c, v in sheet.items()},
                )
                by_buyer = n % 3 == 0
                scored = datetime.combine(day + timedelta(days=n % 5), time(9 + n % 8), tzinfo=UTC)
                if scored.date() >= today:
                    continue
                evaluations.append(
                    QaEvaluation(
                        version=version, partner=partner, agent=agent,
                        external_id=f"{partner.name[:3].upper()}-QA-{day:%y%m%d}-{n}",
                        channel=channel, side=Side.BUYER if by_buyer else Side.PARTNER,
                        evaluator=buyer if by_buyer else lead,
                        evaluator_label=str(buyer if by_buyer else lead), scored_at=scored,
                        score=score.score, critical_failed=", ".join(score.critical_failed),
                    )
                )  # fmt: skip
                answers.append(sheet)
            day += timedelta(days=7)
        QaEvaluation.objects.bulk_create(evaluations, batch_size=500)
        insert_rows(
            EvaluationAnswer,
            [
                EvaluationAnswer(evaluation=e, criterion=c, value=v)
                for e, sheet in zip(evaluations, answers, strict=True)
                for c, v in sheet.items()
            ],
        )
        created += len(evaluations)
    return created


def _alignment_noise(partner: Partner, progress: float) -> tuple[float, float]:
    """(chance that the partner scores a criterion differently, its lenience), as the
    relationship goes from its first session (0) to today (1)."""
    if partner.name == DRIFTING:
        return 0.12 + 0.33 * progress, 0.2 + 0.6 * progress
    return 0.38 - 0.28 * progress, 0.0


def _partner_value(
    rng: random.Random, criterion: RubricCriterion, buyer: Decimal | None, noise: float,
    lenience: float,
) -> Decimal | None:  # fmt: skip
    if rng.random() >= noise:
        return buyer
    if buyer is None:
        return _value(rng, criterion, 0.8)
    low, high = domain.Scale(criterion.scale).bounds
    step = Decimal(20) if criterion.scale == domain.Scale.ZERO_TO_HUNDRED else Decimal(1)
    up = rng.random() < 0.5 + lenience / 2
    moved = buyer + step if up else buyer - step
    if criterion.critical and not up:
        return buyer  # nobody argues a verified identity down
    return min(max(moved, low), high)


def _items(partner: Partner, session: CalibrationSession, rng: random.Random) -> list[SessionItem]:
    pool = list(
        Interaction.objects.filter(
            partner=partner, opened_at__range=services.period_range(session)
        ).values_list("pk", "channel", "interaction_type__name", "csat", "external_id")
    )
    if pool:
        chosen = domain.draw(
            [domain.Candidate(pk, ch, t, c) for pk, ch, t, c, _ in pool], ITEMS, seed=session.pk
        )
        rows = {row[0]: row for row in pool}
        return [
            SessionItem(session=session, position=i, interaction_id=pk, external_id=rows[pk][4],
                        channel=rows[pk][1], interaction_type=rows[pk][2])
            for i, pk in enumerate(chosen)
        ]  # fmt: skip
    channels = sorted({a.team.channel for a in partner.agents.filter(team__isnull=False)
                       .select_related("team") if a.team is not None}) or ["voice"]  # fmt: skip
    return [
        SessionItem(
            session=session, position=i, channel=channels[i % len(channels)],
            external_id=f"{partner.name[:3].upper()}-{session.due_date:%y%m%d}-{i + 1}",
            link=f"https://helpdesk.example/tickets/{session.due_date:%y%m%d}{i + 1:02d}",
        )
        for i in range(ITEMS)
    ]  # fmt: skip


def _score(
    session: CalibrationSession, reviewers: Sequence[SessionReviewer],
    criteria: list[RubricCriterion], rng: random.Random, progress: float,
    today: date, *, partner_too: bool = True,
) -> None:  # fmt: skip
    noise, lenience = _alignment_noise(session.partner, progress)
    buyer, partner = reviewers
    scores = []
    for item in session.items.all():
        level = _level(session.partner, item.channel, session.period_end, today)
        for c in criteria:
            truth = _value(rng, c, level)
            scores.append(Score(item=item, reviewer=buyer, criterion=c, value=truth))
            if partner_too:
                value = _partner_value(rng, c, truth, noise, lenience)
                scores.append(Score(item=item, reviewer=partner, criterion=c, value=value))
    insert_rows(Score, scores)


def _debrief(session: CalibrationSession, owner: User, rng: random.Random, today: date) -> None:
    """Outcomes for the largest disagreements, "no action" for the rest, then closed."""
    kinds = ["policy", "training", "process"]
    notes = []
    for n, found in enumerate(services.open_disagreements(session)):
        if n < 2:
            OutcomeItem.objects.create(
                session=session, item=found.item, criterion_id=int(found.criterion.key),
                kind=kinds[rng.randrange(3)], owner=owner,
                description=f"Agree how to score '{found.criterion.name}' "
                f"({found.item.external_id}) and brief both QA teams",
                due_date=session.due_date + timedelta(days=14),
                status=OutcomeStatus.DONE if session.due_date + timedelta(days=75) < today
                else OutcomeStatus.OPEN,
            )  # fmt: skip
        else:
            notes.append(NoActionNote(
                item=found.item, criterion_id=int(found.criterion.key),
                note="A judgment call both sides accept; no change to the guideline.",
            ))  # fmt: skip
    NoActionNote.objects.bulk_create(notes)
    session.status = SessionStatus.CLOSED
    assert session.revealed_at is not None  # revealed just above
    session.closed_at = min(session.revealed_at + timedelta(days=1), moment(today))
    session.save(update_fields=["status", "closed_at"])


def build_sessions(*, account: Account, seed: int, today: date) -> int:
    """Calibration sessions on each partner's cadence; call after the KPI demo."""
    version = RubricVersion.objects.filter(rubric__account=account).order_by("pk").first()
    if version is None:
        return 0
    criteria = list(version.criteria.order_by("position"))
    created = 0
    for partner in Partner.objects.filter(account=account, go_live_date__isnull=False):
        facilitator, people = services.default_people(partner)
        buyer = next((u for u, side in people if side == Side.BUYER), None)
        lead = next((u for u, side in people if side == Side.PARTNER), None)
        if facilitator is None or buyer is None or lead is None:
            continue
        rng = random.Random(f"{seed}-calibration-{partner.name}")
        go_live = partner.go_live_date
        assert go_live is not None  # every demo partner is live
        start = max(go_live, today - timedelta(days=HISTORY_DAYS))
        # Past sessions only: the one due today, if any, is still being scored.
        due = [d for d in domain.due_dates(go_live, today)
               if start + timedelta(days=7) <= d < today]  # fmt: skip
        with transaction.atomic():
            for n, day in enumerate(due):
                session = CalibrationSession.objects.create(
                    partner=partner, version=version, facilitator=facilitator,
                    kind=SessionKind.CADENCE, due_date=day, period_start=day - timedelta(days=28),
                    period_end=day - timedelta(days=1), status=SessionStatus.SCORING,
                )  # fmt: skip
                reviewers = SessionReviewer.objects.bulk_create(
                    [SessionReviewer(session=session, user=buyer, side=Side.BUYER),
                     SessionReviewer(session=session, user=lead, side=Side.PARTNER)]
                )  # fmt: skip
                SessionItem.objects.bulk_create(_items(partner, session, rng))
                progress = n / max(len(due) - 1, 1)
                _score(session, reviewers, criteria, rng, progress, today)
                # Most sessions are held on their due date or just before; some slip.
                slip = rng.choice([-2, -1, 0, 0, 0, 1, 2, 6])
                held = min(datetime.combine(day + timedelta(days=slip), time(15), tzinfo=UTC),
                           moment(today))  # fmt: skip
                SessionReviewer.objects.filter(session=session).update(submitted_at=held)
                session.status = SessionStatus.REVEALED
                session.revealed_at = held
                session.reveal_reason = "every reviewer submitted"
                session.save(update_fields=["status", "revealed_at", "reveal_reason"])
                services.alignment_update(session)
                if n < len(due) - 1:
                    _debrief(session, facilitator, rng, today)
                created += 1
        # The next session: drawn, the buyer's reviewer has submitted, the partner has not.
        services.sessions_schedule(partner=partner, today=today)
        upcoming = (
            CalibrationSession.objects.filter(partner=partner, status=SessionStatus.PLANNED)
            .order_by("due_date")
            .first()
        )
        if upcoming is not None:
            SessionItem.objects.bulk_create(_items(partner, upcoming, rng))
            upcoming.status = SessionStatus.SCORING
            upcoming.save(update_fields=["status"])
            reviewers = list(upcoming.reviewers.order_by("side"))
            buyer_reviewer = next((r for r in reviewers if r.side == Side.BUYER), None)
            partner_reviewer = next((r for r in reviewers if r.side == Side.PARTNER), None)
            if buyer_reviewer and partner_reviewer:
                _score(upcoming, [buyer_reviewer, partner_reviewer], criteria, rng, 1.0, today,
                       partner_too=False)  # fmt: skip
                buyer_reviewer.submitted_at = min(
                    datetime.combine(today, time(8), tzinfo=UTC), moment(today)
                )
                buyer_reviewer.save(update_fields=["submitted_at"])
    return created
