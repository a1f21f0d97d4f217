"""HTML views of the account's interaction types: adding one, and adding the five of the
typical mix (docs/domain.md, "Scope") where missing. Program managers only; both can send
people back to the page that needed them (`?next=`, a page of this site).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView

from core.scoping import scope
from engagements import services
from engagements.forms import InteractionTypeForm, missing_standard
from partners.mixins import ActionView, DomainFormMixin, ProgramManagerMixin
from partners.models import InteractionType


def safe_next(request: HttpRequest, raw: str | None) -> str | None:
    """`raw` when it is a path on this site, else None: `?next=` never leads elsewhere."""
    if raw and url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return raw
    return None


def next_url(request: HttpRequest) -> str | None:
    """Where to go back to, posted or in the query string."""
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


class InteractionTypeCreateView(ProgramManagerMixin, DomainFormMixin, FormView):
    """Add an interaction type; with `?next=` (a page of this site) go back there, such as
    the scope editor that needed it."""

    form_class = InteractionTypeForm
    template_name = "engagements/type_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        types = list(scope(InteractionType, self.viewer).order_by("name"))
        return super().get_context_data(
            types=types,
            next_url=next_url(self.request),
            standard_missing=missing_standard(types),
            **kwargs,
        )

    def perform(self, form: InteractionTypeForm) -> HttpResponse:
        data = form.cleaned_data
        kind = services.interaction_type_create(
            viewer=self.viewer,
            code=data["code"],
            name=data["name"],
            brand_sensitive=data["is_brand_sensitive"],
            routine=data["is_routine"],
        )
        messages.success(self.request, f"Added the interaction type {kind.name} ({kind.code}).")
        return redirect(next_url(self.request) or reverse("engagements:type-create"))


class StandardTypesView(ProgramManagerMixin, ActionView):
    """Create the five interaction types of the typical mix where missing."""

    def act(self, **kwargs: Any) -> str:
        types = services.standard_types_ensure(viewer=self.viewer)
        names = ", ".join(t.name for t in types)
        return f"The typical mix's interaction types are ready: {names}."

    def redirect_url(self, **kwargs: Any) -> str:
        return next_url(self.request) or reverse("engagements:type-create")
