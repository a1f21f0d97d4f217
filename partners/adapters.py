"""django-allauth adapters: Keel is invitation-only, and an account can require MFA."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

from partners.models import Membership


class KeelAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join through an invitation from a program manager (partners.views).
        return False


class KeelMFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Refuse to remove the last TOTP device of someone whose account requires MFA."""
        if authenticator.type != Authenticator.Type.TOTP:
            return True
        return not Membership.objects.filter(
            user_id=authenticator.user_id, account__require_mfa=True
        ).exists()
