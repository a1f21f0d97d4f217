"""Forms of the calibration session pages: planning a session and the facilitator's actions
on it. They parse what people type; the rules (who may review, when a session may close) are
`calibration.services`', whose `DomainError` the views show as a form error or a message.
The people they offer are those the viewer may pick (`partners.scoping.pickable_members`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from calibration.models import CalibrationSession, OutcomeKind, Rubric
from calibration.services import SCORERS
from core.scoping import Viewer, scope
from partners.forms import ViewerFormMixin
from partners.models import Channel, Membership, Partner, Role, User
from partners.scoping import pickable_members

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PEOPLE_ORDER = ("first_name", "last_name", "email")


def member_label(membership: Membership) -> str:
    where = f" at {membership.partner.name}" if membership.partner is not None else ""
    role = "QA lead" if membership.role == Role.PARTNER_QA_LEAD else membership.get_role_display()
    return f"{membership.user.display_name} ({role}{where})"


def scorer_memberships(viewer: Viewer, partner: Partner | None = None) -> QuerySet[Membership]:
    """The members who can review: QA reviewers, program managers and QA leads (of `partner`
    only, when given). Program managers ask, who may pick anyone of the account."""
    return pickable_members(viewer, partner=partner, roles=SCORERS).order_by(
        "partner__name", "role", "user__first_name", "user__last_name", "user__email"
    )


class _MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:  # type: ignore[override]
        return member_label(obj)


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return obj.display_name


class SessionCreateForm(ViewerFormMixin, forms.Form):
    """An ad hoc session: a new interaction type, a quality dip."""

    partner = forms.ModelChoiceField(queryset=Partner.objects.none())
    rubric = forms.ModelChoiceField(
        queryset=Rubric.objects.none(), help_text="Its latest version is used."
    )
    due_date = forms.DateField(widget=DATE, help_text="Reviewers submit by this day.")
    reason = forms.CharField(
        max_length=300, help_text="Why now: a new interaction type, a dip in QA or CSAT…"
    )
    reviewers = _MemberChoiceField(
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None ticked: the account's QA reviewers and the partner's QA leads. "
        "A QA lead reviews for their own partner only.",
    )

    def __init__(self, *args: Any, viewer: Viewer, **kwargs: Any) -> None:
        super().__init__(*args, viewer=viewer, **kwargs)
        self.fields["rubric"].queryset = scope(Rubric, viewer).order_by("name")  # type: ignore[attr-defined]
        self.fields["reviewers"].queryset = scorer_memberships(viewer)  # type: ignore[attr-defined]


class ItemAddForm(forms.Form):
    """An interaction added by hand, with its transcript or recording."""

    external_id = forms.CharField(max_length=100, label="Interaction id")
    link = forms.URLField(
        required=False, label="Transcript or recording link", assume_scheme="https"
    )
    channel = forms.ChoiceField(choices=Channel.choices)
    interaction_type = forms.CharField(max_length=100, required=False, label="Type")


class DrawForm(forms.Form):
    size = forms.IntegerField(
        min_value=5, max_value=10, required=False, help_text="Empty: the partner's sample size."
    )


class ReviewerAddForm(ViewerFormMixin, forms.Form):
    user = _UserChoiceField(queryset=User.objects.none(), label="Reviewer")

    def __init__(
        self, *args: Any, viewer: Viewer, session: CalibrationSession, **kwargs: Any
    ) -> None:
        super().__init__(*args, viewer=viewer, **kwargs)
        taken = [r.user_id for r in session.reviewers.all()]
        users = [
            m.user_id for m in scorer_memberships(viewer, session.partner) if m.user_id not in taken
        ]
        self.fields["user"].queryset = User.objects.filter(pk__in=users).order_by(*PEOPLE_ORDER)  # type: ignore[attr-defined]


class OutcomeForm(ViewerFormMixin, forms.Form):
    """An owned action from the debrief, about one disagreement (item and criterion)."""

    item = forms.IntegerField(widget=forms.HiddenInput, required=False)
    criterion = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(choices=OutcomeKind.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    owner = _UserChoiceField(queryset=User.objects.none())
    due_date = forms.DateField(widget=DATE)

    def __init__(
        self, *args: Any, viewer: Viewer, session: CalibrationSession, **kwargs: Any
    ) -> None:
        super().__init__(*args, viewer=viewer, **kwargs)
        # The buyer's people and the session's partner's.
        members = pickable_members(viewer, partner=session.partner_id)
        self.fields["owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=members.values("user_id")
        ).order_by(*PEOPLE_ORDER)


class NoActionForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    criterion = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(max_length=500, label="Why no action is needed")
