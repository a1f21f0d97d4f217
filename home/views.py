"""Pages that span the apps: each role's home page, a partner's page and the quarterly
business review, which read the rosters (partners), scorecards and standing (sla),
calibration and the engagement together.

This app is Keel's top floor (docs/ARCHITECTURE.md): it may read every app below it, and no
app imports it. Views stay thin and read through each app's selectors.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, When
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.views import View
from django.views.generic import TemplateView

from calibration import charts as calibration_charts
from calibration import selectors as calibration_selectors
from core.errors import DomainError
from core.exports import csv_response
from core.scoping import get_scoped_or_404
from engagements import selectors as engagement_selectors
from home import exports, landing, services
from home import selectors as qbr
from home.forms import ActionItemForm, ActionItemUpdateForm, HealthScoreForm
from home.models import ActionItem, ItemStatus, QuarterlyReview
from kpis.periods import Period
from partners import selectors
from partners.mixins import ActionView, ViewerRequiredMixin, paginate
from partners.models import Partner, Role
from sla import selectors as sla_selectors


class HomeView(ViewerRequiredMixin, TemplateView):
    """The landing page, shaped by the viewer's role."""

    templates = {
        Role.PROGRAM_MANAGER: "home/home_program_manager.html",
        Role.QA_REVIEWER: "home/home_qa_reviewer.html",
        Role.EXECUTIVE: "home/home_executive.html",
        Role.PARTNER_QA_LEAD: "home/home_partner.html",
        Role.PARTNER_VIEWER: "home/home_partner.html",
    }

    def get_template_names(self) -> list[str]:
        return [self.templates[Role(self.viewer.role)]]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = context["today"]
        viewer = self.viewer
        if viewer.partner is not None:
            context.update(
                selectors.partner_overview(viewer=viewer, partner=viewer.partner, today=today)
            )
            context["work"] = landing.partner_work(viewer, today)
            context["grid"] = landing.standing_grid(viewer, today)
        else:
            rosters = selectors.partner_rosters(viewer=viewer, today=today)
            context["rosters"] = rosters
            context["channel_headcounts"] = selectors.channel_headcounts(viewer=viewer, today=today)
            context["total_headcount"] = sum(r.headcount for r in rosters)
        if viewer.has_role(Role.PROGRAM_MANAGER):
            context["role_counts"] = {
                Role(role).label: n for role, n in selectors.role_counts(viewer=viewer).items()
            }
            context["pending_invitations"] = (
                selectors.invitations_list(viewer=viewer).pending().count()
            )
            context["recent_events"] = selectors.audit_events_list(viewer=viewer)[:8]
            context["warnings"] = sla_selectors.warnings_by_stake(viewer, today)
            context["grid"] = landing.standing_grid(viewer, today)
            context["waiting"] = landing.waiting_for_approval(viewer, today)
            context["attention"] = landing.program_attention(viewer, today)
        if viewer.has_role(Role.EXECUTIVE):
            # The portfolio: each partner's quarter so far, as its QBR will show it.
            current = Period.containing(qbr.QUARTER, today)
            context["quarter"] = qbr.QuarterLink(current, complete=False)
            context["last_quarter"] = qbr.last_complete_quarter(viewer)
            context["portfolio"] = qbr.quarter_review(viewer, current)
        if viewer.has_role(Role.QA_REVIEWER):
            context["teams"] = selectors.team_headcounts(viewer=viewer, today=today)
            seats = calibration_selectors.reviewer_trend(viewer)
            context["seats"] = seats
            context["charts"] = {"reviewer-trend": calibration_charts.reviewer_trend(seats)}
        context["to_score"] = calibration_selectors.sessions_to_score(viewer)
        return context


class PartnerDetailView(ViewerRequiredMixin, TemplateView):
    template_name = "home/partner_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        partner = get_scoped_or_404(Partner, self.viewer, pk=self.kwargs["pk"])
        context["partner"] = partner
        context.update(
            selectors.partner_overview(viewer=self.viewer, partner=partner, today=context["today"])
        )
        context["standing"] = sla_selectors.contract_standing(
            self.viewer, partner, context["today"]
        )
        context["engagement"] = engagement_selectors.partner_engagement(
            self.viewer, partner, context["today"]
        )
        return context


