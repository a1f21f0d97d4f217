"""KPI data: what comes in (interactions, aggregate reports, via import batches) and what
Keel computes from it (KPI snapshots of raw counts per partner, channel, agent and period).

Every figure traces back to rows: a snapshot is a sum over interactions and aggregate
reports, and each of those records the import batch that last wrote it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.scoping import TenantScope
from kpis.domain import COUNT_FIELDS, Counts
from kpis.periods import Period, PeriodType
from partners.models import Account, Agent, Channel, InteractionType, Partner


class ImportKind(models.TextChoices):
    INTERACTIONS = "interactions", "Interactions (one row per contact)"
    AGGREGATES = "aggregates", "Aggregate report (counts per channel or agent and period)"
    ROSTER = "roster", "Agent roster (hires, teams, leaving dates)"


class ImportSource(models.TextChoices):
    UPLOAD = "upload", "CSV upload"
    API = "api", "REST API"
    COMMAND = "command", "Management command"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Queued"  # waiting for a worker
    RUNNING = "running", "Importing"  # a worker is reading it
    SUCCEEDED = "succeeded", "Imported"  # written; snapshots recomputed after commit
    REJECTED = "rejected", "Rejected"  # invalid rows: nothing written; see the problems
    FAILED = "failed", "Failed"  # crashed: nothing written; can be retried


class UnknownAgents(models.TextChoices):
    REJECT = "reject", "Reject the file: every agent must be on the roster"
    CREATE = "create", "Add them to the roster"


class ImportBatch(models.Model):
    """One file or API call of KPI data, imported all or nothing."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="imports")
    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="imports",
        help_text="Empty: each row names its partner (buyer uploads only).",
    )
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    source = models.CharField(max_length=20, choices=ImportSource.choices)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    mapping_name = models.CharField(max_length=100, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    unknown_agents = models.CharField(
        max_length=10, choices=UnknownAgents.choices, default=UnknownAgents.REJECT
    )
    timezone = models.CharField(
        max_length=64, default="UTC", help_text="For times in the file that carry no offset."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by_label = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    rows_expected = models.PositiveIntegerField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    agents_created = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    columns_missing = models.JSONField(
        default=list, blank=True, help_text="Optional fields the file did not provide."
    )
    error = models.TextField(blank=True)

    tenant_scope = TenantScope(account="account", partner="partner")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.SUCCEEDED, ImportStatus.REJECTED, ImportStatus.FAILED}


class ImportProblem(models.Model):
    """Why a batch was rejected: one line per problem, by row and column."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField(help_text="Spreadsheet row (the header is row 1); 0: file.")
    column = models.CharField(max_length=200, blank=True)
    value = models.CharField(max_length=200, blank=True)
    message = models.TextField()

    tenant_scope = TenantScope(account="batch__account", partner="batch__partner")

    class Meta:
        ordering = ["row", "pk"]

    def __str__(self) -> str:
        return self.message


class StagedRow(models.Model):
    """A validated row waiting, inside the import's transaction, for the file-wide checks.

    Rows are staged in the database so that a file of any size is checked (duplicates,
    unknown agents) with SQL instead of in memory; they never outlive the transaction.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="+")
    row = models.PositiveIntegerField()
    partner_id = models.BigIntegerField()
    key = models.CharField(max_length=400)  # natural key: one row per key in a file
    ref = models.CharField(max_length=100, blank=True)  # external id (contacts) or agent id
    agent_key = models.CharField(max_length=100, blank=True)
    agent_name = models.CharField(max_length=200, blank=True)
    team = models.CharField(max_length=100, blank=True)
    channel = models.CharField(max_length=20, blank=True)
    period_type = models.CharField(max_length=10, blank=True)
    period_start = models.DateField(null=True)
    day = models.DateField()
    payload = models.JSONField()

    class Meta:
        indexes = [
            models.Index(fields=["batch", "key"]),
            models.Index(fields=["batch", "partner_id", "agent_key"]),
        ]

    def __str__(self) -> str:
        return f"row {self.row} of batch {self.batch_id}"


