"""Real node processes for tests: ``start_node(env)`` runs ``manage.py runnode``.

Each node gets a free HTTP port (and a free gRPC address unless ``env`` names
one), runs ``cartsite.settings`` unless ``env`` says otherwise, and writes its
stdout and stderr to temporary files that ``Node.output()`` returns for
failure messages. Waits poll with a deadline; nothing sleeps and hopes.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from django.conf import settings

__all__ = ["Node", "NodeFailed", "database_url", "free_port", "start_node"]

ROOT = Path(__file__).resolve().parent.parent


class NodeFailed(AssertionError):
    """A node did not start or stop as expected; the message ends with its output."""


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def database_url(alias: str = "default") -> str:
    """Return a ``DATABASE_URL`` for the database ``alias`` is using now (the test db)."""
    db = settings.DATABASES[alias]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        return f"sqlite:///{db['NAME']}"
    if not engine.startswith("postgresql"):
        raise ValueError(f"no DATABASE_URL form for {db['ENGINE']}")
    auth = db.get("USER") or ""
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}{'@' if auth else ''}{host}:{port}/{db['NAME']}"


class Node:
    """One ``runnode`` process: its URL, its process, and how to stop it."""

    def __init__(
        self, proc: subprocess.Popen[bytes], *, host: str, port: int, logs: dict[str, IO[bytes]]
    ) -> None:
        self.proc = proc
        self.host = host
        self.port = port
        self.url = f"http://{host}:{port}"
        self._logs = logs
        self._closed_output: str | None = None

    def output(self) -> str:
        """Return what the node wrote so far (stdout, then stderr), also after ``close()``."""
        if self._closed_output is not None:
            return self._closed_output
        parts = []
        for name, log in self._logs.items():
            text = Path(log.name).read_text(errors="replace")
            parts.append(f"--- {name} ---\n{text}")
        return "\n".join(parts)

    def answers(self) -> bool:
        """True when an HTTP request to the node gets any response."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=2)
        try:
            conn.request("GET", "/api/products")
            conn.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            conn.close()

    def wait_ready(self, timeout: float = 30.0) -> Node:
        """Wait until the node answers HTTP; fail early if it exits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise NodeFailed(f"node exited with {self.proc.returncode}\n{self.output()}")
            if self.answers():
                return self
            time.sleep(0.05)
        raise NodeFailed(f"node did not answer within {timeout:g}s\n{self.output()}")

    def wait(self, timeout: float = 30.0) -> int:
        """Wait for the process to exit and return its status; fail after ``timeout``."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise NodeFailed(f"node still running after {timeout:g}s\n{self.output()}") from None

    def terminate(self, timeout: float = 30.0) -> int:
        """Send SIGTERM (a graceful stop) and return the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self, timeout: float = 10.0) -> int:
        """Send SIGKILL (a crash: nothing is flushed) and return the exit status."""
        if self.proc.poll() is None:
            self.proc.kill()
        return self.wait(timeout)

    def close(self) -> None:
        """Kill the process if it still runs and remove its log files (keeping their text)."""
        if self._closed_output is not None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._closed_output = self.output()
        for log in self._logs.values():
            log.close()
            Path(log.name).unlink(missing_ok=True)

    def __enter__(self) -> Node:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Node {self.url} pid={self.proc.pid} rc={self.proc.poll()}>"


def start_node(
    env: dict[str, str], *, port: int | None = None, host: str = "127.0.0.1", wait: bool = False
) -> Node:
    """Start ``manage.py runnode`` with ``env`` over this process's environment.

    ``port`` None picks a free one; ``wait`` True also waits until it answers.
    """
    port = free_port(host) if port is None else port
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cartsite.settings",
        "CART_GRPC_ADDR": f"{host}:{free_port(host)}",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    # Files, not pipes: a node that logs a lot never blocks on a full pipe.
    logs = {
        name: tempfile.NamedTemporaryFile(  # noqa: SIM115 - Node.close() closes them
            prefix=f"node-{port}-", suffix=f".{name}", delete=False
        )
        for name in ("stdout", "stderr")
    }
    cmd = [sys.executable, str(ROOT / "manage.py"), "runnode", "--host", host, "--port", str(port)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=full_env, stdout=logs["stdout"], stderr=logs["stderr"]
    )
    node = Node(proc, host=host, port=port, logs=logs)
    return node.wait_ready() if wait else node
