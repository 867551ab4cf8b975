"""Entry point for `python -m grader`, for machines without the `kit` script."""

from grader.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
