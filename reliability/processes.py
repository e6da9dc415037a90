"""The processes a fault run starts and harms: Celery workers and a private Redis server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.runner import ROOT


class Worker:
    """`celery -A core worker --pool=prefork -c 2 -Q rescore,default,scoring`, as the Procfile
    runs it, with DJANGO_SETTINGS_MODULE given explicitly."""

    def __init__(self, env: dict[str, str], log: Path, *, concurrency: int = 2) -> None:
        self.env = env
        self.log = log
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0

    def start(self) -> None:
        start_size = self.log.stat().st_size if self.log.exists() else 0
        handle = open(self.log, "ab")  # noqa: SIM115
        self.started += 1
        command = [sys.executable, "-m", "celery", "-A", "core", "worker", "--pool=prefork"]
        command += ["-c", str(self.concurrency), "-Q", "rescore,default,scoring"]
        command += ["--loglevel=INFO", "--without-gossip", "--without-mingle"]
        command += ["--without-heartbeat", f"--hostname=faults-{os.getpid()}-{self.started}@%h"]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with open(self.log, "rb") as read:
                read.seek(start_size)
                if b" ready." in read.read():
                    return
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited; see {self.log}")
            time.sleep(0.2)
        raise RuntimeError(f"the worker did not start within 90 s; see {self.log}")

    def busiest_child(self) -> psutil.Process:
        """The pool process using the most CPU over a short interval: one scoring a chunk."""
        assert self.process is not None
        children = psutil.Process(self.process.pid).children()
        before = {c.pid: sum(c.cpu_times()[:2]) for c in children}
        time.sleep(0.3)
        return max(children, key=lambda c: sum(c.cpu_times()[:2]) - before[c.pid])

    def kill_all(self) -> None:
        """SIGKILL the worker and its pool at once, as when its machine is lost."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


class PrivateRedis:
    """A Redis server of this run's own, with no persistence, that may be stopped and
    restarted without touching the machine's shared Redis."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="faults-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=open(self.folder / "redis.log", "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except redis.RedisError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"redis-server on port {self.port} exited") from None
                time.sleep(0.1)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
