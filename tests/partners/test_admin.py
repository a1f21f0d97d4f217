"""Django admin stays available to superusers, and only to them."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories.partners import UserFactory

MODELS = [
    m for m in admin.site._registry if m._meta.app_label in ("partners", "sla", "calibration")
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_superuser_opens_every_keel_model_in_the_admin(model, world, buyer_pm, login):
    superuser = UserFactory(email="root@keel.test", is_staff=True, is_superuser=True)
    opts = model._meta
    client = login(superuser)
    assert (
        client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code
        == 200
    )


def test_members_without_staff_rights_are_kept_out_of_the_admin(login, buyer_pm):
    response = login(buyer_pm).get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url
