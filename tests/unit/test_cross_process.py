"""State that replicas share must hold across processes, not only across threads: the sign-in
attempt counters and sessions (SQLite transactions), the user directory and the local audit log
(file locks), the cookie key (created once). Each test runs its writers in processes of their
own, started together, as replicas behind the proxy would run them."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bcrypt
import pytest

from services.audit import _append, _forwarder, verify_chain
from services.config import Settings, SourceConfig, cookie_key
from services.sessions import SessionStore
from services.users import (
    MAX_LOGIN_ATTEMPTS,
    Outcome,
    read_users,
    sign_in,
    update_users,
    write_users,
)

pytestmark = pytest.mark.unit

PROCESSES = 4
APPENDS = 300
NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
# Forked workers share no lock with each other or with this process (a thread lock is copied,
# not shared), only the files: as replicas do. Forked rather than spawned: a spawned worker
# imports pandas anew, ten times slower.
CONTEXT = multiprocessing.get_context("fork")


def _store(path: str) -> SessionStore:
    return SessionStore(Path(path), timedelta(minutes=30), timedelta(hours=12))


def _count_attempts(start, path: str, times: int, results) -> None:
    store = _store(path)
    start.wait()
    for _ in range(times):
        # A limit never reached: every call is one read-modify-write of the counter.
        store.reserve_attempt("anna", NOW, 10**9, timedelta(minutes=15))
    results.put(times)


def _wrong_password(start, store_path: str, users_path: str, results) -> None:
    store = _store(store_path)
    document = read_users(Path(users_path))
    start.wait()
    results.put(sign_in(document, store, "anna", "falsch", NOW, demo=False).outcome.value)


def _add_users(start, path: str, number: int, results) -> None:
    start.wait()
    for index in range(5):
        name = f"user{number}-{index}"
        update_users(
            Path(path),
            lambda doc, name=name: doc["credentials"]["usernames"].setdefault(
                name, {"roles": ["nurse"]}
            ),
        )
    results.put(number)


def _append_audit(start, path: str, number: int, results) -> None:
    start.wait()
    for index in range(APPENDS):
        _append(Path(path), {"resourceType": "AuditEvent", "id": f"{number}-{index}"})
    results.put(number)


def _read_key(start, directory: str, results) -> None:
    settings = Settings(
        sources=(SourceConfig(name="x", url="http://x"),),
        cookie_key_file=Path(directory) / "cookie_key",
    )
    start.wait()
    results.put(cookie_key(settings))


def _hold_forwarder(held, release, path: str) -> None:
    with _forwarder(Path(path)) as alone:
        assert alone
        held.set()
        release.wait(30)


def _together(target, args_of) -> list:
    """Run ``target(start, *args_of(i), results)`` in PROCESSES processes released together; what
    each put into ``results``. A worker that raised puts nothing, so the count tells."""
    start = CONTEXT.Barrier(PROCESSES)
    results = CONTEXT.Queue()
    workers = [
        CONTEXT.Process(target=target, args=(start, *args_of(i), results)) for i in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert all(worker.exitcode == 0 for worker in workers), [w.exitcode for w in workers]
    return [results.get(timeout=10) for _ in workers]


def test_attempts_counted_by_many_processes_are_all_counted(tmp_path):
    path = str(tmp_path / "sessions.sqlite")
    _store(path)
    _together(_count_attempts, lambda i: (path, 100))
    assert _store(path).failed_attempts("anna") == PROCESSES * 100


def test_wrong_passwords_sent_through_several_processes_lock_the_account_for_all(tmp_path):
    store_path, users_path = str(tmp_path / "sessions.sqlite"), tmp_path / "credentials.yaml"
    password = bcrypt.hashpw(b"Richtig-2026!", bcrypt.gensalt(4)).decode()
    entry = {"name": "Anna", "password": password, "roles": ["nurse"], "scope": {}}
    write_users(users_path, {"credentials": {"usernames": {"anna": entry}}})
    _store(store_path)
    outcomes = _together(_wrong_password, lambda i: (store_path, str(users_path)))
    outcomes += _together(_wrong_password, lambda i: (store_path, str(users_path)))
    # Counted before checked, across processes: five checks, then the lock for everyone.
    assert outcomes.count(Outcome.FAILED.value) == MAX_LOGIN_ATTEMPTS
    assert outcomes.count(Outcome.LOCKED.value) == 2 * PROCESSES - MAX_LOGIN_ATTEMPTS
    document = read_users(users_path)
    right = sign_in(document, _store(store_path), "anna", "Richtig-2026!", NOW, demo=False)
    assert right.outcome is Outcome.LOCKED


def test_user_directory_writers_in_many_processes_lose_nothing(tmp_path):
    path = tmp_path / "credentials.yaml"
    write_users(path, {"credentials": {"usernames": {}}})
    _together(_add_users, lambda i: (str(path), i))
    names = set(read_users(path)["credentials"]["usernames"])
    assert names == {f"user{n}-{i}" for n in range(PROCESSES) for i in range(5)}
    assert not list(tmp_path.glob("*.tmp"))


def test_the_audit_log_appended_by_many_processes_stays_one_chain(tmp_path):
    path = tmp_path / "audit.log"
    _together(_append_audit, lambda i: (str(path), i))
    check = verify_chain(path)
    assert check.ok and check.lines == PROCESSES * APPENDS


@pytest.mark.parametrize("start", range(10))
def test_replicas_starting_at_once_sign_with_one_cookie_key(tmp_path, start):
    keys = _together(_read_key, lambda i: (str(tmp_path),))
    assert len(set(keys)) == 1 and len(keys[0]) >= 32
    assert (tmp_path / "cookie_key").read_text() == keys[0]
    assert [p.name for p in tmp_path.iterdir()] == ["cookie_key"]


def test_one_process_forwards_the_audit_log_at_a_time(tmp_path):
    path = tmp_path / "audit.log"
    held, release = CONTEXT.Event(), CONTEXT.Event()
    holder = CONTEXT.Process(target=_hold_forwarder, args=(held, release, str(path)))
    holder.start()
    try:
        assert held.wait(60)
        with _forwarder(path) as alone:
            assert not alone
    finally:
        release.set()
        holder.join(60)
    assert holder.exitcode == 0
    with _forwarder(path) as alone:
        assert alone
