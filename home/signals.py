"""What the QBR tells the rest of Keel: `review_published(review=QuarterlyReview)` is sent
once a program manager publishes a review, after the write commits (integrations listen)."""

from __future__ import annotations

from django.dispatch import Signal

review_published = Signal()
