"""Mixins every HTML view of tenant data uses: who may see the page, and how a broken rule
becomes a message instead of an error page."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.views import View

from core import clock
from core.errors import DomainError
from core.scoping import Viewer
from partners.models import Role
from partners.scoping import viewer_for_request

PAGE_SIZE = 50


class ViewerRequiredMixin:
    """Signed in, a member of the current account, and (optionally) in one of `allowed_roles`.

    Sets `self.viewer`, the only way views reach tenant data.
    """

    allowed_roles: Collection[str] | None = None
    request: HttpRequest
    viewer: Viewer

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        viewer = viewer_for_request(request)
        if viewer is None:
            return render(request, "partners/no_membership.html", status=403)
        if self.allowed_roles is not None and viewer.role not in self.allowed_roles:
            labels = ", ".join(Role(r).label.lower() + "s" for r in sorted(self.allowed_roles))
            raise PermissionDenied(f"This page is for {labels}.")
        self.viewer = viewer
        # Times on the page read in the account's time zone, as its days and months do.
        with timezone.override(clock.zone(viewer.account)):
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
            if isinstance(response, SimpleTemplateResponse):
                response.render()
        return response  # type: ignore[no-any-return]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["today"] = clock.today(self.viewer.account)  # the account's date
        return context


class ProgramManagerMixin(ViewerRequiredMixin):
    allowed_roles = {Role.PROGRAM_MANAGER}


def add_domain_error(form: Any, exc: DomainError) -> None:
    """Show a broken rule on the form: on its field when the form has one, else above it."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


class ActionView(ViewerRequiredMixin, View):
    """A button that runs one service (approve, withdraw, resend...): POST only.

    `act()` calls the service and returns the success message (or None); a `DomainError`
    becomes an error message instead. Either way the browser goes back to `redirect_url()`.
    """

    http_method_names = ["post"]

    def act(self, **kwargs: Any) -> str | None:
        raise NotImplementedError

    def redirect_url(self, **kwargs: Any) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            message = self.act(**kwargs)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if message:
                messages.success(request, message)
        return redirect(self.redirect_url(**kwargs))


class DomainFormMixin:
    """Run a service from `form_valid`; a `DomainError` becomes a form error, not a 500."""

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return self.perform(form)
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)  # type: ignore[attr-defined]

    def perform(self, form: Any) -> HttpResponse:
        raise NotImplementedError


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
