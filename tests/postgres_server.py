"""A throwaway PostgreSQL server for the test session, started from the local server binaries.

The store must behave the same on PostgreSQL as on DuckDB, so the tests need a real server; they never
assume one is already running. `running_postgres` runs `initdb` and `pg_ctl` in a fresh temporary
folder, listens on 127.0.0.1 only with trust authentication and durability switched off (test data is
thrown away), and always stops the server and removes the folder afterwards. Start it once per session
and give each test its own empty database with `create_database`.

`initdb` refuses to run as root, and tests and CI run as root, so in that case the server runs as the
`postgres` system user in a folder that user owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

SERVER_USER = "postgres"  # the OS account used when running as root (Debian's package creates it)
SUPERUSER = "postgres"  # the database superuser, the same whoever runs the server
START_TIMEOUT_SECONDS = 60
START_ATTEMPTS = 3  # a free port can be taken by someone else between choosing it and binding it

# Durability and housekeeping are pointless for data that is deleted at the end of the session.
_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "checkpoint_timeout": "'1d'",
    "max_wal_size": "'1GB'",
    "shared_buffers": "'32MB'",
    "max_connections": "50",
    "autovacuum": "off",
    "jit": "off",
    "logging_collector": "off",
    "log_min_messages": "warning",
}

_DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class PostgresServerError(RuntimeError):
    """The test PostgreSQL server could not be found, set up or started; the message says why."""


@dataclass(frozen=True)
class _Runner:
    """How to run server commands: directly, or as the `postgres` user when we are root."""

    bin_dir: Path
    user: str | None
    uid: int
    gid: int

    def run(self, program: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        """Run one server binary, returning its output without raising on failure."""
        extra: dict[str, Any] = {}
        if self.user is not None:
            extra = {"user": self.uid, "group": self.gid, "extra_groups": []}  # drop root's groups too
        return subprocess.run(
            [str(self.bin_dir / program), *args],
            cwd=cwd,  # a directory the server user can enter, not root's home
            env=_clean_env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=START_TIMEOUT_SECONDS + 30,
            **extra,
        )


def find_bin_dir() -> Path:
    """The directory holding initdb, pg_ctl and postgres: PATH first, then the newest Debian install.

    Raises PostgresServerError (a failure, never a skip) when they are missing, because tests that
    silently skip would hide that the PostgreSQL store is untested.
    """
    needed = ("initdb", "pg_ctl", "postgres")
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    versioned = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted((Path(p) for p in versioned), key=_major_version, reverse=True)
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in needed):
            return directory
    raise PostgresServerError(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH or in "
        "/usr/lib/postgresql/*/bin. Install the Debian package `postgresql` "
        "(apt-get install postgresql) to run the PostgreSQL tests."
    )


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a private PostgreSQL server and yield its SQLAlchemy URL (the `postgres` database).

    The server and its folder are removed when the block exits, also when a test failed or raised.
    """
    runner = _make_runner(find_bin_dir())
    base = Path(tempfile.mkdtemp(prefix="los-pytest-pg-", dir="/tmp"))
    try:
        if runner.user is not None:
            os.chown(base, runner.uid, runner.gid)  # mkdtemp gives 0700 root:root; hand it over
        data = base / "data"
        sockets = base / "sockets"
        _initdb(runner, base, data)
        sockets.mkdir()
        if runner.user is not None:
            os.chown(sockets, runner.uid, runner.gid)
        _configure(data, sockets)
        port = _start(runner, base, data)
        try:
            yield f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/postgres"
        finally:
            _stop(runner, base, data)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def create_database(admin_url: str, name: str) -> str:
    """Create a new empty database called `name` and return its URL, so a test gets a clean store.

    `name` must be a plain lower-case identifier; it is quoted into SQL, so it is checked first.
    Creating a name that already exists raises, rather than handing over a database with old data.
    """
    if not _DATABASE_NAME.fullmatch(name):
        raise ValueError(f"database name {name!r} must match {_DATABASE_NAME.pattern}")
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _major_version(bin_dir: Path) -> tuple[int, ...]:
    """Sort key for /usr/lib/postgresql/<version>/bin, so 16 beats 15 and 9.6."""
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name))


def _make_runner(bin_dir: Path) -> _Runner:
    """Run as ourselves, or as the `postgres` user when root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return _Runner(bin_dir, None, os.getuid(), os.getgid())
    try:
        account = pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresServerError(
            f"Running as root, but there is no `{SERVER_USER}` system user to run the test server as "
            "(initdb refuses root). Install the Debian package `postgresql`, which creates it."
        ) from None
    return _Runner(bin_dir, SERVER_USER, account.pw_uid, account.pw_gid)


def _clean_env() -> dict[str, str]:
    """The current environment without PG* variables, which would steer the tools elsewhere."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"  # the host locale may not exist; messages in English also help debugging
    env.pop("LANG", None)
    return env


def _initdb(runner: _Runner, base: Path, data: Path) -> None:
    """Create the cluster: trust auth, a known superuser name, no fsync while writing it."""
    result = runner.run(
        "initdb",
        "--pgdata",
        str(data),
        "--username",
        SUPERUSER,
        "--auth",
        "trust",
        "--encoding",
        "UTF8",
        "--locale",
        "C",
        "--no-sync",
        "--no-instructions",
        cwd=base,
    )
    if result.returncode != 0:
        raise PostgresServerError(f"initdb failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def _configure(data: Path, sockets: Path) -> None:
    """Append the test settings; the last value in postgresql.conf wins."""
    lines = [f"{key} = {value}" for key, value in _SETTINGS.items()]
    lines.append(f"unix_socket_directories = '{sockets}'")  # not /var/run/postgresql, which may not exist
    with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n# added by tests/postgres_server.py\n" + "\n".join(lines) + "\n")


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(runner: _Runner, base: Path, data: Path) -> int:
    """Start the server on a free port and wait until it accepts connections; return the port."""
    log = base / "server.log"
    failures = []
    for _ in range(START_ATTEMPTS):
        log.unlink(missing_ok=True)  # so each failure reports only its own attempt
        port = _free_port()
        result = runner.run(
            "pg_ctl",
            "start",
            "--pgdata",
            str(data),
            "--log",
            str(log),
            "--wait",
            "--timeout",
            str(START_TIMEOUT_SECONDS),
            "-o",
            f"-p {port}",
            cwd=base,
        )
        if result.returncode == 0:
            return port
        server_log = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        failures.append(f"port {port}: {result.stdout}{result.stderr}{server_log}")
        _stop(runner, base, data)  # in case pg_ctl timed out while the server was still coming up
    raise PostgresServerError("PostgreSQL test server did not start:\n" + "\n".join(failures))


def _stop(runner: _Runner, base: Path, data: Path) -> None:
    """Stop the server at once (`immediate`: no shutdown checkpoint, the data is discarded anyway)."""
    if not (data / "postmaster.pid").exists():
        return
    runner.run("pg_ctl", "stop", "--pgdata", str(data), "--mode", "immediate", "--wait", cwd=base)
