"""Attach the current viewer to every request, and enforce an account's MFA requirement."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject

from partners.scoping import viewer_for_request

# Paths a member without an authenticator may still reach when the account requires one:
# setting it up (allauth), signing out, static files and the health check.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/health/", "/invitations/")


class CurrentMembershipMiddleware:
    """`request.viewer`: the signed-in user's current membership as a `Viewer`, or None."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.viewer = SimpleLazyObject(lambda: viewer_for_request(request))  # type: ignore[attr-defined]
        return self.get_response(request)


def needs_mfa_setup(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    viewer = viewer_for_request(request)
    if viewer is None or not viewer.account.require_mfa:
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMfaMiddleware:
    """Send members of an account that requires MFA to set up an authenticator first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(MFA_EXEMPT_PREFIXES) and needs_mfa_setup(request):
            message = (
                "Your account requires two-factor authentication: set up an authenticator app "
                "before continuing."
            )
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "type": "client_error",
                        "errors": [{"code": "mfa_required", "detail": message, "attr": None}],
                    },
                    status=403,
                )
            from django.contrib import messages

            messages.warning(request, message)
            return redirect("mfa_activate_totp")
        return self.get_response(request)
