"""Imported by the fork server before any exercise runs, so each exercise skips the import cost."""

import os

from grader.frameworks import import_frameworks

import_frameworks(os.environ.get("KIT_PRELOAD", "torch").split(","))

import pytest  # noqa: F401  (imported for its start-up cost, after the frameworks)

import grader.plugin  # noqa: F401
