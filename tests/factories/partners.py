from __future__ import annotations

from datetime import timedelta

import factory

from core import clock
from partners.models import (
    Account,
    Agent,
    Channel,
    DeliveryModel,
    Invitation,
    Membership,
    Partner,
    Role,
    Team,
    User,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct horse battery staple")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Buyer {n}")
    slug = factory.Sequence(lambda n: f"buyer-{n}")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    delivery_model = DeliveryModel.NEARSHORE
    country = "Colombia"
    go_live_date = factory.LazyFunction(lambda: clock.today() - timedelta(days=300))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    channel = Channel.CHAT


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agent

    partner = factory.SubFactory(PartnerFactory)
    team = factory.SubFactory(TeamFactory, partner=factory.SelfAttribute("..partner"))
    external_id = factory.Sequence(lambda n: f"AG-{n:05d}")
    name = factory.Faker("name")
    hire_date = factory.LazyFunction(lambda: clock.today() - timedelta(days=200))
    leaving_date = None


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = Role.PROGRAM_MANAGER
    partner = None


def make_invitation(
    *,
    account: Account,
    email: str,
    role: str = Role.QA_REVIEWER,
    partner: Partner | None = None,
    validity: timedelta = timedelta(days=7),
    **extra: object,
) -> tuple[Invitation, str]:
    """An invitation and its clear-text token (the model keeps only a hash)."""
    token, fields = Invitation.new_token(validity)
    invitation = Invitation.objects.create(
        account=account, email=email, role=role, partner=partner, **fields, **extra
    )
    return invitation, token
