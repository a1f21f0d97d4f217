#!/usr/bin/env python
"""Django's command-line utility for Keel."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outsourcing.settings.base")
    from django.core.management import execute_from_command_line

    from outsourcing.env import SettingsError

    try:
        # Load settings first, so that a malformed variable stops start-up with one line
        # naming it rather than a traceback.
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018
    except SettingsError as exc:
        sys.exit(f"Keel cannot start: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
