"""QA rubrics, QA evaluations and their disputes, and calibration sessions: blind scoring by
both sides, the reveal, consensus, alignment and the outcomes of the debrief.

Scores of a calibration session are read through `calibration.blind` only: before the
reveal a reviewer sees their own scores and nobody sees anyone else's.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from calibration import domain
from core.scoping import TenantScope
from kpis.models import Interaction
from partners.models import Account, Agent, Channel, Partner

User = settings.AUTH_USER_MODEL


class Side(models.TextChoices):
    BUYER = "buyer", "Buyer"
    PARTNER = "partner", "Partner"


# RUBRICS
# ------------------------------------------------------------------------------


class Rubric(models.Model):
    """A QA scorecard template of an account, optionally for one channel. Its content lives
    in versions: editing a version in use creates the next one."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="rubrics")
    name = models.CharField(max_length=200)
    channel = models.CharField(
        max_length=20, choices=Channel.choices, blank=True, help_text="Empty: every channel."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_scope = TenantScope(account="account")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["account", "name"], name="rubric_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class RubricVersion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    tenant_scope = TenantScope(account="rubric__account")

    class Meta:
        ordering = ["rubric", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "number"], name="rubric_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rubric} v{self.number}"

    @property
    def in_use(self) -> bool:
        return self.sessions.exists() or self.evaluations.exists()

    def specs(self) -> list[domain.Criterion]:
        """The criteria as domain values, in order (uses a prefetched `criteria`)."""
        return [c.spec for c in self.criteria.all()]


class Scale(models.TextChoices):
    YES_NO = domain.Scale.YES_NO.value, "Yes / no"
    ONE_TO_FIVE = domain.Scale.ONE_TO_FIVE.value, "1-5"
    ZERO_TO_HUNDRED = domain.Scale.ZERO_TO_HUNDRED.value, "0-100"


class RubricCriterion(models.Model):
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="criteria")
    section = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    guidance = models.TextField(blank=True, help_text="What a reviewer looks for.")
    weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Its maximum points.",
    )
    scale = models.CharField(max_length=20, choices=Scale.choices)
    na_allowed = models.BooleanField(default=False)
    critical = models.BooleanField(
        default=False, help_text="Missed, it fails the whole interaction (yes / no only)."
    )

    tenant_scope = TenantScope(account="version__rubric__account")

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="criterion_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def spec(self) -> domain.Criterion:
        return domain.Criterion(
            str(self.pk), self.name, self.weight, domain.Scale(self.scale), self.na_allowed,
            self.critical,
        )  # fmt: skip


# PARTNER SETTINGS
# ------------------------------------------------------------------------------


class Cadence(models.TextChoices):
    DEFAULT = domain.Cadence.DEFAULT.value, "Weekly to week 12, fortnightly to 26, then monthly"
    WEEKLY = domain.Cadence.WEEKLY.value, "Weekly"
    BIWEEKLY = domain.Cadence.BIWEEKLY.value, "Every two weeks"
    MONTHLY = domain.Cadence.MONTHLY.value, "Monthly"


class PartnerCalibration(models.Model):
    """A partner's calibration settings, set by the program manager."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="calibration")
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.DEFAULT)
    rubric = models.ForeignKey(
        Rubric, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="Used by scheduled sessions; empty: the account's first rubric.",
    )  # fmt: skip
    sample_size = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(5), MaxValueValidator(10)]
    )
    dispute_window_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    def __str__(self) -> str:
        return f"Calibration of {self.partner}"


# QA EVALUATIONS AND DISPUTES
# ------------------------------------------------------------------------------


class QaEvaluation(models.Model):
    """A QA review of one agent's interaction outside calibration; feeds the QA score KPI."""

    version = models.ForeignKey(RubricVersion, on_delete=models.PROTECT, related_name="evaluations")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="qa_evaluations")
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="qa_evaluations")
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(max_length=100)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    side = models.CharField(max_length=10, choices=Side.choices)
    evaluator = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    evaluator_label = models.CharField(max_length=150)
    scored_at = models.DateTimeField()
    score = models.DecimalField(max_digits=7, decimal_places=3, null=True, blank=True)
    critical_failed = models.CharField(max_length=300, blank=True)

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    class Meta:
        ordering = ["-scored_at", "-pk"]
        indexes = [models.Index(fields=["partner", "scored_at"])]

    def __str__(self) -> str:
        return f"QA of {self.external_id} ({self.agent})"


class EvaluationAnswer(models.Model):
    evaluation = models.ForeignKey(QaEvaluation, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)  # None: N/A

    tenant_scope = TenantScope(
        account="evaluation__partner__account", partner="evaluation__partner"
    )

    class Meta:
        ordering = ["evaluation", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class Dispute(models.Model):
    """A partner QA lead disputes one criterion of a buyer's evaluation of its agent."""

    evaluation = models.ForeignKey(QaEvaluation, on_delete=models.CASCADE, related_name="disputes")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="+")
    proposed_value = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    reason = models.TextField()
    raised_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    raised_by_label = models.CharField(max_length=150)
    raised_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    value_before = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_by_label = models.CharField(max_length=150, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)

    tenant_scope = TenantScope(
        account="evaluation__partner__account", partner="evaluation__partner"
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"],
                condition=Q(status="open"),
                name="dispute_one_open_per_criterion",
            ),
        ]

    def __str__(self) -> str:
        return f"Dispute on {self.criterion} of {self.evaluation}"


