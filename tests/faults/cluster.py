"""A throwaway PostgreSQL cluster of the fault tests' own, on another port: initdb into a
temporary folder, started and stopped with pg_ctl (as .ci/replica.sh does), so that a test may
stop it under load without touching the shared server other engineers use.

PostgreSQL refuses to run as root: as root, the cluster runs as the postgres OS user."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

PG_VERSIONS = Path("/usr/lib/postgresql")


def _bin(name: str) -> str:
    versions = sorted(PG_VERSIONS.iterdir(), key=lambda p: [int(x) for x in p.name.split(".")])
    return str(versions[-1] / "bin" / name)


def available() -> bool:
    return PG_VERSIONS.is_dir() and any(PG_VERSIONS.iterdir())


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Cluster:
    def __init__(self, port: int, tablespace_dir: Path | None = None) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix=f"kehu-faults-pg-{port}-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            [_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
            + ["-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.dir}'\nfsync = off\n"
                "shared_buffers = 32MB\nmax_connections = 50\n"
            )

    def _run(self, command: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            _as_postgres(command), check=check, capture_output=True, text=True, timeout=120
        )

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        started = self._run(
            [_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "start"],
            check=False,
        )
        if started.returncode:
            log = self.log.read_text()[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log}")

    def stop(self, mode: str = "fast") -> None:
        stopped = self._run(
            [_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"], check=False
        )
        if stopped.returncode and (self.data / "postmaster.pid").exists():
            raise RuntimeError(f"PostgreSQL did not stop: {stopped.stderr}")

    def psql(self, database: str, sql: str) -> str:
        result = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
            + ["-v", "ON_ERROR_STOP=1", "-Atc", sql],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return result.stdout.strip()

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = subprocess.run(
                ["pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-q"], check=False
            )
            if ready.returncode == 0:
                return
            time.sleep(0.2)
        raise TimeoutError(f"PostgreSQL on port {self.port} did not start; see {self.log}")

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def copy_database(source_url: dict[str, str], cluster: Cluster, name: str) -> None:
    """The schema and rows of the test database (migrated by pytest-django) into `name` on the
    cluster: seconds, where running every migration again takes minutes."""
    cluster.psql("postgres", f"CREATE DATABASE {name} TEMPLATE template0")
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", "-h", source_url["HOST"] or "127.0.0.1"]
        + ["-p", str(source_url["PORT"] or 5432), "-U", source_url["USER"], source_url["NAME"]],
        check=True,
        capture_output=True,
        timeout=300,
    ).stdout
    subprocess.run(
        ["psql", "-q", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-d", name]
        + ["-v", "ON_ERROR_STOP=1"],
        input=dump,
        check=True,
        capture_output=True,
        timeout=300,
    )
