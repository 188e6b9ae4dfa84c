"""A throw-away PostgreSQL cluster for the test suite: initdb + pg_ctl in a temp dir.

PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` system user
(or `nobody`). Without PostgreSQL binaries the PostgreSQL runs skip, unless
CITEFLOW_TEST_REQUIRE_POSTGRES=1 (as in CI) makes that a failure.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg


def find_pg_bin() -> Path | None:
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as() -> tuple[list[str], int | None, int | None]:
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], entry.pw_uid, entry.pw_gid
    raise RuntimeError("running as root and neither a `postgres` nor a `nobody` user exists")


@contextmanager
def pg_cluster() -> Iterator[str]:
    """Start a cluster; yields a SQLAlchemy URL prefix `postgresql+psycopg://citeflow@127.0.0.1:PORT`."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL binaries (initdb, pg_ctl) not found")
    prefix, uid, gid = _run_as()
    root = Path(tempfile.mkdtemp(prefix="citeflow-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if uid is not None and gid is not None:
        for path in (root, sockets):
            os.chown(path, uid, gid)
    port = _free_port()
    try:
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "citeflow",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            cwd=root,
        )
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
            cwd=root,
        )
        try:
            yield f"postgresql+psycopg://citeflow@127.0.0.1:{port}"
        finally:
            subprocess.run(
                [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True,
                cwd=root,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def create_database(url_prefix: str, name: str) -> str:
    """Create database `name` in the cluster and return its SQLAlchemy URL."""
    plain = url_prefix.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{url_prefix}/{name}"
