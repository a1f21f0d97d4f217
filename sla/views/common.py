"""What the contract and SLA pages share: where a contract's page is, the editor of a form
with rows saved together, and the report after a governed KPI is saved."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.generic import TemplateView

from core.errors import DomainError
from partners.mixins import ProgramManagerMixin, add_domain_error
from sla import services


def contract_url(contract_id: int, anchor: str = "") -> str:
    url = reverse("sla:contract-detail", args=[contract_id])
    return f"{url}#{anchor}" if anchor else url


def report_governed(request: HttpRequest, result: services.GovernedResult, verb: str) -> None:
    """'Saved CSAT on chat with 4 bands.', and each warning about the layout."""
    messages.success(
        request, f"{verb} {result.governed} with {result.governed.bands.count()} bands."
    )
    for warning in result.warnings:
        messages.warning(request, warning)


class RowsEditView(ProgramManagerMixin, TemplateView):
    """A form and its rows (a formset), saved together by a service or not at all: a
    refusal naming the rows (`formset_prefix`) shows above them, any other on the form."""

    formset_prefix = ""

    def forms(self, data: Any = None) -> tuple[Any, Any]:
        raise NotImplementedError

    def render_forms(self, form: Any, formset: Any) -> HttpResponse:
        raise NotImplementedError

    def save(self, form: Any, formset: Any) -> HttpResponse:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_forms(*self.forms())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form, formset = self.forms(request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_forms(form, formset)
        try:
            return self.save(form, formset)
        except DomainError as exc:
            if exc.field and exc.field == self.formset_prefix and exc.field not in form.fields:
                formset.refuse(exc.message)
            else:
                add_domain_error(form, exc)
            return self.render_forms(form, formset)
