"""The admin shows engagement data to superusers read-only: scope versions are immutable
once saved, and scores, choices and stages are written by the services, which check the
rules and record who did what."""

from django.contrib import admin

from engagements.models import (
    Candidate,
    CandidateRate,
    CandidateRedFlag,
    EngagementStage,
    ScopeVersion,
    Selection,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ScopeVersion)
class ScopeVersionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "account", "monthly_volume", "created_at"]
    list_filter = ["account"]


@admin.register(Selection)
class SelectionAdmin(ReadOnlyAdmin):
    list_display = ["name", "account", "status", "created_at", "decided_at"]
    list_filter = ["status", "account"]


class CandidateRateInline(admin.TabularInline):
    model = CandidateRate
    fields = ["channel", "interaction_type", "pricing_model", "rate", "hybrid_base",
              "resolution_bonus"]  # fmt: skip
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    list_display = ["name", "selection", "delivery_model", "partner"]
    search_fields = ["name", "selection__name"]
    inlines = [CandidateRateInline]


@admin.register(CandidateRedFlag)
class CandidateRedFlagAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "kind", "created_at"]


@admin.register(EngagementStage)
class EngagementStageAdmin(ReadOnlyAdmin):
    list_display = ["partner", "kind", "expansion", "started_on", "ended_on", "gate_green"]
    list_filter = ["kind"]
