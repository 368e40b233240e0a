"""One peer process for the benchmark: ``manage.py runnode --app ... --port 0``."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["ROOT", "Peer", "start_peer"]

ROOT = Path(__file__).resolve().parent.parent
READY = re.compile(r"node \S+ serving (http://\S+)")
COMMIT = re.compile(r"group commit: (\d+) events in (\d+) transactions")


class Peer:
    """A running peer: where it listens and how it stopped."""

    def __init__(self, proc: subprocess.Popen[bytes], stdout: Path, stderr: Path) -> None:
        self.proc = proc
        self.stdout = stdout
        self.stderr = stderr
        self.url = ""

    def log(self) -> str:
        """Return what the peer wrote so far."""
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60.0) -> str:
        """Wait for the ``serving`` line and return the peer's URL."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = READY.search(self.stdout.read_text(errors="replace"))
            if match:
                self.url = match.group(1)
                return self.url
            if self.proc.poll() is not None:
                raise RuntimeError(f"peer exited with {self.proc.returncode}:\n{self.log()}")
            time.sleep(0.05)
        raise RuntimeError(f"peer not ready after {timeout:g}s:\n{self.log()}")

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM the peer (a graceful stop) and return its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"peer ignored SIGTERM for {timeout:g}s:\n{self.log()}") from None

    def group_commit(self) -> tuple[int, int] | None:
        """Return (events, transactions) from the node's shutdown line, if it logged one."""
        match = COMMIT.search(self.stderr.read_text(errors="replace"))
        return (int(match.group(1)), int(match.group(2))) if match else None

    def cleanup(self) -> None:
        """Kill the peer if it still runs; remove its logs."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.stdout.unlink(missing_ok=True)
        self.stderr.unlink(missing_ok=True)


def start_peer(app: str, env: dict[str, str]) -> Peer:
    """Start ``runnode`` serving ``app`` on a free port, with ``env`` over ours."""
    out = Path(tempfile.mkstemp(prefix="bench-", suffix=".out")[1])
    err = Path(tempfile.mkstemp(prefix="bench-", suffix=".err")[1])
    cmd = [sys.executable, str(ROOT / "manage.py"), "runnode", "--port", "0", "--app", app]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
            stdout=stdout,
            stderr=stderr,
        )
    return Peer(proc, out, err)
