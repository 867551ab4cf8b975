"""A one-node Slurm cluster on this machine, from Debian's packages (slurm-wlm, munge), for the
kit's tests and benchmarks: its own munge key and socket, its own slurm.conf, state and logs in
a temporary folder, on free ports. Made to run in a container without systemd or cgroups:
processes are tracked through /proc (proctrack/linuxproc), with no task plugin, no accounting
and no memory bookkeeping. The node has this machine's CPUs, as `slurmd -C` finds them.

Every daemon runs in the foreground as a child of this process, and stop() ends them: first
the jobs, then slurmd and slurmctld, then munged. Only root can run it (slurmd starts jobs as
their owner).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self

DAEMONS = ("munged", "slurmctld", "slurmd")
# squeue's reasons for a job that this node can never run (more CPUs than it has, ...).
NEVER_RUNS = ("PartitionConfig", "PartitionNodeLimit", "BadConstraints", "ReqNodeNotAvail")
CLIENTS = ("sbatch", "squeue", "sinfo", "scancel")


def problem() -> str | None:
    """Why no cluster can start here, or None."""
    if os.geteuid() != 0:
        return "a one-node Slurm cluster needs root (slurmd starts each job as its owner)"
    missing = [tool for tool in (*DAEMONS, *CLIENTS) if shutil.which(tool) is None]
    if missing:
        return (
            f"Slurm or munge is not installed ({', '.join(missing)} not found): "
            "apt-get install slurm-wlm munge"
        )
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """start(), then sbatch()/wait() as needed, then stop()."""

    def __init__(self, name: str = "kittest") -> None:
        why = problem()
        if why:
            raise RuntimeError(why)
        self.name = name
        self.folder = Path(tempfile.mkdtemp(prefix="kit-slurm-"))
        self.folder.chmod(0o755)  # munged wants its socket's folder open to every user
        self.conf = self.folder / "slurm.conf"
        self.munge_socket = self.folder / "munge.socket"
        self.daemons: dict[str, subprocess.Popen] = {}
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}

    # --- start ------------------------------------------------------------------------------

    def start(self) -> Self:
        try:
            self._start_munge()
            self._write_conf()
            self._spawn("slurmctld", "slurmctld", "-D", "-i", "-f", str(self.conf))
            self._spawn("slurmd", "slurmd", "-D", "-f", str(self.conf), "-N", self.node)
            self._wait_for_idle_node()
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, name: str, *command: str) -> None:
        log = (self.folder / f"{name}.out").open("wb")
        self.daemons[name] = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env,
            cwd=self.folder,
        )
        log.close()

    def _start_munge(self) -> None:
        key = self.folder / "munge.key"
        key.write_bytes(secrets.token_bytes(1024))
        key.chmod(0o400)
        self._spawn(
            "munged",
            "munged", "--foreground", f"--key-file={key}", f"--socket={self.munge_socket}",
            f"--pid-file={self.folder / 'munged.pid'}", f"--seed-file={self.folder / 'munged.seed'}",
            f"--log-file={self.folder / 'munged.log'}",
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not self.munge_socket.exists():
            if self.daemons["munged"].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("munged did not start:\n" + self.logs())
            time.sleep(0.1)

    def _write_conf(self) -> None:
        found = subprocess.run(
            ["slurmd", "-C"], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        # "NodeName=host CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ... RealMemory=N"
        hardware = next(line for line in found.splitlines() if line.startswith("NodeName="))
        self.node = hardware.split()[0].split("=", 1)[1]
        self.cpus = int(next(f for f in hardware.split() if f.startswith("CPUs=")).split("=")[1])
        host = socket.gethostname().split(".")[0]
        state, spool = self.folder / "state", self.folder / "spool"
        state.mkdir()
        spool.mkdir()
        (self.folder / "plugstack.conf").write_text("")  # none of the machine's SPANK plugins
        self.conf.write_text(
            "\n".join(
                [
                    f"ClusterName={self.name}",
                    f"SlurmctldHost={host}(127.0.0.1)",
                    "SlurmUser=root",
                    "SlurmdUser=root",
                    "AuthType=auth/munge",
                    "CredType=cred/munge",
                    f"AuthInfo=socket={self.munge_socket}",
                    f"SlurmctldPort={_free_port()}",
                    f"SlurmdPort={_free_port()}",
                    f"StateSaveLocation={state}",
                    f"SlurmdSpoolDir={spool}",
                    f"SlurmctldPidFile={self.folder / 'slurmctld.pid'}",
                    f"SlurmdPidFile={self.folder / 'slurmd.pid'}",
                    f"SlurmctldLogFile={self.folder / 'slurmctld.log'}",
                    f"SlurmdLogFile={self.folder / 'slurmd.log'}",
                    f"PlugStackConfig={self.folder / 'plugstack.conf'}",
                    # No systemd, no cgroups: track processes through /proc, bind no CPUs.
                    "ProctrackType=proctrack/linuxproc",
                    "TaskPlugin=task/none",
                    "JobAcctGatherType=jobacct_gather/none",
                    "AccountingStorageType=accounting_storage/none",
                    "JobCompType=jobcomp/none",
                    "MpiDefault=none",
                    "SelectType=select/cons_tres",
                    "SelectTypeParameters=CR_CPU",
                    "SchedulerType=sched/backfill",
                    "ReturnToService=2",
                    f"{hardware} NodeAddr=127.0.0.1 State=UNKNOWN",
                    f"PartitionName=kit Nodes={self.node} Default=YES MaxTime=INFINITE State=UP",
                    "",
                ]
            )
        )

    def _wait_for_idle_node(self) -> None:
        deadline = time.monotonic() + 60
        state = ""
        while time.monotonic() < deadline:
            for name, daemon in self.daemons.items():
                if daemon.poll() is not None:
                    raise RuntimeError(f"{name} ended (exit {daemon.returncode}):\n{self.logs()}")
            state = self.run("sinfo", "-h", "-n", self.node, "-o", "%t", check=False).stdout
            if state.strip() == "idle":
                return
            time.sleep(0.5)
        raise RuntimeError(f"the node is not idle after 60 s ({state.strip()!r}):\n{self.logs()}")

    # --- use --------------------------------------------------------------------------------

    def run(self, *command: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
        """A Slurm client command (sbatch, squeue, ...) against this cluster."""
        kw.setdefault("env", self.env)
        return subprocess.run(
            command, capture_output=True, text=True, check=check, timeout=kw.pop("timeout", 60),
            **kw,
        )  # fmt: skip

    def jobs(self) -> list[str]:
        """The jobs (array tasks one by one) still queued or running: 'ID STATE REASON'."""
        listed = self.run("squeue", "-h", "-r", "-o", "%i %T %r", check=False).stdout
        return [line for line in listed.splitlines() if line.strip()]

    def wait(self, timeout: float) -> None:
        """Until no job is left; a RuntimeError with the queue and logs after `timeout` s, or
        at once for a job that asks for more than the node has (it would pend for ever)."""
        deadline = time.monotonic() + timeout
        while jobs := self.jobs():
            never = [job for job in jobs if job.split()[-1] in NEVER_RUNS]
            if never or time.monotonic() > deadline:
                raise RuntimeError(
                    f"jobs still queued after {timeout:g} s, or never to run: {jobs}\n"
                    + self.logs()
                )
            time.sleep(1)

    def logs(self) -> str:
        """The daemons' logs, last lines of each."""
        parts = []
        for path in sorted(self.folder.glob("*.out")) + sorted(self.folder.glob("*.log")):
            text = path.read_text(errors="replace")[-2500:]
            parts.append(f"--- {path.name}\n{text}")
        return "\n".join(parts)

    # --- stop -------------------------------------------------------------------------------

    def stop(self) -> None:
        """Cancels every job, then ends slurmd, slurmctld and munged, and removes the folder."""
        if "slurmctld" in self.daemons and self.daemons["slurmctld"].poll() is None:
            self.run("scancel", "--full", "--user", "root", check=False)
            deadline = time.monotonic() + 60
            while self.jobs() and time.monotonic() < deadline:
                time.sleep(0.5)
        for name in ("slurmd", "slurmctld", "munged"):
            daemon = self.daemons.get(name)
            if daemon is None or daemon.poll() is not None:
                continue
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
