"""API token authentication: `Authorization: Bearer <token>`.

Tokens belong to an account, not to a person (see `partners.models.ApiToken`); the request's
user is then an `IntegrationUser` and `request.auth` the token.
"""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from core import clock
from partners.models import ApiToken

# Recording every single use would write on every read; to the minute is enough to answer
# "is this token still in use?".
LAST_USE_RESOLUTION = timedelta(minutes=1)


class IntegrationUser:
    """Stands in for a person when an integration calls with a token."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token

    def __str__(self) -> str:
        return f"API token “{self.token.name}”"


class ApiTokenAuthentication(BaseAuthentication):
    keywords = (b"bearer", b"token")

    def authenticate(self, request: Request) -> tuple[IntegrationUser, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(
                "Malformed Authorization header: send 'Authorization: Bearer <token>'."
            )
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise AuthenticationFailed("The API token contains characters it cannot.") from None
        prefix, _, _ = key.partition(".")
        token = (
            ApiToken.objects.select_related("account", "partner")
            .filter(prefix=prefix, revoked=False)
            .first()
        )
        if token is None or not token.is_valid(key):
            raise AuthenticationFailed("Unknown or revoked API token.")
        if token.has_expired:
            raise AuthenticationFailed("This API token has expired.")
        now = clock.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USE_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return IntegrationUser(token), token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="keel"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "partners.api.authentication.ApiTokenAuthentication"
    name = "ApiToken"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token created by a program manager under Settings → API tokens.",
        }
