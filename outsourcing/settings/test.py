"""Settings for the test suite: the base settings with fast, isolated defaults."""

from __future__ import annotations

import os
import tempfile

# A developer's `.env` (which `make run` writes, with DEBUG on) must not change what the suite
# tests: no settings file is read, here or in the processes the tests start (they inherit
# this environment).
os.environ["KEEL_ENV_FILE"] = ""
# The suite runs with DEBUG off, as production does, so it needs a non-default key.
os.environ.setdefault("SECRET_KEY", "keel-test-suite-secret-key-not-used-anywhere-else-0123456789")

from .base import *  # noqa: E402,F403
from .base import DATABASES, REST_FRAMEWORK  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tasks run in-process; the integration tests switch to a real worker where Redis exists.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# The live server for browser tests speaks plain http.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Static files come from the app folders (no collectstatic before tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Uploaded files go to a temporary folder that a Celery worker started by a test can read too.
MEDIA_ROOT = os.environ.setdefault("KEEL_TEST_MEDIA_ROOT", tempfile.mkdtemp(prefix="keel-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests of throttling set their own rate; the rest of the suite must never be throttled.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"viewer": "100000/min"},
}

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
