"""The README starts with the two commands, lists every demo user, and its commands work as
printed: after `make run`, in a new shell, with nothing typed first."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from demo import accounts as demo

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
# What a fresh clone holds: no virtual environment, database, .env or caches.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.pyc", "db.sqlite3*", ".env", "staticfiles", "media",
    ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis", "*.egg-info", "build",
)  # fmt: skip
# The README's placeholders, and what this test puts in their place.
PLACEHOLDERS = {
    "FILE": "readme-interactions.csv",
    "SLUG": "northwind-retail",
    "NAME": "'Harborline Support'",
    "KIND": "interactions",
}


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```")[1]
    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()[-2:]] == [
        "make run",
        "make test",
    ]


def test_readme_lists_every_demo_user_and_the_demo_password():
    for user in (*demo.USERS, *demo.SECOND_ACCOUNT_USERS):
        assert user.email in README
    assert demo.DEMO_PASSWORD in README


# THE COMMANDS
# ------------------------------------------------------------------------------


def printed_commands() -> list[str]:
    """Every command line README.md prints that runs `manage.py` on this machine (not in a
    container), in the order printed: code-block lines and inline code, comments dropped."""
    found = []
    for n, part in enumerate(README.split("```")):
        if n % 2:  # a code block: its first line names the language
            lines = part.split("\n", 1)[1].splitlines()
        else:
            lines = [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", part)]
        for line in lines:
            command = re.sub(r"\s+#.*$", "", line).strip()
            if re.search(r"manage\.py [a-z]", command) and not command.startswith("docker"):
                found.append(command)
    return found


def test_every_manage_py_command_runs_from_the_projects_venv_with_nothing_typed_first():
    commands = printed_commands()
    assert {shlex.split(c)[2] for c in commands} >= {
        "createsuperuser",
        "import_kpi_data",
        "recompute_sla",
        "migrate",
    }
    for command in commands:
        assert command.startswith(".venv/bin/python manage.py "), command
        assert "DEBUG" not in command, command
    assert "export DEBUG" not in README
    assert "export SECRET_KEY" not in README


def _new_users_environment() -> dict[str, str]:
    """This machine's environment without any of Keel's or Django's variables: what a new
    user's shell holds (the suite's own settings module, secret and DEBUG included)."""
    example = (ROOT / ".env.example").read_text()
    keel = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    return {
        name: value
        for name, value in os.environ.items()
        if name not in keel and not name.startswith(("DJANGO_", "KEEL_"))
    }


def _clone(tmp_path: Path) -> Path:
    """The project as a clone has it, with this test run's environment as its `.venv` and
    the `.env` that `make run` writes, by the Makefile's own rule."""
    assert shutil.which("make"), "make is needed: the README's first command is `make run`"
    folder = tmp_path / "keel"
    shutil.copytree(ROOT, folder, ignore=NOT_IN_A_CLONE)
    (folder / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    run(folder, f"make .env PYTHON={shlex.quote(sys.executable)}")
    return folder


def run(folder: Path, command: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run one command line in `folder` the way a shell runs it, as printed."""
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=folder,
        env={**_new_users_environment(), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


TINY_PROGRAMME = """
from datetime import date
from decimal import Decimal
from partners.models import Account, Agent, InteractionType, Partner, Team
from sla.models import Contract, RateLine

account = Account.objects.create(name="Northwind Retail", slug={slug!r})
InteractionType.objects.create(account=account, code="order-status", name="Order status")
partner = Partner.objects.create(account=account, name={name!r}, go_live_date=date(2025, 1, 6))
team = Team.objects.create(partner=partner, name="Chat", channel="chat")
Agent.objects.create(partner=partner, team=team, external_id="HBL-1", name="Dana Whitfield",
                     hire_date=date(2025, 1, 1))
contract = Contract.objects.create(
    partner=partner, name="Master services agreement", start_date=date(2025, 1, 1),
    end_date=date(2027, 12, 31), currency="USD", notice_days=45, credit_cap_pct=Decimal(10),
    bonus_cap_pct=Decimal(5))
RateLine.objects.create(contract=contract, channel="chat", pricing_model="per_contact",
                        rate=Decimal("3.80"))
"""
TINY_FILE = """agent_id,channel,interaction_type,external_id,opened_at,csat,resolved_first_contact
HBL-1,chat,order-status,T-1,2026-09-01 10:00:00,5,yes
HBL-1,chat,order-status,T-2,2026-09-02 11:30:00,4,no
HBL-1,chat,order-status,T-3,2026-09-03 15:45:00,,yes
"""


def test_the_readmes_commands_work_as_printed_after_make_run(tmp_path):
    """In a clone after `make run` (its `.env`, a migrated SQLite file of its own and a tiny
    programme instead of the whole demo), every `manage.py` command the README prints exits
    0, as printed, placeholders filled in."""
    folder = _clone(tmp_path)
    dotenv = (folder / ".env").read_text()
    assert "DEBUG=true" in dotenv.splitlines()
    key = next(line for line in dotenv.splitlines() if line.startswith("SECRET_KEY="))
    assert len(key.removeprefix("SECRET_KEY=")) >= 50
    # `make run` writes .env once: a second run keeps the key.
    run(folder, f"make .env PYTHON={shlex.quote(sys.executable)}")
    assert (folder / ".env").read_text() == dotenv

    run(folder, ".venv/bin/python manage.py migrate --no-input")  # as `make run` does
    values = {k: shlex.split(v)[0] for k, v in PLACEHOLDERS.items()}
    run(
        folder,
        ".venv/bin/python manage.py shell -c "
        + shlex.quote(TINY_PROGRAMME.format(slug=values["SLUG"], name=values["NAME"])),
    )
    (folder / values["FILE"]).write_text(TINY_FILE)
    assert (folder / "db.sqlite3").is_file()

    ran = []
    for printed in printed_commands():
        name = shlex.split(printed)[2]
        if name == "runserver" or (name == "seed_demo" and "--if-empty" not in printed):
            continue  # serves until stopped / seeds the whole demo (tests/test_demo_story.py)
        command = re.sub(
            r"\b(" + "|".join(PLACEHOLDERS) + r")\b", lambda m: PLACEHOLDERS[m[1]], printed
        )
        env = {}
        if name == "createsuperuser":
            # Without questions, as Django documents it.
            command += " --noinput"
            env = {
                "DJANGO_SUPERUSER_EMAIL": "admin@northwind.example",
                "DJANGO_SUPERUSER_PASSWORD": "a-long-admin-password-2026",
            }
        result = run(folder, command, **env)
        ran.append(name)
        if name == "createsuperuser":
            assert "Superuser created successfully" in result.stdout
        if name == "import_kpi_data":
            assert "3 created" in result.stdout, result.stdout
        if name == "recompute_sla":
            assert "1 contract-month(s) evaluated" in result.stdout, result.stdout
    assert {"createsuperuser", "import_kpi_data", "recompute_sla", "migrate"} <= set(ran)
    assert "check" not in ran
    run(folder, ".venv/bin/python manage.py check")

    # Production stays safe: without the development .env, DEBUG is off and the development
    # secret key is refused.
    (folder / ".env").unlink()
    refused = subprocess.run(
        [".venv/bin/python", "manage.py", "check"],
        cwd=folder,
        env=_new_users_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr
    assert "development default is refused" in refused.stderr


def test_a_developers_env_file_does_not_change_what_the_suite_tests(tmp_path):
    """The test settings read no `.env`: neither DEBUG, the secret key nor a database from
    it reach them (nor the processes tests start, which inherit the suite's environment)."""
    assert os.environ.get("KEEL_ENV_FILE") == ""
    folder = _clone(tmp_path)
    with (folder / ".env").open("a") as dotenv:
        dotenv.write("DATABASE_URL=sqlite:////nowhere/from-dotenv.sqlite3\nLOG_LEVEL=DEBUG\n")
    shown = run(
        folder,
        ".venv/bin/python -c "
        + shlex.quote(
            "import os, django\n"
            "os.environ['DJANGO_SETTINGS_MODULE'] = 'outsourcing.settings.test'\n"
            "django.setup()\n"
            "from django.conf import settings\n"
            "print(settings.DEBUG, settings.SECRET_KEY.startswith('keel-test-suite'),\n"
            "      settings.DATABASES['default']['NAME'], os.environ.get('DEBUG'),\n"
            "      settings.LOGGING['root']['level'])"
        ),
    )
    debug, test_key, database, environ_debug, log_level = shown.stdout.split()
    assert (debug, test_key, environ_debug, log_level) == ("False", "True", "None", "INFO")
    assert database == str(folder / "db.sqlite3")
