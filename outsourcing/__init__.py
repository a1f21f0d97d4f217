# The Celery app must load with Django, or `.delay()` falls back to Celery's default
# app and tries AMQP on port 5672 (see STACK notes).
from .celery import app as celery_app

__all__ = ("celery_app",)
