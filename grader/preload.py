"""Imported by the fork server before any exercise runs, so each exercise skips the import cost."""

import gc
import os

from grader import sandbox
from grader.frameworks import import_frameworks

# The server adopts every orphan an exercise leaves (so none escapes by double-forking), and no
# exercise's code may ptrace it or read its memory and descriptors (sandbox.protect).
sandbox.become_subreaper()
sandbox.protect()

import_frameworks(os.environ.get("KIT_PRELOAD", "torch").split(","))

import pytest  # noqa: F401  (imported for its start-up cost, after the frameworks)

import grader.plugin  # noqa: F401

# Keep the preloaded modules' objects out of every child's garbage collections: pytest runs
# gc.collect() at exit, which otherwise walks torch's and TF's whole heaps in each exercise.
gc.freeze()
