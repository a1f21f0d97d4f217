"""API clients and error bodies for API tests."""

from __future__ import annotations

from rest_framework.test import APIClient

from partners.models import ApiToken, Membership
from partners.scoping import viewer_for_membership
from partners.services import api_token_create


def token_for(user, *, partner=None, read_only=False) -> tuple[ApiToken, APIClient]:
    """A token the user's program manager membership creates, and a client sending it."""
    viewer = viewer_for_membership(Membership.objects.get(user=user))
    token, key = api_token_create(viewer=viewer, name="Sync", partner=partner, read_only=read_only)
    return token, APIClient(HTTP_AUTHORIZATION=f"Bearer {key}")


def error(response) -> dict:
    """The first error of a response in the API's one error shape."""
    body = response.json()
    assert set(body) == {"type", "errors"}, body
    return body["errors"][0]
