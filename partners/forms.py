from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation

from core.scoping import Viewer, scope
from partners.models import PARTNER_ROLES, Channel, Partner, Role, Team, time_zone_names


class ViewerFormMixin:
    """Forms whose choices come from the viewer's account: related querysets are scoped."""

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        self.viewer = viewer
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        partner_field = self.fields.get("partner")  # type: ignore[attr-defined]
        if partner_field is not None:
            partner_field.queryset = scope(Partner, viewer)


class RoleAndPartnerForm(ViewerFormMixin, forms.Form):
    role = forms.ChoiceField(choices=[("", "Choose a role"), *Role.choices])
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        empty_label="None (buyer side)",
        help_text="Partner-side roles see only this partner's data.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role, partner = cleaned.get("role"), cleaned.get("partner")
        if role in PARTNER_ROLES and partner is None:
            self.add_error("partner", f"A {Role(role).label} works for one partner: choose which.")
        if role and role not in PARTNER_ROLES and partner is not None:
            self.add_error(
                "partner", f"A {Role(role).label} is on the buyer side: leave the partner empty."
            )
        return cleaned


class InvitationForm(RoleAndPartnerForm):
    email = forms.EmailField()
    field_order = ["email", "role", "partner"]


class MembershipForm(RoleAndPartnerForm):
    pass


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            from partners.models import User

            probe = User(
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "delivery_model", "country", "go_live_date", "in_house"]
        widgets = {"go_live_date": forms.DateInput(attrs={"type": "date"})}


class ApiTokenForm(ViewerFormMixin, forms.Form):
    name = forms.CharField(max_length=50, help_text="What uses it, e.g. “Helpdesk nightly export”.")
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        empty_label="All partners",
        help_text="Limit the token to one partner's data.",
    )
    read_only = forms.BooleanField(required=False, help_text="The token can read but not write.")


# Region/City names (and UTC): the aliases and POSIX-style names stay out of the list.
TIME_ZONE_CHOICES = sorted((tz, tz) for tz in time_zone_names() if "/" in tz or tz == "UTC")


class AccountSettingsForm(forms.Form):
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES,
        label="Time zone",
        help_text="Keel's days, weeks, months and quarters run from midnight to midnight in "
        "this zone, and “today” is its date.",
        error_messages={
            "invalid_choice": "“%(value)s” is not a time zone Keel knows: choose one from the "
            "list, such as Asia/Manila, America/New_York or UTC."
        },
    )


class SecurityForm(forms.Form):
    require_mfa = forms.BooleanField(
        required=False,
        label="Require two-factor authentication for every member",
        help_text="Members without an authenticator app are asked to set one up before they "
        "can continue.",
    )


class AgentFilterForm(forms.Form):
    STATUS_CHOICES = [("", "Everyone"), ("active", "Active"), ("left", "Left")]

    q = forms.CharField(required=False, label="Name or agent id")
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, empty_label="All")
    channel = forms.ChoiceField(choices=[("", "All"), *Channel.choices], required=False)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)

    def __init__(self, *args: Any, viewer: Viewer, partner: Partner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = scope(Team, viewer).filter(partner=partner)  # type: ignore[attr-defined]