# THE QUARTERLY BUSINESS REVIEW
# ------------------------------------------------------------------------------

QBR_READERS = {Role.PROGRAM_MANAGER, Role.EXECUTIVE}


class QbrListView(ViewerRequiredMixin, TemplateView):
    """The quarters a QBR can be read for, the last complete one marked as the default."""

    allowed_roles = QBR_READERS
    template_name = "home/qbr_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["quarters"] = qbr.quarters(self.viewer)
        context["default"] = qbr.last_complete_quarter(self.viewer)
        return context


class QbrMixin(ViewerRequiredMixin):
    allowed_roles = QBR_READERS
    kwargs: dict[str, Any]

    @cached_property
    def period(self) -> Period:
        try:
            return qbr.quarter(int(self.kwargs["year"]), int(self.kwargs["quarter"]))
        except ValueError:
            raise Http404("No such quarter.") from None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        complete = self.period.next().start <= context["today"]
        context.update(
            period=self.period,
            quarter=qbr.QuarterLink(self.period, complete),
            previous=qbr.QuarterLink(self.period.previous(), True),
            next=qbr.QuarterLink(
                self.period.next(), self.period.next().next().start <= context["today"]
            ),
            complete=complete,
            months=qbr.months_of(self.period),
        )
        return context  # type: ignore[no-any-return]


class QbrQuarterView(QbrMixin, TemplateView):
    """Every partner of the account side by side for one quarter, then each in full."""

    template_name = "home/qbr_quarter.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["reviews"] = qbr.quarter_review(self.viewer, self.period)
        return context


class QbrPartnerView(QbrMixin, TemplateView):
    """One partner's quarter."""

    template_name = "home/qbr_partner.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        partner = get_scoped_or_404(Partner, self.viewer, pk=self.kwargs["partner"])
        context["partner"] = partner
        reviews = qbr.quarter_review(self.viewer, self.period, partner)
        context["reviews"] = reviews
        record = reviews[0].record if reviews else None
        if record is not None and self.viewer.has_role(Role.PROGRAM_MANAGER):
            context["item_form"] = ActionItemForm(viewer=self.viewer, review=record)
        context["update_form"] = ActionItemUpdateForm()
        context["editable"] = True
        if reviews:
            context["records"] = qbr.governance(self.viewer, reviews[0])
            context["health"] = qbr.health(self.viewer, reviews[0], context["records"])
        return context


class QbrCsvView(QbrMixin, View):
    """One table of the quarter's review as CSV, for every partner or one (`?partner=`)."""

    def get(self, request: HttpRequest, **kwargs: Any) -> StreamingHttpResponse:
        name = kwargs["table"]
        if name not in exports.TABLES and name not in exports.PARTNER_TABLES:
            raise Http404("The QBR has no such table.")
        partner = None
        if request.GET.get("partner"):
            partner = get_scoped_or_404(Partner, self.viewer, pk=request.GET["partner"])
        reviews = qbr.quarter_review(self.viewer, self.period, partner)
        if name in exports.PARTNER_TABLES:
            # Tables of the one-partner page: scope discipline, cadence, the health check.
            if partner is None or not reviews:
                raise Http404("This table is on one partner's QBR: name the partner.")
            records = qbr.governance(self.viewer, reviews[0])
            layers = qbr.health(self.viewer, reviews[0], records)
            header, rows = exports.partner_table(name, reviews[0], records, layers)
        else:
            header, rows = exports.table(name, reviews)
        slug = qbr.quarter_slug(self.period)
        who = f"-{slugify(partner.name)}" if partner else ""
        return csv_response(f"keel-qbr-{slug}{who}-{name}.csv", header, rows)


