"""Imported by the fork server before any exercise runs, so each exercise skips the import cost."""

import gc
import os

from grader.frameworks import import_frameworks

import_frameworks(os.environ.get("KIT_PRELOAD", "torch").split(","))

import pytest  # noqa: F401  (imported for its start-up cost, after the frameworks)

import grader.plugin  # noqa: F401

# Keep the preloaded modules' objects out of every child's garbage collections: pytest runs
# gc.collect() at exit, which otherwise walks torch's and TF's whole heaps in each exercise.
gc.freeze()
