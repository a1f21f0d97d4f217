from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core import clock
from partners.api.scoped import ScopedPrimaryKeyRelatedField
from partners.models import Agent, Partner, Role, Team


class PartnerSerializer(serializers.ModelSerializer[Partner]):
    class Meta:
        model = Partner
        fields = ["id", "name", "delivery_model", "country", "go_live_date", "created_at"]
        read_only_fields = fields


class AgentSerializer(serializers.ModelSerializer[Agent]):
    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all())
    team = ScopedPrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False
    )
    channel = serializers.CharField(source="team.channel", read_only=True, allow_null=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = Agent
        fields = [
            "id",
            "partner",
            "team",
            "channel",
            "external_id",
            "name",
            "hire_date",
            "leaving_date",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "channel", "is_active", "created_at", "updated_at"]
        # Uniqueness of (partner, external_id) is checked in validate() with a clearer message.
        validators: list[Any] = []

    def get_is_active(self, agent: Agent) -> bool:
        viewer = getattr(self.context.get("request"), "viewer", None)
        return agent.is_active_on(clock.today(viewer.account if viewer else None))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = self.instance
        partner = attrs.get("partner", instance.partner if instance else None)
        team = attrs.get("team", instance.team if instance else None)
        external_id = attrs.get("external_id", instance.external_id if instance else None)
        hire_date = attrs.get("hire_date", instance.hire_date if instance else None)
        leaving_date = attrs.get("leaving_date", instance.leaving_date if instance else None)
        if partner is None:  # the field is required on create; an update has its instance
            raise serializers.ValidationError({"partner": "This field is required."})
        if instance is not None and partner != instance.partner:
            raise serializers.ValidationError(
                {"partner": "An agent cannot move to another partner; add a new agent instead."}
            )
        if team is not None and team.partner_id != partner.pk:
            raise serializers.ValidationError(
                {"team": f"Team {team.name} belongs to another partner than {partner.name}."}
            )
        if leaving_date and hire_date and leaving_date < hire_date:
            raise serializers.ValidationError(
                {"leaving_date": f"Leaving date {leaving_date} is before hire date {hire_date}."}
            )
        clash = Agent.objects.filter(partner=partner, external_id=external_id)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"external_id": f"{partner.name} already has an agent with id {external_id!r}."}
            )
        return attrs


class MeSerializer(serializers.Serializer[Any]):
    """Who the API sees: the account, role and partner behind the session or token."""

    account = serializers.CharField(source="account.name")
    account_id = serializers.IntegerField()
    time_zone = serializers.CharField(
        source="account.time_zone",
        help_text="The IANA time zone whose days, weeks and months the account counts in.",
    )
    role = serializers.ChoiceField(choices=Role.choices)
    partner = serializers.CharField(source="partner.name", allow_null=True, default=None)
    partner_id = serializers.IntegerField(allow_null=True)
    # DRF's serializer metaclass takes declared fields out of the class, so a field may be
    # called `read_only`; the stubs see `Field.read_only`, a flag.
    read_only = serializers.BooleanField()  # type: ignore[assignment]
    user = serializers.EmailField(source="user.email", allow_null=True, default=None)
    token = serializers.CharField(source="token.name", allow_null=True, default=None)
