#!/usr/bin/env python
"""The bare Wagtail site's manage.py: run from this folder, or with it on PYTHONPATH."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
