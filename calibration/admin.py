"""Rubrics, evaluations, disputes and sessions for superusers. Calibration scores are not in
the admin: the blind rule holds on every page, this one included."""

from django.contrib import admin

from calibration.models import (
    CalibrationSession,
    Dispute,
    OutcomeItem,
    PartnerCalibration,
    QaEvaluation,
    Rubric,
    RubricCriterion,
    RubricVersion,
)


class CriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "channel", "created_at"]
    search_fields = ["name"]


@admin.register(RubricVersion)
class RubricVersionAdmin(admin.ModelAdmin):
    list_display = ["rubric", "number", "created_at"]
    inlines = [CriterionInline]


@admin.register(PartnerCalibration)
class PartnerCalibrationAdmin(admin.ModelAdmin):
    list_display = ["partner", "cadence", "sample_size", "dispute_window_days"]


@admin.register(QaEvaluation)
class QaEvaluationAdmin(admin.ModelAdmin):
    list_display = ["external_id", "partner", "agent", "side", "score", "scored_at"]
    list_filter = ["side", "channel"]
    raw_id_fields = ["agent", "interaction", "evaluator", "version"]


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = ["evaluation", "criterion", "status", "raised_at", "resolved_at"]
    list_filter = ["status"]
    raw_id_fields = ["evaluation", "criterion", "raised_by", "resolved_by"]


@admin.register(CalibrationSession)
class CalibrationSessionAdmin(admin.ModelAdmin):
    list_display = ["partner", "due_date", "kind", "status", "agreement", "bias"]
    list_filter = ["status", "kind"]
    readonly_fields = ["agreement", "bias", "alpha", "beyond_tolerance", "buyer_vs_consensus",
                       "partner_vs_consensus", "revealed_at", "closed_at"]  # fmt: skip
    raw_id_fields = ["partner", "version", "facilitator"]


@admin.register(OutcomeItem)
class OutcomeItemAdmin(admin.ModelAdmin):
    list_display = ["session", "kind", "owner", "due_date", "status"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["session", "item", "criterion", "owner"]
