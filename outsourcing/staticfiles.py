"""Serve plotly.js from the installed plotly package as the static file vendor/plotly.min.js.

plotly.js (about 4.8 MB) ships inside the Python package; this finder lets collectstatic
and the development server pick it up, so it is neither committed nor downloaded, and pages
load it once instead of inlining it into every chart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
STATIC_PATH = "vendor/plotly.min.js"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(PLOTLY_JS.parent))

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    # django-stubs declares `find` as two overloads on a Literal flag; one body answers both.
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:  # type: ignore[override]
        if path == STATIC_PATH and PLOTLY_JS.is_file():
            return [str(PLOTLY_JS)] if find_all else str(PLOTLY_JS)
        return [] if find_all else ""

    def list(self, ignore_patterns: Any) -> Any:
        if PLOTLY_JS.is_file():
            storage = _PrefixedStorage(location=str(PLOTLY_JS.parent))
            yield PLOTLY_JS.name, storage


class _PrefixedStorage(FileSystemStorage):
    """collectstatic copies `plotly.min.js` to `vendor/plotly.min.js`."""

    prefix = "vendor"
