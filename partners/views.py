"""HTML views for tenancy and rosters: thin, they read through selectors and write through
services. Every view that shows tenant data inherits `ViewerRequiredMixin` and gets its
objects from `partners.scoping`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, TemplateView

from core import clock
from core.errors import DomainError
from core.scoping import get_scoped_or_404
from partners import selectors, services
from partners.forms import (
    AcceptInvitationForm,
    AccountSettingsForm,
    AgentFilterForm,
    ApiTokenForm,
    InvitationForm,
    MembershipForm,
    PartnerForm,
    SecurityForm,
)
from partners.mixins import (
    ActionView,
    DomainFormMixin,
    ProgramManagerMixin,
    ViewerRequiredMixin,
    paginate,
)
from partners.models import Agent, ApiToken, Invitation, Membership, Partner, User
from partners.scoping import SESSION_ACCOUNT_KEY, memberships_of

# ACCOUNTS
# ------------------------------------------------------------------------------


class AccountSwitchView(View):
    """Make another of the user's accounts the current one (POST account=<id>)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            raise PermissionDenied
        raw = request.POST.get("account", "")
        membership = (
            memberships_of(request.user).filter(account_id=raw).first() if raw.isdigit() else None
        )
        if membership is None:
            messages.error(request, "You are not a member of that account; nothing changed.")
        else:
            request.session[SESSION_ACCOUNT_KEY] = membership.account_id
            messages.success(
                request,
                f"You are now working in {membership.account.name} as "
                f"{membership.get_role_display()}.",
            )
            return redirect("home:home")
        back = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return redirect(back)
        return redirect("home:home")


# PARTNERS AND ROSTERS
# ------------------------------------------------------------------------------


class PartnerListView(ViewerRequiredMixin, TemplateView):
    template_name = "partners/partner_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rosters"] = selectors.partner_rosters(viewer=self.viewer, today=context["today"])
        context["channel_headcounts"] = selectors.channel_headcounts(
            viewer=self.viewer, today=context["today"]
        )
        return context


class PartnerFormView(ProgramManagerMixin, DomainFormMixin, FormView):
    """Add a partner, or edit one (with `pk`)."""

    form_class = PartnerForm
    template_name = "partners/partner_form.html"

    @cached_property
    def partner(self) -> Partner | None:
        if "pk" not in self.kwargs:
            return None
        return get_scoped_or_404(Partner, self.viewer, pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.partner}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(partner=self.partner, **kwargs)

    def perform(self, form: PartnerForm) -> HttpResponse:
        partner = services.partner_save(viewer=self.viewer, partner=form.save(commit=False))
        messages.success(self.request, f"Saved {partner.name}.")
        return redirect("home:partner-detail", pk=partner.pk)


class AgentListView(ViewerRequiredMixin, TemplateView):
    template_name = "partners/agent_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        partner = get_scoped_or_404(Partner, self.viewer, pk=self.kwargs["pk"])
        form = AgentFilterForm(self.request.GET or None, viewer=self.viewer, partner=partner)
        filters: dict[str, Any] = {}
        if form.is_valid():
            team = form.cleaned_data["team"]
            filters = {
                "team_id": team.pk if team else None,
                "channel": form.cleaned_data["channel"],
                "status": form.cleaned_data["status"],
                "search": form.cleaned_data["q"].strip(),
            }
        agents = selectors.agents_list(
            viewer=self.viewer, today=context["today"], partner=partner, **filters
        )
        page = paginate(self.request, agents)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(partner=partner, form=form, page=page, query=query.urlencode())
        return context


class AgentDetailView(ViewerRequiredMixin, TemplateView):
    template_name = "partners/agent_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        agent = get_scoped_or_404(
            Agent.objects.select_related("partner", "team"), self.viewer, pk=self.kwargs["pk"]
        )
        today = context["today"]
        context.update(
            agent=agent,
            active=agent.is_active_on(today),
            tenure_days=agent.tenure_days(today),
        )
        return context


# MEMBERS AND INVITATIONS
# ------------------------------------------------------------------------------


