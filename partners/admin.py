from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from rest_framework_api_key.admin import APIKeyModelAdmin

from partners.models import (
    Account,
    Agent,
    ApiToken,
    AuditEvent,
    InteractionType,
    Invitation,
    Membership,
    Partner,
    Team,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user", "partner"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "require_mfa", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # A new zone re-cuts every period, which the account's settings page sets in motion
        # (partners.services.account_set_time_zone); a bare edit here would not.
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "time_zone"] if obj is not None else readonly


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "delivery_model", "country", "go_live_date"]
    list_filter = ["account", "delivery_model"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "partner", "channel"]
    list_filter = ["partner__account", "channel"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "partner", "team", "hire_date", "leaving_date"]
    list_filter = ["partner__account", "partner"]
    search_fields = ["name", "external_id"]
    list_select_related = ["partner", "team"]
    raw_id_fields = ["team"]


@admin.register(InteractionType)
class InteractionTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "account", "is_brand_sensitive"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "role", "partner", "created_at"]
    list_filter = ["account", "role"]
    list_select_related = ["user", "account", "partner"]
    raw_id_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "account", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["account"]
    readonly_fields = ["token_hash"]


@admin.register(ApiToken)
class ApiTokenAdmin(APIKeyModelAdmin):
    # djangorestframework-api-key's own types infer its `list_display` as a 6-tuple.
    list_display = [  # type: ignore[assignment]
        *APIKeyModelAdmin.list_display,
        "account",
        "partner",
        "read_only",
        "last_used_at",
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "account", "actor", "action", "summary"]
    list_filter = ["account", "action"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
