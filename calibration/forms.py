"""Forms of the calibration session pages. They parse what people type; the rules (who may
review, what a scale accepts, when a session may close) are `calibration.services`', whose
`DomainError` the views show as a form error or a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from calibration.models import (
    CalibrationSession,
    OutcomeKind,
    Rubric,
    RubricCriterion,
    SessionStatus,
)
from calibration.services import SCORERS
from core.errors import DomainError
from core.scoping import Viewer, scope
from partners.forms import ViewerFormMixin
from partners.models import Channel, Membership, Partner, Role, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NA = "na"  # the value of an N/A choice in every scoring and consensus form


def member_label(membership: Membership) -> str:
    where = f" at {membership.partner.name}" if membership.partner is not None else ""
    role = "QA lead" if membership.role == Role.PARTNER_QA_LEAD else membership.get_role_display()
    return f"{membership.user.display_name} ({role}{where})"


def scorer_memberships(viewer: Viewer, partner: Partner | None = None) -> QuerySet[Membership]:
    """The account's members who can review: QA reviewers, program managers and QA leads
    (of `partner` only, when given). Memberships are buyer-only data: program managers ask."""
    members = (
        scope(Membership, viewer)
        .filter(role__in=SCORERS)
        .select_related("user", "partner")
        .order_by("partner__name", "role", "user__first_name", "user__last_name", "user__email")
    )
    if partner is not None:
        members = members.filter(Q(partner__isnull=True) | Q(partner=partner))
    return members


class _MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:  # type: ignore[override]
        return member_label(obj)


class _UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        return obj.display_name


# FILTERS AND SET-UP
# ------------------------------------------------------------------------------


class SessionFilterForm(ViewerFormMixin, forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(), required=False, empty_label="All partners"
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *SessionStatus.choices], required=False)

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None


class OutcomeFilterForm(ViewerFormMixin, forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.none(), required=False, empty_label="All partners"
    )
    show = forms.ChoiceField(
        choices=[("", "Open and done"), ("open", "Open"), ("done", "Done")], required=False
    )

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None


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


# SESSION ACTIONS
# ------------------------------------------------------------------------------


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


class ReviewerAddForm(forms.Form):
    user = _UserChoiceField(queryset=User.objects.none(), label="Reviewer")

    def __init__(
        self, *args: Any, viewer: Viewer, session: CalibrationSession, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        taken = [r.user_id for r in session.reviewers.all()]
        users = [
            m.user_id for m in scorer_memberships(viewer, session.partner) if m.user_id not in taken
        ]
        self.fields["user"].queryset = User.objects.filter(pk__in=users).order_by(  # type: ignore[attr-defined]
            "first_name", "last_name", "email"
        )


class OutcomeForm(forms.Form):
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
        super().__init__(*args, **kwargs)
        # The buyer's people and the session's partner's: one filter() per set, so that both
        # conditions hold for the same membership.
        order = ("first_name", "last_name", "email")
        buyer = User.objects.filter(
            memberships__account_id=viewer.account_id, memberships__partner__isnull=True
        )
        partner = User.objects.filter(
            memberships__account_id=viewer.account_id,
            memberships__partner_id=session.partner_id,
        )
        self.fields["owner"].queryset = (buyer | partner).distinct().order_by(*order)  # type: ignore[attr-defined]


class NoActionForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    criterion = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(max_length=500, label="Why no action is needed")


# ANSWERS
# ------------------------------------------------------------------------------


def parse_value(criterion: RubricCriterion, raw: Any) -> Decimal | None:
    """One answer as typed or sent: None or "na" is N/A; otherwise a number. The scale
    itself is checked by the service."""
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in (NA, "n/a")):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise DomainError(f"'{criterion.name}': {raw!r} is not a score.", field="answers")
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise DomainError(
            f"'{criterion.name}': '{raw}' is not a number.", field="answers"
        ) from None
    if not value.is_finite():
        raise DomainError(f"'{criterion.name}': '{raw}' is not a number.", field="answers")
    return value


def posted_answers(
    data: Mapping[str, Any], criteria: Iterable[RubricCriterion], prefix: str = ""
) -> dict[int, Decimal | None]:
    """Answers of a plain form POST: field `<prefix>c<criterion id>`; a criterion left empty
    is left out (not answered yet), "na" is N/A. A number input and an N/A checkbox may share
    the name: N/A wins."""
    result: dict[int, Decimal | None] = {}
    for criterion in criteria:
        name = f"{prefix}c{criterion.pk}"
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [v for v in values if v not in (None, "")]
        if not values:
            continue
        result[criterion.pk] = None if NA in values else parse_value(criterion, values[0])
    return result
