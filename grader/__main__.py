"""Entry point for `python -m grader`, for machines without the `kit` script."""

from grader.cli import main

raise SystemExit(main())