# CALIBRATION SESSIONS
# ------------------------------------------------------------------------------


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"  # no interactions yet
    SCORING = "scoring", "Blind scoring"
    REVEALED = "revealed", "Revealed: debrief"
    CLOSED = "closed", "Closed"


class SessionKind(models.TextChoices):
    CADENCE = "cadence", "Scheduled by the cadence"
    AD_HOC = "ad_hoc", "Ad hoc"


class CalibrationSession(models.Model):
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="calibration_sessions"
    )
    version = models.ForeignKey(RubricVersion, on_delete=models.PROTECT, related_name="sessions")
    facilitator = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=SessionKind.choices)
    reason = models.CharField(max_length=300, blank=True)
    due_date = models.DateField()
    period_start = models.DateField(help_text="Interactions are drawn from this day ...")
    period_end = models.DateField(help_text="... to this day.")
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revealed_at = models.DateTimeField(null=True, blank=True)
    reveal_reason = models.CharField(max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Alignment, computed at the reveal (and again when consensus scores change).
    agreement = models.DecimalField(max_digits=7, decimal_places=6, null=True, blank=True)
    bias = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)
    alpha = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    beyond_tolerance = models.PositiveSmallIntegerField(default=0)
    buyer_vs_consensus = models.DecimalField(max_digits=7, decimal_places=6, null=True, blank=True)
    partner_vs_consensus = models.DecimalField(
        max_digits=7, decimal_places=6, null=True, blank=True
    )

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    class Meta:
        ordering = ["-due_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "due_date"],
                condition=Q(kind="cadence"),
                name="session_one_per_cadence_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Calibration of {self.partner}, due {self.due_date:%d %b %Y}"

    @property
    def is_revealed(self) -> bool:
        return self.status in (SessionStatus.REVEALED, SessionStatus.CLOSED)


class SessionReviewer(models.Model):
    session = models.ForeignKey(
        CalibrationSession, on_delete=models.CASCADE, related_name="reviewers"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    side = models.CharField(max_length=10, choices=Side.choices)
    submitted_at = models.DateTimeField(null=True, blank=True)
    missing = models.BooleanField(default=False, help_text="Had not submitted at the reveal.")
    reminded_at = models.DateTimeField(null=True, blank=True)
    # After the reveal: this reviewer's own sheets against the other side's (share 0-1), and
    # their bias, own score minus the other side's (score points); None without a pair.
    agreement = models.DecimalField(max_digits=7, decimal_places=6, null=True, blank=True)
    bias = models.DecimalField(max_digits=8, decimal_places=3, null=True, blank=True)

    tenant_scope = TenantScope(account="session__partner__account", partner="session__partner")

    class Meta:
        ordering = ["session", "side", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="reviewer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.side})"


class SessionItem(models.Model):
    """One interaction calibrated in a session: drawn by Keel or added by the buyer."""

    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_id = models.CharField(max_length=100)
    link = models.URLField(blank=True, help_text="Transcript or recording.")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    interaction_type = models.CharField(max_length=100, blank=True)
    added_by_hand = models.BooleanField(default=False)

    tenant_scope = TenantScope(account="session__partner__account", partner="session__partner")

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="item_unique_position"),
            models.UniqueConstraint(fields=["session", "external_id"], name="item_unique_ref"),
        ]

    def __str__(self) -> str:
        return self.external_id


class Score(models.Model):
    """A reviewer's answer on one criterion of one interaction: read it through
    `calibration.blind`, never directly in a view."""

    item = models.ForeignKey(SessionItem, on_delete=models.CASCADE, related_name="scores")
    reviewer = models.ForeignKey(SessionReviewer, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)  # None: N/A
    updated_at = models.DateTimeField(auto_now=True)

    tenant_scope = TenantScope(
        account="item__session__partner__account", partner="item__session__partner"
    )

    class Meta:
        ordering = ["item", "reviewer", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "reviewer", "criterion"], name="score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.item}: {self.value}"


class ConsensusScore(models.Model):
    """The score both sides agreed in the debrief, per interaction and criterion."""

    item = models.ForeignKey(SessionItem, on_delete=models.CASCADE, related_name="consensus")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)

    tenant_scope = TenantScope(
        account="item__session__partner__account", partner="item__session__partner"
    )

    class Meta:
        ordering = ["item", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["item", "criterion"], name="consensus_unique"),
        ]

    def __str__(self) -> str:
        return f"Consensus on {self.item}: {self.value}"


class OutcomeKind(models.TextChoices):
    POLICY = "policy", "Policy clarification"
    TRAINING = "training", "Training reinforcement"
    PROCESS = "process", "Process improvement"


class OutcomeStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class OutcomeItem(models.Model):
    """An owned action from a debrief, optionally about one disagreement."""

    session = models.ForeignKey(
        CalibrationSession, on_delete=models.CASCADE, related_name="outcomes"
    )
    item = models.ForeignKey(
        SessionItem, on_delete=models.CASCADE, null=True, blank=True, related_name="outcomes"
    )
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=OutcomeKind.choices)
    description = models.TextField()
    owner = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    due_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=OutcomeStatus.choices, default=OutcomeStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    tenant_scope = TenantScope(account="session__partner__account", partner="session__partner")

    class Meta:
        ordering = ["status", "due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"


class NoActionNote(models.Model):
    """The facilitator's word that a disagreement needs no action, and why."""

    item = models.ForeignKey(SessionItem, on_delete=models.CASCADE, related_name="no_action")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500)

    tenant_scope = TenantScope(
        account="item__session__partner__account", partner="item__session__partner"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "criterion"], name="no_action_unique"),
        ]

    def __str__(self) -> str:
        return self.note
