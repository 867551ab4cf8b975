"""A private PostgreSQL server for the kit's tests and benchmarks: Debian's (or any) server
binaries, `initdb` and `pg_ctl` in a temporary folder, listening only on a unix socket in that
folder, and stopped and removed afterwards.

Every database it makes is open to the superuser without a password (trust, on the socket
only); the role PASSWORD_ROLE must give its password (scram-sha-256), for the tests of a wrong
or missing one. initdb refuses to run as root, so as root the server runs as the `postgres`
account (Debian's package makes it), else as `nobody`.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Self

SUPERUSER = "kit"
PASSWORD_ROLE = "kit_password"
PASSWORD = "s3cret-kit-pw"  # the tests check that no message ever shows it


def bin_dir() -> Path | None:
    """The folder of initdb, pg_ctl and postgres: pg_config's, else Debian's newest, else PATH."""
    candidates = []
    if shutil.which("pg_config"):
        found = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        candidates.append(found)
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for folder in candidates:
        if folder and all((Path(folder) / tool).exists() for tool in ("initdb", "pg_ctl")):
            return Path(folder)
    return None


def problem() -> str | None:
    """Why no private server can run here, or None."""
    if bin_dir() is None:
        return (
            "no PostgreSQL server binaries (initdb, pg_ctl) found via pg_config, "
            "/usr/lib/postgresql/*/bin or PATH: install them (apt-get install postgresql)"
        )
    return None


def _account() -> pwd.struct_passwd | None:
    """The unprivileged account the server runs as when we are root; None: run as ourselves."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, with neither a postgres nor a nobody account")


class Server:
    """One private server. start(), then database() for each fresh database, then stop()."""

    def __init__(self) -> None:
        self.bin = bin_dir()
        if self.bin is None:
            raise RuntimeError(problem())
        self.account = _account()
        self.folder = Path(tempfile.mkdtemp(prefix="kit-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self._names = itertools.count(1)
        self.started = False

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        account = self.account
        run = subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            cwd=self.folder,
            env={**os.environ, "LC_ALL": "C"},
            **(
                {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
                if account
                else {}
            ),
        )
        if check and run.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args[:2])} failed (exit {run.returncode}):\n{run.stdout}{run.stderr}"
                + self.log_tail()
            )
        return run

    def log_tail(self) -> str:
        try:
            return "\nserver log:\n" + self.log.read_text()[-3000:]
        except OSError:
            return ""

    def start(self) -> Self:
        if self.account:
            os.chown(self.folder, self.account.pw_uid, self.account.pw_gid)
        self.folder.chmod(0o755)  # any local user (a scheduler's task) reaches the socket
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
            "--encoding=UTF8", "--no-sync",
        )  # fmt: skip
        with (self.data / "postgresql.conf").open("a") as conf:
            # Only the socket, in our own folder; durability is not needed for a test.
            conf.write(
                f"listen_addresses = ''\nunix_socket_directories = '{self.folder}'\n"
                "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n"
                "max_connections = 200\n"
            )
        (self.data / "pg_hba.conf").write_text(
            f"local all {PASSWORD_ROLE} scram-sha-256\nlocal all all trust\n"
        )
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60")
        self.started = True
        self.sql(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{PASSWORD}'")
        return self

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        """A plain postgresql:// URL (psycopg 3) to `database` over the socket."""
        return f"postgresql://{user}@/{database}?host={self.folder}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(
            host=str(self.folder), user=SUPERUSER, dbname=database, autocommit=True
        ) as connection:
            connection.execute(statement)

    def database(self, owner: str = SUPERUSER) -> str:
        """A new, empty database; its URL for `owner`."""
        name = f"kit_test_{next(self._names)}"
        self.sql(f"CREATE DATABASE {name} OWNER {owner}")
        return self.url(name, owner)

    def stop(self) -> None:
        """Stops the server (fast: ends its sessions) and removes its folder."""
        try:
            if self.started:
                stopped = self._run(
                    "pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w", check=False
                )
                # A server that died already (its log says why) leaves nothing to stop:
                # pg_ctl status answers 3, "no server running".
                if stopped.returncode != 0 and (
                    self._run("pg_ctl", "status", "-D", str(self.data), check=False).returncode != 3
                ):
                    raise RuntimeError(f"pg_ctl stop failed: {stopped.stderr}{self.log_tail()}")
                self.started = False
        finally:
            if not self.started:
                shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
