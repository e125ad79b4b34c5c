"""Loaded with `-p` before pytest-django reads the settings: the suite runs the test profile."""

import os

os.environ.setdefault("TANTIEME_ENV", "test")