class QbrActionMixin(QbrMixin, ActionView):
    """A button on a partner's QBR page; back to that page."""

    @cached_property
    def partner(self) -> Partner:
        return get_scoped_or_404(Partner, self.viewer, pk=self.kwargs["partner"])

    def redirect_url(self, **kwargs: Any) -> str:
        return reverse(
            "home:qbr-partner", args=[kwargs["year"], kwargs["quarter"], kwargs["partner"]]
        )


class QbrOpenView(QbrActionMixin):
    """Open the partner's review of the quarter: the record its action items hang on."""

    allowed_roles = {Role.PROGRAM_MANAGER}

    def act(self, **kwargs: Any) -> str:
        review = services.review_open(viewer=self.viewer, partner=self.partner, quarter=self.period)
        return f"The review of {review} is open: add the actions it agrees."


class QbrPublishView(QbrActionMixin):
    """Publish the partner's review of a quarter that is over."""

    allowed_roles = {Role.PROGRAM_MANAGER}

    def act(self, **kwargs: Any) -> str:
        review = QuarterlyReview.objects.filter(
            partner=self.partner, quarter_start=self.period.start
        ).first()
        if review is None:
            raise DomainError(
                "The review of this quarter is not open: open it and agree its actions first.",
                code="not_open",
            )
        services.review_publish(viewer=self.viewer, review=review)
        return f"Published the review of {review}."


class QbrItemAddView(QbrActionMixin):
    allowed_roles = {Role.PROGRAM_MANAGER}

    def act(self, **kwargs: Any) -> str:
        review = services.review_open(viewer=self.viewer, partner=self.partner, quarter=self.period)
        form = ActionItemForm(self.request.POST, viewer=self.viewer, review=review)
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            label = form.fields[field].label if field in form.fields else ""
            raise DomainError(f"{label}: {errors[0]}" if label else str(errors[0]))
        data = form.cleaned_data
        item = services.action_item_add(
            viewer=self.viewer, review=review, description=data["description"],
            side=data["side"], owner=data["owner"].user, due_date=data["due_date"],
        )  # fmt: skip
        return f"Added the action for {item.owner}, due {item.due_date:%d %b %Y}."


class QbrHealthScoreView(QbrActionMixin):
    """The program manager scores a layer of the health check, with the evidence."""

    allowed_roles = {Role.PROGRAM_MANAGER}

    def act(self, **kwargs: Any) -> str:
        review = services.review_open(viewer=self.viewer, partner=self.partner, quarter=self.period)
        form = HealthScoreForm(self.request.POST)
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise DomainError(f"{field.capitalize()}: {errors[0]}")
        data = form.cleaned_data
        services.health_score_save(viewer=self.viewer, review=review, layer=data["layer"],
                                   healthy=data["healthy"], evidence=data["evidence"])  # fmt: skip
        return "Saved the score and its evidence."


class QbrItemUpdateView(ActionView):
    """Record how an action item stands: its program managers or its owner."""

    @cached_property
    def item(self) -> ActionItem:
        return get_object_or_404(qbr.action_items(self.viewer), pk=self.kwargs["pk"])

    def act(self, **kwargs: Any) -> str:
        item = self.item  # another tenant's item is a 404 before anything is read
        form = ActionItemUpdateForm(self.request.POST)
        if not form.is_valid():
            raise DomainError("Choose a status: open, done or dropped.")
        item = services.action_item_update(
            viewer=self.viewer, item=item, status=form.cleaned_data["status"],
            outcome=form.cleaned_data["outcome"],
        )  # fmt: skip
        return f"'{item.description}' is {item.get_status_display().lower()}."

    def redirect_url(self, **kwargs: Any) -> str:
        back = self.request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(back, allowed_hosts={self.request.get_host()}):
            return back
        return reverse("home:qbr-actions")


class QbrActionsView(ViewerRequiredMixin, TemplateView):
    """Every QBR action item the viewer may see, open ones first: a partner's people see
    those their side owns."""

    template_name = "home/qbr_actions.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        items = qbr.action_items(self.viewer).order_by(
            Case(When(status=ItemStatus.OPEN, then=0), default=1), "due_date", "pk"
        )
        context["page"] = paginate(self.request, items)
        context["update_form"] = ActionItemUpdateForm()
        return context
