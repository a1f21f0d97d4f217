"""A partner's calibration settings: everyone who sees the partner reads them; the buyer's
program managers set them, through `services.partner_settings_save`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from calibration import domain, services
from calibration.forms import PartnerSettingsForm
from calibration.models import PartnerCalibration, Rubric
from core import clock
from core.errors import DomainError
from core.scoping import get_scoped_or_404, scope
from partners.mixins import ViewerRequiredMixin, add_domain_error
from partners.models import Partner, Role


class PartnerSettingsView(ViewerRequiredMixin, TemplateView):
    """Everyone who sees the partner reads its calibration settings; program managers set
    them."""

    template_name = "calibration/settings_form.html"

    @cached_property
    def partner(self) -> Partner:
        return get_scoped_or_404(Partner, self.viewer, pk=self.kwargs["pk"])

    @property
    def can_edit(self) -> bool:
        return self.viewer.role == Role.PROGRAM_MANAGER and not self.viewer.read_only

    def render_form(
        self, current: PartnerCalibration, form: PartnerSettingsForm | None
    ) -> HttpResponse:
        today = clock.today(self.viewer.account)
        upcoming: list[date] = []
        if self.partner.go_live_date is not None:
            upcoming = [
                d
                for d in domain.due_dates(
                    self.partner.go_live_date,
                    today + timedelta(days=92),
                    domain.Cadence(current.cadence),
                )
                if d >= today
            ][:4]
        rubric = current.rubric or (
            scope(Rubric, self.viewer).order_by("pk").first() if current.rubric_id is None else None
        )
        return self.render_to_response(
            self.get_context_data(
                partner=self.partner,
                current=current,
                rubric=rubric,
                form=form,
                can_edit=self.can_edit,
                upcoming=upcoming,
            )
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        current = services.partner_settings(self.partner)
        form = None
        if self.can_edit:
            form = PartnerSettingsForm(instance=current, viewer=self.viewer)
        return self.render_form(current, form)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.can_edit:
            raise PermissionDenied("Only the buyer's program managers set a partner's calibration.")
        # The form only parses (and runs the model's validators on a copy): the service writes.
        form = PartnerSettingsForm(
            request.POST, instance=services.partner_settings(self.partner), viewer=self.viewer
        )
        if form.is_valid():
            try:
                services.partner_settings_save(
                    viewer=self.viewer,
                    partner=self.partner,
                    cadence=form.cleaned_data["cadence"],
                    rubric=form.cleaned_data["rubric"],
                    sample_size=form.cleaned_data["sample_size"],
                    dispute_window_days=form.cleaned_data["dispute_window_days"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Saved the calibration settings of {self.partner}.")
                return redirect("calibration:partner-settings", self.partner.pk)
        return self.render_form(services.partner_settings(self.partner), form)
