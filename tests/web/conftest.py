"""Fixtures for the service tests: a real uvicorn server on a free loopback port, on SQLite
and (marked ``postgres``) on a fresh PostgreSQL database, with one party per role."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from cvid.ledger import PartyKey, generate_party_key, sign_record
from cvid.web import Service, create_app

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
#: The ``cvid`` command of this environment.
CVID = str(Path(sys.executable).with_name("cvid"))
ROLES = ("inspectorate", "state", "observer", "admin")
PARTY_NAMES = {"inspectorate": "inspectors", "state": "dprk", "observer": "obs", "admin": "un"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThreadServer:
    """uvicorn serving an app in a thread of the test process."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            proxy_headers=False,  # as `cvid serve`: forwarded headers are the app's business
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


@dataclass
class Deployment:
    """A running service and one party of each role with its key and token."""

    url: str
    db: str
    admin_token: str
    keys: dict[str, PartyKey] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, role: str | None = None, token: str | None = None) -> httpx.Client:
        headers = {}
        tok = token if token is not None else (self.tokens[role] if role else None)
        if tok is not None:
            headers["Authorization"] = f"Bearer {tok}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def sign(self, role: str, record: dict[str, Any]) -> dict[str, Any]:
        return sign_record(record, self.keys[role])


def login(c: httpx.Client, token: str, next: str = "/") -> httpx.Response:
    """Log in through the login form as a browser does: load the form (its anti-forgery value
    and cookie), then post the token with it."""
    import re

    page = c.get("/login")
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert m, "no anti-forgery value in the login form"
    return c.post("/login", data={"token": token, "next": next, "csrf": m.group(1)})


def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


@contextlib.contextmanager
def new_pg_database(prefix: str) -> Iterator[str]:
    """The URL of a new PostgreSQL database named ``prefix_<random>``, dropped afterwards."""
    if not pg_available():
        pytest.skip(f"PostgreSQL at {PG_ADMIN_URL} does not answer")
    import psycopg

    name = f"{prefix}_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """A new PostgreSQL database for this test module, dropped afterwards."""
    with new_pg_database("cvid_web") as url:
        yield url


def serve(db: str | Path, port: int, *extra: str) -> subprocess.Popen[str]:
    """``cvid serve`` on ``db`` in a subprocess, returned once its health check answers."""
    proc = subprocess.Popen(
        [CVID, "serve", "--db", str(db), "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
            return proc
        except httpx.TransportError:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
    raise AssertionError("cvid serve did not start")


def stop(proc: subprocess.Popen[str]) -> str:
    """Stop a :func:`serve` process as Ctrl-C does; everything it wrote (stdout, stderr)."""
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    return out + err


def start_deployment(
    db: str, log_key: Path | None, **app_kwargs: Any
) -> tuple[ThreadServer, Deployment]:
    svc = Service(db, log_key=log_key)
    admin_token = svc.ensure_admin("root") or ""
    app = create_app(db, log_key=log_key, service=svc, **app_kwargs)
    server = ThreadServer(app).__enter__()
    dep = Deployment(server.url, db, admin_token)
    with dep.client(token=admin_token) as c:
        for role in ROLES:
            key = generate_party_key(PARTY_NAMES[role], role)
            r = c.post(
                "/api/v1/parties",
                json={"name": key.name, "role": role, "public_key": key.public.public_key_b64},
            )
            assert r.status_code == 201, r.text
            dep.keys[role] = key
            dep.tokens[role] = r.json()["token"]
    return server, dep


@pytest.fixture(scope="module")
def sqlite_dep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    db = str(tmp_path_factory.mktemp("web") / "service.db")
    server, dep = start_deployment(db, None)
    try:
        yield dep
    finally:
        server.__exit__()


@pytest.fixture(scope="module")
def pg_dep(pg_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    key = tmp_path_factory.mktemp("pgkey") / "log.key"
    server, dep = start_deployment(pg_database, key)
    try:
        yield dep
    finally:
        server.__exit__()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def dep(request: pytest.FixtureRequest) -> Deployment:
    """The service on SQLite, then on PostgreSQL."""
    name = "sqlite_dep" if request.param == "sqlite" else "pg_dep"
    d: Deployment = request.getfixturevalue(name)
    return d


def inspection(site: str = "yongbyon", when: str = "2019-03-01T10:00:00Z") -> dict[str, Any]:
    return {
        "kind": "inspection",
        "agreement": "test-agreement",
        "time": when,
        "refs": {"commitments": ["c1"], "items": [site]},
        "payload": {"site": site, "started": when, "access": "full"},
    }


def declaration() -> dict[str, Any]:
    return {
        "kind": "declaration",
        "agreement": "test-agreement",
        "time": "2019-02-01T00:00:00Z",
        "refs": {"commitments": ["c0"], "items": []},
        "payload": {
            "declared": [{"item": "yongbyon", "category": "facility"}],
            "complete": True,
        },
    }
