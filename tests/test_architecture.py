"""The floors between the apps (docs/ARCHITECTURE.md) are a contract `make lint` checks with
import-linter. These tests run the same check: it passes on the code as it is, and fails,
naming the import, on a copy of the code with one deliberate wrong import added."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "partners", "kpis", "calibration", "sla", "engagements", "home", "demo",
            "outsourcing")  # fmt: skip
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "migrations"))  # fmt: skip
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_its_floors() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "expected"),
    [
        # The tenancy floor reaching up to settlements.
        ("partners/wrong.py", "import sla.models\n", "partners is not allowed to import sla"),
        # The kernel reaching up to the tenancy floor.
        ("core/wrong.py", "from partners import models\n",
         "core is not allowed to import partners"),
        # KPI data reaching up to calibration, which stands on it.
        ("kpis/wrong.py", "from calibration.models import QaEvaluation\n",
         "kpis is not allowed to import calibration"),
    ],
)  # fmt: skip
def test_a_wrong_import_fails_lint(
    tmp_path: Path, module: str, wrong_import: str, expected: str
) -> None:
    root = copy_of_the_code(tmp_path)
    (root / module).write_text(wrong_import)
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout
    assert expected in result.stdout
    assert module.replace("/", ".").removesuffix(".py") in result.stdout


def test_a_cycle_between_two_files_fails_lint(tmp_path: Path) -> None:
    root = copy_of_the_code(tmp_path)
    (root / "kpis" / "ping.py").write_text("from kpis import pong\n")
    (root / "kpis" / "pong.py").write_text("from kpis import ping\n")
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout
    assert "No cycles are allowed in kpis" in result.stdout
