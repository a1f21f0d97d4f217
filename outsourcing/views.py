"""Project-wide views: the health check and error pages that speak JSON under /api/."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.defaults import page_not_found, permission_denied, server_error


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database and the cache answer, 503 naming what does not."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("keel-health", "ok", 10)
        checks["cache"] = "ok" if cache.get("keel-health") == "ok" else "error: no round trip"
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503
    )


def _api_error(status: int, code: str, detail: str) -> JsonResponse:
    """The same error body DRF views return (drf-standardized-errors)."""
    kind = "client_error" if status < 500 else "server_error"
    return JsonResponse(
        {"type": kind, "errors": [{"code": code, "detail": detail, "attr": None}]}, status=status
    )


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(404, "not_found", "No such API endpoint or object.")
    return page_not_found(request, exception)


def handler403(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(403, "permission_denied", str(exception) or "Not allowed.")
    return permission_denied(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(500, "error", "Keel hit an error; it has been logged.")
    return server_error(request)
