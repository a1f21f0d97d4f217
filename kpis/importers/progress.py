"""How far an import has got, for the progress bar: kept in the cache, because the import's
own writes are invisible to other connections until it commits."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from core import clock


def _progress_key(batch_id: int) -> str:
    return f"kpis:import:{batch_id}:progress"


def progress_set(batch_id: int, rows: int, phase: str) -> None:
    """Progress lives in the cache: the import's own writes are invisible until it commits."""
    cache.set(
        _progress_key(batch_id),
        {"rows": rows, "phase": phase, "at": clock.now().timestamp()},
        86400,
    )


def progress_get(batch_id: int) -> dict[str, Any] | None:
    value: dict[str, Any] | None = cache.get(_progress_key(batch_id))
    return value
