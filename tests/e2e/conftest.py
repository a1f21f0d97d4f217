"""Browser tests: Playwright drives Debian's Chromium against Django's live server."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.conftest import IN_CI

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.path.exists(CHROMIUM):
        return
    if IN_CI:
        raise pytest.UsageError(
            f"Chromium is missing at {CHROMIUM}: browser tests cannot be skipped under CI. "
            "Install it with `apt-get install -y chromium` (make test does when it can)."
        )
    skip = pytest.mark.skip(
        reason=f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
    )
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test's thread for the rest of the
    session; the ORM calls the tests make themselves (seeding and flushing the live server's
    database) are still synchronous. Browser tests run last (tests/conftest.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def console_errors(page):
    """Errors the page logged to the console or threw; a test asserts there are none."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.fixture
def accessibility_problems():
    """accessibility_problems(page) -> one line per axe-core rule the page breaks (axe-core
    ships inside axe-playwright-python: nothing is downloaded). `impacts` keeps only the
    rules of those impacts, e.g. ("serious", "critical")."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, impacts: tuple[str, ...] | None = None) -> list[str]:
        results = axe.run(page)
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
            for v in results.response["violations"]
            if impacts is None or v["impact"] in impacts
        ]

    return check