class MembersView(ProgramManagerMixin, DomainFormMixin, FormView):
    """Members of the account and open invitations; the form invites someone new."""

    form_class = InvitationForm
    template_name = "partners/members.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "viewer": self.viewer}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["members"] = selectors.members_list(viewer=self.viewer)
        context["invitations"] = selectors.invitations_list(viewer=self.viewer).open()
        return context

    def perform(self, form: InvitationForm) -> HttpResponse:
        accept_url = self.request.build_absolute_uri(
            reverse("partners:invitation-accept", kwargs={"token": "TOKEN"})
        ).replace("TOKEN", "{token}")
        invitation = services.invitation_create(
            viewer=self.viewer,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            partner=form.cleaned_data["partner"],
            accept_url_template=accept_url,
        )
        messages.success(
            self.request,
            f"Invitation sent to {invitation.email}. The link is valid for "
            f"{(invitation.expires_at - invitation.created_at).days} days.",
        )
        return redirect("partners:members")


class InvitationRevokeView(ProgramManagerMixin, ActionView):
    def act(self, **kwargs: Any) -> str:
        invitation = get_scoped_or_404(Invitation, self.viewer, pk=kwargs["pk"])
        services.invitation_revoke(viewer=self.viewer, invitation=invitation)
        return f"Withdrew the invitation for {invitation.email}."

    def redirect_url(self, **kwargs: Any) -> str:
        return reverse("partners:members")


