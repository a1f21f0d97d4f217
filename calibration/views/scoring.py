"""The reviewer's scoring page and its save-as-you-go endpoint. A reviewer sees and changes
their own answers only: they come through `calibration.blind`, by way of
`calibration.selectors.own_scores`, and go through `services.score_save`."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from calibration import selectors, services
from calibration.forms import ScoringItem, answer_input, parse_value, posted_answers, sections
from calibration.models import CalibrationSession, SessionStatus
from core.errors import DomainError
from partners.mixins import ViewerRequiredMixin


class ScoringView(ViewerRequiredMixin, TemplateView):
    """The reviewer's scoring page: one interaction at a time (or all, `?all=1`), the
    transcript beside the rubric, saving as they go (static/js/scoring.js posts each change
    to `scoring-save`); without JavaScript each interaction's form posts here."""

    template_name = "calibration/scoring_form.html"

    @cached_property
    def session(self) -> CalibrationSession:
        return selectors.session_for(self.viewer, self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        session = self.session
        criteria = list(session.version.criteria.all())
        own = selectors.own_scores(self.viewer, session)
        items = [
            ScoringItem(
                item,
                n,
                sections(
                    [
                        answer_input(
                            c,
                            f"i{item.pk}-c{c.pk}",
                            own.get((item.pk, c.pk)),
                            (item.pk, c.pk) in own,
                        )
                        for c in criteria
                    ]
                ),
            )  # fmt: skip
            for n, item in enumerate(session.items.all(), start=1)
        ]
        show_all = self.request.GET.get("all") == "1"
        wanted = self.request.GET.get("item", "")
        current = next((i for i in items if str(i.item.pk) == wanted), None) or next(
            (i for i in items if i.answered < i.needed), items[0] if items else None
        )
        index = items.index(current) if current else 0
        reviewer = selectors.reviewer_of(self.viewer, session)
        context.update(
            session=session,
            reviewer=reviewer,
            items=items,
            shown=items if show_all else [current] if current else [],
            current=current,
            previous_item=items[index - 1] if current and index > 0 else None,
            next_item=items[index + 1] if current and index + 1 < len(items) else None,
            show_all=show_all,
            locked=session.is_revealed,
            open=session.status == SessionStatus.SCORING and reviewer is not None,
            answered=len(own),
            needed=selectors.answers_needed(session),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The form of one interaction, posted without JavaScript."""
        session = self.session
        url = reverse("calibration:scoring", args=[pk])
        item = next((i for i in session.items.all() if str(i.pk) == request.POST.get("item")), None)
        if item is None:
            messages.error(request, "That interaction is not part of this session.")
            return redirect(url)
        criteria = list(session.version.criteria.all())
        try:
            values = posted_answers(request.POST, criteria, prefix=f"i{item.pk}-")
            saved = services.score_save(
                viewer=self.viewer, session=session, item=item, values=values
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(f"{url}?item={item.pk}")
        messages.success(request, f"Saved {saved} answer{'s' if saved != 1 else ''} on "
                                  f"{item.external_id}.")  # fmt: skip
        if request.POST.get("all") == "1":
            return redirect(f"{url}?all=1#item-{item.pk}")
        items = list(session.items.all())
        following = items[items.index(item) + 1 :]
        return redirect(f"{url}?item={following[0].pk if following else item.pk}")


class ScoringSaveView(ViewerRequiredMixin, View):
    """Save as you go: `{item, answers: {criterion id: value or null}}` → `services.score_save`.
    Answers with the caller's own counts only, `{saved, answered, needed}`, or a 400
    `{error}` naming the problem; nothing is stored then."""

    def post(self, request: HttpRequest, pk: int) -> JsonResponse:
        session = selectors.session_brief(self.viewer, pk)
        try:
            saved = self.save(request, session)
        except DomainError as exc:
            return JsonResponse({"error": exc.message}, status=400)
        return JsonResponse(
            {
                "saved": saved,
                "answered": selectors.own_answer_count(self.viewer, session),
                "needed": session.items.count() * session.version.criteria.count(),
            }
        )

    def save(self, request: HttpRequest, session: CalibrationSession) -> int:
        try:
            payload = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise DomainError("Send the answers as JSON.") from None
        answers = payload.get("answers") if isinstance(payload, dict) else None
        if not isinstance(answers, dict) or not answers:
            raise DomainError("Send at least one answer: {item, answers: {criterion: value}}.")
        raw_item = payload.get("item")
        item = (
            session.items.filter(pk=raw_item).first()
            if isinstance(raw_item, int | str) and str(raw_item).isdigit()
            else None
        )
        if item is None:
            raise DomainError("That interaction is not part of this session.", field="item")
        criteria = {str(c.pk): c for c in session.version.criteria.all()}
        values: dict[int, Decimal | None] = {}
        for key, raw in answers.items():
            criterion = criteria.get(str(key))
            if criterion is None:
                raise DomainError(f"Criterion {key} is not part of {session.version}.")
            values[criterion.pk] = parse_value(criterion, raw)
        return services.score_save(viewer=self.viewer, session=session, item=item, values=values)