class ColumnMapping(models.Model):
    """How a partner's export names Keel's fields, saved so each upload reuses it."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="mappings")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    columns = models.JSONField(default=dict, help_text="Keel field → the file's column.")
    units = models.JSONField(default=dict, help_text="Duration field → seconds/minutes/hours.")
    values = models.JSONField(default=dict, help_text="Field → {the file's value: Keel's}.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "kind"], name="mapping_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.kind} columns"


class Interaction(models.Model):
    """One customer contact, as the helpdesk or telephony platform exported it."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="interactions")
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="interactions")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    interaction_type = models.ForeignKey(
        InteractionType, on_delete=models.PROTECT, related_name="interactions"
    )
    external_id = models.CharField(max_length=100)
    opened_at = models.DateTimeField()
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    handle_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolved_first_contact = models.BooleanField(null=True, blank=True)
    reopened = models.BooleanField(null=True, blank=True)
    escalated = models.BooleanField(null=True, blank=True)
    escalation_resolved_l1 = models.BooleanField(null=True, blank=True)
    csat = models.PositiveSmallIntegerField(null=True, blank=True)
    nps = models.PositiveSmallIntegerField(null=True, blank=True)
    ces = models.PositiveSmallIntegerField(null=True, blank=True)
    sla_met = models.BooleanField(null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    class Meta:
        ordering = ["-opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"], name="interaction_unique_id"
            ),
            models.CheckConstraint(
                condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5), name="csat_1_5"
            ),
            models.CheckConstraint(condition=Q(nps__isnull=True) | Q(nps__lte=10), name="nps_0_10"),
            models.CheckConstraint(
                condition=Q(ces__isnull=True) | Q(ces__gte=1, ces__lte=7), name="ces_1_7"
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "opened_at"]),
            models.Index(fields=["agent", "opened_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.external_id}"


class ContactCounts(models.Model):
    """The contact counts of `kpis.domain.Counts`, as columns (see its field comments)."""

    contacts = models.PositiveIntegerField(default=0)
    fcr_n = models.PositiveIntegerField(default=0)
    fcr_yes = models.PositiveIntegerField(default=0)
    reopen_n = models.PositiveIntegerField(default=0)
    reopen_yes = models.PositiveIntegerField(default=0)
    escalation_n = models.PositiveIntegerField(default=0)
    escalation_yes = models.PositiveIntegerField(default=0)
    escalation_l1_n = models.PositiveIntegerField(default=0)
    escalation_l1_yes = models.PositiveIntegerField(default=0)
    sla_n = models.PositiveIntegerField(default=0)
    sla_yes = models.PositiveIntegerField(default=0)
    csat_n = models.PositiveIntegerField(default=0)
    csat_positive = models.PositiveIntegerField(default=0)
    nps_n = models.PositiveIntegerField(default=0)
    nps_promoters = models.PositiveIntegerField(default=0)
    nps_detractors = models.PositiveIntegerField(default=0)
    ces_n = models.PositiveIntegerField(default=0)
    ces_sum = models.PositiveBigIntegerField(default=0)
    handle_n = models.PositiveIntegerField(default=0)
    handle_seconds = models.PositiveBigIntegerField(default=0)
    frt_n = models.PositiveIntegerField(default=0)
    frt_seconds = models.PositiveBigIntegerField(default=0)

    class Meta:
        abstract = True


ROSTER_COUNT_FIELDS = ("headcount_start", "headcount_end", "leavers")
QA_COUNT_FIELDS = ("qa_n", "qa_sum")
# What contacts (interactions, aggregate reports) count; the roster and QA evaluations add
# the other fields of a snapshot.
CONTACT_COUNT_FIELDS = tuple(
    f for f in COUNT_FIELDS if f not in {*ROSTER_COUNT_FIELDS, *QA_COUNT_FIELDS}
)


class AggregateReport(ContactCounts):
    """A partner's own counts for one channel (optionally one agent) and one period: a day,
    an ISO week, a month or a quarter. Counts, never percentages, so they add up."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="aggregate_reports")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    agent = models.ForeignKey(
        Agent, on_delete=models.PROTECT, null=True, blank=True, related_name="aggregate_reports"
    )
    period_type = models.CharField(max_length=10, choices=[(t.value, t.value) for t in PeriodType])
    period_start = models.DateField()
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    class Meta:
        ordering = ["-period_start", "channel", "agent_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "channel", "agent", "period_type", "period_start"],
                condition=Q(agent__isnull=False),
                name="aggregate_unique_agent_period",
            ),
            models.UniqueConstraint(
                fields=["partner", "channel", "period_type", "period_start"],
                condition=Q(agent__isnull=True),
                name="aggregate_unique_channel_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.channel} {self.period_type} {self.period_start}"

    @property
    def period(self) -> Period:
        return Period(PeriodType(self.period_type), self.period_start)


class KpiSnapshot(ContactCounts):
    """Raw counts for one partner, channel, optional agent and period, from which every KPI
    value is derived (`kpis.domain.kpi_values`). Rows without an agent are the channel's
    totals, and carry the roster figures for attrition."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="snapshots")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, null=True, blank=True, related_name="snapshots"
    )
    period_type = models.CharField(max_length=10, choices=[(t.value, t.value) for t in PeriodType])
    period_start = models.DateField()
    headcount_start = models.PositiveIntegerField(default=0)
    headcount_end = models.PositiveIntegerField(default=0)
    leavers = models.PositiveIntegerField(default=0)
    qa_n = models.PositiveIntegerField(default=0)
    qa_sum = models.PositiveBigIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    tenant_scope = TenantScope(account="partner__account", partner="partner")

    class Meta:
        ordering = ["partner_id", "period_type", "period_start", "channel", "agent_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "channel", "agent", "period_type", "period_start"],
                condition=Q(agent__isnull=False),
                name="snapshot_unique_agent_period",
            ),
            models.UniqueConstraint(
                fields=["partner", "channel", "period_type", "period_start"],
                condition=Q(agent__isnull=True),
                name="snapshot_unique_channel_period",
            ),
        ]
        indexes = [models.Index(fields=["partner", "period_type", "period_start"])]

    def __str__(self) -> str:
        who = f"agent {self.agent_id}" if self.agent_id else "all agents"
        return f"{self.partner_id} {self.channel} {who} {self.period_type} {self.period_start}"

    @property
    def period(self) -> Period:
        return Period(PeriodType(self.period_type), self.period_start)

    @property
    def counts(self) -> Counts:
        return Counts(**{f: getattr(self, f) for f in COUNT_FIELDS})


class ScorecardOpening(models.Model):
    """Someone opened one agent's scorecard on a day (the account's): once per person, agent
    and day. The QBR's health check reads whether the buyer's people look at per-agent
    figures (docs/domain.md, "The seven-layer health check")."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="openings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    buyer_side = models.BooleanField(help_text="Opened by the buyer's people, not the partner's.")
    opened_on = models.DateField()

    tenant_scope = TenantScope(account="agent__partner__account", partner="agent__partner")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "user", "opened_on"], name="scorecard_opening_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["opened_on", "buyer_side"])]

    def __str__(self) -> str:
        return f"{self.user} opened {self.agent}'s scorecard on {self.opened_on}"