class MembershipUpdateView(ProgramManagerMixin, DomainFormMixin, FormView):
    form_class = MembershipForm
    template_name = "partners/membership_form.html"

    @cached_property
    def membership(self) -> Membership:
        return get_scoped_or_404(
            Membership.objects.select_related("user", "partner"), self.viewer, pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "viewer": self.viewer,
            "initial": {"role": self.membership.role, "partner": self.membership.partner},
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(membership=self.membership, **kwargs)

    def perform(self, form: MembershipForm) -> HttpResponse:
        services.membership_update(
            viewer=self.viewer,
            membership=self.membership,
            role=form.cleaned_data["role"],
            partner=form.cleaned_data["partner"],
        )
        messages.success(self.request, f"Updated {self.membership.user.email}.")
        return redirect("partners:members")


class MembershipRemoveView(ProgramManagerMixin, ActionView):
    def act(self, **kwargs: Any) -> str:
        membership = get_scoped_or_404(
            Membership.objects.select_related("user"), self.viewer, pk=kwargs["pk"]
        )
        services.membership_remove(viewer=self.viewer, membership=membership)
        return f"Removed {membership.user.email} from {self.viewer.account.name}."

    def redirect_url(self, **kwargs: Any) -> str:
        return reverse("partners:members")


class InvitationAcceptView(View):
    """The link in the invitation email. Public: the token is the credential."""

    template_name = "partners/invitation_accept.html"

    def get_invitation(self, token: str) -> Invitation:
        invitation = (
            Invitation.objects.by_token(token)
            .select_related("account", "partner", "invited_by")
            .first()
        )
        if invitation is None:
            raise Http404("This invitation link is not valid: check that you copied all of it.")
        return invitation

    def render_page(
        self, request: HttpRequest, invitation: Invitation, form: Any = None, status: int = 200
    ) -> HttpResponse:
        existing_user = (
            not request.user.is_authenticated
            and User.objects.filter(email__iexact=invitation.email).exists()
        )
        if (
            form is None
            and not request.user.is_authenticated
            and not existing_user
            and invitation.status == Invitation.Status.PENDING
        ):
            form = AcceptInvitationForm(email=invitation.email)
        context = {
            "invitation": invitation,
            "form": form,
            "existing_user": existing_user,
            "problem": self.problem(request, invitation),
        }
        return render(request, self.template_name, context, status=status)

    def problem(self, request: HttpRequest, invitation: Invitation) -> str | None:
        try:
            services.invitation_check_acceptable(invitation)
        except DomainError as exc:
            return exc.message
        user = request.user
        if user.is_authenticated and user.email.lower() != invitation.email.lower():
            return (
                f"This invitation is for {invitation.email}, but you are signed in as "
                f"{user.email}. Sign out and open the link again."
            )
        return None

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self.render_page(request, self.get_invitation(token))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        invitation = self.get_invitation(token)
        form = None
        try:
            if request.user.is_authenticated:
                membership = services.invitation_accept(invitation=invitation, user=request.user)
            else:
                form = AcceptInvitationForm(request.POST, email=invitation.email)
                if not form.is_valid():
                    return self.render_page(request, invitation, form, status=400)
                user, membership = services.user_create_for_invitation(
                    invitation=invitation,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        except DomainError as exc:
            messages.error(request, exc.message)
            invitation.refresh_from_db()
            return self.render_page(request, invitation, form, status=400)
        request.session[SESSION_ACCOUNT_KEY] = membership.account_id
        messages.success(
            request,
            f"Welcome to {membership.account.name}: you joined as {membership.get_role_display()}.",
        )
        return redirect("home:home")


# ACCOUNT SETTINGS
# ------------------------------------------------------------------------------


class AccountSettingsView(ProgramManagerMixin, DomainFormMixin, FormView):
    """The account's time zone: the days, weeks and months every figure is cut in."""

    form_class = AccountSettingsForm
    template_name = "partners/account_settings.html"

    def get_initial(self) -> dict[str, Any]:
        return {"time_zone": self.viewer.account.time_zone}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(now=clock.now(), **kwargs)

    def perform(self, form: AccountSettingsForm) -> HttpResponse:
        zone = form.cleaned_data["time_zone"]
        if services.account_set_time_zone(viewer=self.viewer, time_zone=zone):
            messages.success(
                self.request,
                f"{self.viewer.account.name} now counts its days in {zone}. KPI snapshots, "
                "band statuses and draft settlements are being recomputed in the background.",
            )
        else:
            messages.info(self.request, f"The time zone already is {zone}: nothing changed.")
        return redirect("partners:account-settings")


class SecuritySettingsView(ProgramManagerMixin, DomainFormMixin, FormView):
    form_class = SecurityForm
    template_name = "partners/security.html"

    def get_initial(self) -> dict[str, Any]:
        return {"require_mfa": self.viewer.account.require_mfa}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from allauth.mfa.models import Authenticator

        context = super().get_context_data(**kwargs)
        members = selectors.members_list(viewer=self.viewer)
        with_totp = set(
            Authenticator.objects.filter(
                user__in=members.values("user"), type=Authenticator.Type.TOTP
            ).values_list("user_id", flat=True)
        )
        context["members"] = [(m, m.user_id in with_totp) for m in members]
        return context

    def perform(self, form: SecurityForm) -> HttpResponse:
        required = form.cleaned_data["require_mfa"]
        services.account_set_mfa_requirement(viewer=self.viewer, required=required)
        messages.success(
            self.request,
            "Every member now needs an authenticator app."
            if required
            else "Two-factor authentication is now optional.",
        )
        return redirect("partners:security")


class ApiTokensView(ProgramManagerMixin, DomainFormMixin, FormView):
    form_class = ApiTokenForm
    template_name = "partners/api_tokens.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "viewer": self.viewer}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            tokens=selectors.api_tokens_list(viewer=self.viewer), **kwargs
        )

    def perform(self, form: ApiTokenForm) -> HttpResponse:
        token, key = services.api_token_create(
            viewer=self.viewer,
            name=form.cleaned_data["name"],
            partner=form.cleaned_data["partner"],
            read_only=form.cleaned_data["read_only"],
        )
        # Shown once, on this response only; Keel keeps a hash.
        context = self.get_context_data(form=self.get_form_class()(viewer=self.viewer))
        context.update(new_token=token, new_key=key)
        return self.render_to_response(context)


class ApiTokenRevokeView(ProgramManagerMixin, ActionView):
    def act(self, **kwargs: Any) -> str:
        token = get_scoped_or_404(ApiToken, self.viewer, prefix=kwargs["prefix"])
        services.api_token_revoke(viewer=self.viewer, token=token)
        return f"Revoked “{token.name}”. It no longer works."

    def redirect_url(self, **kwargs: Any) -> str:
        return reverse("partners:api-tokens")


class AuditLogView(ProgramManagerMixin, TemplateView):
    template_name = "partners/audit_log.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page"] = paginate(self.request, selectors.audit_events_list(viewer=self.viewer))
        return context
