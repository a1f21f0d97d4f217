"""The README starts with the two commands and lists every demo user."""

from __future__ import annotations

from pathlib import Path

from partners import demo

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


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
