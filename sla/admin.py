"""The admin shows SLA data to superusers; computed results (statuses, settlements) are
read-only there, because only the nightly evaluation and approval write them."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from sla.models import (
    Band,
    BandStatus,
    ChannelVolume,
    Contract,
    ExitCriterion,
    GovernedKpi,
    RateLine,
    RemediationPlan,
    Settlement,
    SettlementLine,
    Sla,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class RateLineInline(admin.TabularInline):
    model = RateLine
    extra = 0
    raw_id_fields = ["interaction_type"]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["name", "partner", "currency", "start_date", "end_date"]
    list_filter = ["currency", "rates__pricing_model"]
    inlines = [RateLineInline]
    search_fields = ["name", "partner__name"]
    raw_id_fields = ["partner"]


@admin.register(ChannelVolume)
class ChannelVolumeAdmin(admin.ModelAdmin):
    list_display = ["contract", "channel", "month", "hours", "fte"]
    raw_id_fields = ["contract", "updated_by"]


class BandInline(admin.TabularInline):
    model = Band
    extra = 0


@admin.register(Sla)
class SlaAdmin(admin.ModelAdmin):
    list_display = ["name", "contract", "plan_exit_periods", "remediation_days"]
    raw_id_fields = ["contract"]


@admin.register(GovernedKpi)
class GovernedKpiAdmin(admin.ModelAdmin):
    list_display = ["sla", "channel", "kpi", "guardrail"]
    list_filter = ["channel", "kpi", "guardrail"]
    inlines = [BandInline]


@admin.register(BandStatus)
class BandStatusAdmin(ReadOnlyAdmin):
    list_display = ["partner", "month", "channel", "kpi", "band_label", "decision", "heading"]
    list_filter = ["decision", "heading", "at_risk", "kpi"]


class SettlementLineInline(admin.TabularInline):
    model = SettlementLine
    extra = 0
    fields = readonly_fields = ("basis", "channel", "kpi", "explanation", "credit", "bonus")
    can_delete = False


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ["partner", "month", "status", "invoice_total", "credit_total", "net"]
    list_filter = ["status"]
    inlines = [SettlementLineInline]


@admin.register(RemediationPlan)
class RemediationPlanAdmin(admin.ModelAdmin):
    list_display = ["partner", "kind", "kpi", "channel", "status", "opened_month", "due_date"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["partner", "governed", "buyer_owner", "partner_owner"]


@admin.register(ExitCriterion)
class ExitCriterionAdmin(admin.ModelAdmin):
    list_display = ["contract", "kpi", "channel", "threshold", "periods", "streak", "met_on"]
    raw_id_fields = ["contract"]
