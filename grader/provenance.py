"""Who and what a report is about: the learner, the kit's version and commit, file hashes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tomllib
from functools import cache
from pathlib import Path

from grader import PROJECT_ROOT, REFERENCE_DIR, identity

NoIdentity = identity.NoIdentity  # identities live in grader.identity


def learner(given: str | None = None, required: bool = True) -> str | None:
    """The learner id a local report is labelled with: --learner, then KIT_LEARNER, then git's
    user.email (else user.name), as grader.identity turns a name into an id."""
    found = identity.git_identity()
    for candidate in (given, os.environ.get("KIT_LEARNER"), found[0] if found else None):
        if candidate and candidate.strip():
            return identity.folder_name(candidate)
    if required:
        raise NoIdentity(identity.no_name())
    return None


@cache
def kit_version() -> dict:
    """{"version": package version, "commit": git commit of the kit or None, "dirty": bool}.

    "dirty" is whether the kit's own files (grader/, reference/) differ from that commit:
    learners' edits to exercises/ never count.
    """
    # tox runs the kit from its folder without installing it (package = deps-only), so the
    # version comes from pyproject.toml, its one source.
    try:
        with (PROJECT_ROOT / "pyproject.toml").open("rb") as f:
            version = tomllib.load(f)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        version = "unknown"
    commit, dirty = None, False
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if head.returncode == 0:
            commit = head.stdout.strip()
            status = subprocess.run(
                ["git", "status", "--porcelain", "--", "grader", "reference"],
                cwd=PROJECT_ROOT,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
            dirty = bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        pass
    return {"version": version, "commit": commit, "dirty": dirty}


def sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def stub_hashes() -> dict[str, str]:
    """{module: sha256 of its pristine stub}, generated with nbgrader once per reference change.

    Cached on disk because importing nbgrader alone takes about 2 s.
    """
    from grader import cache as kit_cache
    from grader import manifest

    modules = [ex.module for ex in manifest.load()]
    digest = hashlib.sha256(
        b"".join((REFERENCE_DIR / m).read_bytes() for m in modules if (REFERENCE_DIR / m).exists())
    ).hexdigest()[:24]
    path = kit_cache.cache_dir() / f"stub-hashes-{digest}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        pass
    from grader import release

    hashes = {
        module: hashlib.sha256(text.encode()).hexdigest()
        for module, text in release.planned().items()
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(hashes))
        os.replace(partial, path)
    except OSError:
        pass  # a read-only cache only costs the regeneration next time
    return hashes
