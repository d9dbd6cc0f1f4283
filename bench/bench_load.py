"""Many signed-in users at once: page-settle times, FHIR traffic, memory and CPU of one dashboard.

For each N of ``--sessions`` the benchmark starts a dashboard process of its own (the app as
``streamlit run`` starts it) behind a counting proxy in front of the FHIR server, opens N browser
contexts in one headless Chromium (Debian's), signs each in through the sign-in form and lets it
follow its role's script with think times until ``--seconds`` of steady state have passed:

- nurse: task list; claim a task of her ward, complete it, undo the completion; bed board (its
  bed grid), shift handover, then idle on the task list (its 60-s refresh runs)
- physician: start page (worklist), my patients, patient search by KVNR, open the record, switch
  its tabs (cumulative labs, vitals and labs, tables, medication), then think
- manager: capacity, trends, forecast
- admin: audit trail

Think times per role are in ``THINK`` (seconds, times ``--think-scale``).

A page has settled when the browser receives Streamlit's "script finished" message for the run
the click started; a run that shows an exception or an error alert, or does not finish within
60 s, is an error. FHIR requests are counted at the proxy, by what they ask for and by the step
under way when they arrived; "steady state" starts when every session has finished its first
pass. RSS and CPU come from psutil (the dashboard process; the
FHIR server found by its listening port). Everything runs on local addresses, is bounded in
count and time, and stops what it started.

With ``--analytics store`` (the default, as ``make run`` runs) the manager pages read the Parquet
store: before each level one ``services.sync`` brings a store of the run's own up to date from the
FHIR server directly (not through the counting proxy: the export is the sync's traffic, not a
page view's). ``--analytics search`` measures the pages searching instead.

    .venv/bin/python bench/bench_load.py --base http://localhost:8091/fhir --sessions 1,5,10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.floor import bench_source  # noqa: E402
from demo_data.users import DEMO_PASSWORDS, write_demo_users  # noqa: E402
from services.config import Settings  # noqa: E402
from services.i18n import t  # noqa: E402
from services.source_auth import auth_for  # noqa: E402
from services.users import read_users  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
LOCAL = {"localhost", "127.0.0.1", "::1"}
SETTLE_TIMEOUT = 60.0
# Red boxes that are the patient's, not the app's: a high-criticality allergy, an isolation flag.
CLINICAL_ALERTS = tuple(f"**{t(key)}:**" for key in ("safety.allergies", "safety.flags"))
# Roles in the proportions of a ward floor at shift change: mostly nurses.
ROLE_CYCLE = ("nurse", "physician", "nurse", "manager", "nurse", "physician", "nurse", "admin")
USERS = {
    "nurse": ("pflege.demo", "pflege2.demo"),
    "physician": ("arzt.demo", "arzt2.demo"),
    "manager": ("management.demo",),
    "admin": ("admin.demo",),
}


class Proxy(ThreadingHTTPServer):
    """Forwards every request to the FHIR server and counts them by method."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, upstream: str) -> None:
        super().__init__(("127.0.0.1", port), _Forward)
        self.upstream = upstream.rstrip("/")
        self.upstream_path = urlsplit(self.upstream).path
        self.client = httpx.Client(timeout=120, limits=httpx.Limits(max_connections=64))
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {"GET": 0, "write": 0, "bytes": 0}
        # (monotonic time, method, what was asked: "Task search", "Patient read", "next page")
        self.log: list[tuple[float, str, str]] = []

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.counts)


def request_kind(path: str) -> str:
    """What a FHIR request asks for, without ids or values: the breakdown's key."""
    route, _, query = path.partition("?")
    if "_getpages=" in query or route.strip("/") == "":
        return "next page" if "_getpages=" in query else "batch"
    parts = [p for p in route.split("/") if p]
    if parts[-1] == "_search":
        parts = parts[:-1]
    if len(parts) == 1:
        return f"{parts[0]} search"
    if parts[0].startswith("$") or parts[-1].startswith("$"):
        return " ".join(parts[:1] + [p for p in parts if p.startswith("$")])
    return f"{parts[0]} read"


class _Forward(BaseHTTPRequestHandler):
    server: Proxy
    protocol_version = "HTTP/1.1"

    def _forward(self) -> None:
        proxy = self.server
        path = self.path.removeprefix(proxy.upstream_path)
        with proxy.lock:
            proxy.counts["GET" if self.command == "GET" else "write"] += 1
            proxy.log.append((time.monotonic(), self.command, request_kind(path)))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        keep = ("accept", "content-type", "if-match", "cache-control", "prefer", "authorization")
        headers = {k: v for k, v in self.headers.items() if k.lower() in keep}
        # The server builds its next links from the Host it was asked under: the proxy's.
        headers["Host"] = self.headers.get("Host", "")
        upstream = proxy.upstream + path
        try:
            response = proxy.client.request(self.command, upstream, content=body, headers=headers)
        except httpx.HTTPError:
            self.send_error(502)
            return
        with proxy.lock:
            proxy.counts["bytes"] += len(response.content)
        self.send_response(response.status_code)
        for name in ("content-type", "etag", "location", "content-location", "last-modified"):
            if name in response.headers:
                self.send_header(name, response.headers[name])
        self.send_header("Content-Length", str(len(response.content)))
        self.end_headers()
        self.wfile.write(response.content)

    do_GET = do_POST = do_PUT = do_DELETE = _forward

    def log_message(self, *args: object) -> None:
        return


@dataclass
class View:
    role: str
    page: str
    seconds: float | None
    error: str | None
    steady: bool
    # Of ``seconds``, how long the browser took to do the step (find, wait for, click) and
    # until the page sent its request to the dashboard (the rest is the dashboard's run).
    action_s: float | None = None
    request_s: float | None = None
    # "run": the step reruns the page's script; "tab": a tab switch the browser does alone.
    kind: str = "run"
    started: float = 0.0
    ended: float = 0.0


@dataclass
class Session:
    """One browser context: its Streamlit messages, decoded as they arrive."""

    role: str
    username: str
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    # Set while no script runs: a user waits for the page before the next click (a link clicked
    # while a run is still going can be lost).
    idle: asyncio.Event = field(default_factory=asyncio.Event)
    errors: list[str] = field(default_factory=list)
    refreshes: int = 0
    warm: bool = False
    workdir: Path = Path(tempfile.gettempdir())
    screenshots: int = 2
    # Every WebSocket the page opened: more than one is a reconnect.
    sockets: list[float] = field(default_factory=list)
    closed: list[float] = field(default_factory=list)
    first_page: tuple[float, float] | None = None
    sent: list[float] = field(default_factory=list)

    def on_frame(self, payload: bytes | str) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, str):
            return
        message = ForwardMsg()
        try:
            message.ParseFromString(payload)
        except Exception:  # a frame that is not a ForwardMsg is no finished run
            return
        kind = message.WhichOneof("type")
        if kind == "session_status_changed":
            if message.session_status_changed.script_is_running:
                self.idle.clear()
            else:
                self.idle.set()
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            which = element.WhichOneof("type")
            if which == "exception":
                self.errors.append(f"exception: {element.exception.type}")
            elif (
                which == "alert"
                and element.alert.format == element.alert.ERROR
                and not element.alert.body.startswith(CLINICAL_ALERTS)
            ):
                self.errors.append(f"error alert: {element.alert.body[:80]}")
        elif kind == "script_finished":
            status = message.script_finished
            if status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                self.refreshes += 1
            elif status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                self.finished.set()


async def settle(
    session: Session,
    page,
    action,
    name: str,
    views: list[View],
    steady,
    kind: str = "run",
    wait_idle: bool = True,
) -> None:
    """Do ``action`` and time it until the run it starts has finished (``kind`` "run"), or
    until the action itself has seen its result on the page ("shown": a button in a fragment,
    whose rerun is no finished run of the page; "tab": the browser switches tabs alone)."""
    if wait_idle:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(session.idle.wait(), SETTLE_TIMEOUT)
    session.finished.clear()
    errors_before = len(session.errors)
    started = time.monotonic()
    error = acted = None
    try:
        outcome = await action()
        if outcome is SKIP:
            return
        if outcome is CONFLICT:
            name += "_conflict"
        acted = time.monotonic() - started
        if kind == "run":
            await asyncio.wait_for(session.finished.wait(), SETTLE_TIMEOUT)
        seconds = time.monotonic() - started
    except Exception as exc:  # every failure of a step is a measured error
        first = next(iter(str(exc).splitlines()), "")
        seconds, error = None, f"{type(exc).__name__}: {first[:120]}"
    if error is None and len(session.errors) > errors_before:
        error = session.errors[-1]
    if error is not None:
        with contextlib.suppress(Exception):
            if await page.get_by_label("Passwort").count():
                error += " (sign-in form on screen)"
    if error is not None and session.screenshots:
        # What the user saw when it failed, for the first few failures of a session.
        session.screenshots -= 1
        shot = session.workdir / f"error-{session.username}-{name}-{int(time.time())}.png"
        with contextlib.suppress(Exception):
            await page.screenshot(path=str(shot))
    request = next((t - started for t in session.sent if t >= started), None)
    ended = time.monotonic()
    views.append(
        View(session.role, name, seconds, error, steady(), acted, request, kind, started, ended)
    )


# Think times in seconds after each step, per role, before ``--think-scale``: a few seconds to
# read a page within a pass, then the long pause that makes a pass last what it does on a ward.
# A nurse works a task, glances at the beds and the handover, then leaves the task list open
# (its 60-s refresh runs twice); a physician looks at the worklist, opens a patient, reads the
# record's tabs and opens the next one about four minutes later; a manager reads each figure
# for a minute or two; an administrator looks at the audit trail every few minutes.
THINK = {
    "nurse": {"read": 5, "claim": 2, "complete": 0.5, "undo": 5, "idle": 150},
    "physician": {"read": 15, "search": 5, "tab": 10, "idle": 150},
    "manager": {"read": 30, "idle": 120},
    "admin": {"idle": 180},
}
# The undo window of a completion (``Settings.undo_seconds``): the nurse takes it back in it.
UNDO_BY = 10.0


# What an action returns when it had nothing to do (no task claimed, so none to complete),
# and when its write lost a race with another session (shown, not an error).
SKIP = object()
CONFLICT = object()


@dataclass
class Step:
    page: str
    action: Callable
    think: float
    kind: str = "run"
    # The undo is clicked while its countdown fragment reruns every second: no waiting for quiet.
    wait_idle: bool = True


def key_class(key: str) -> str:
    """The CSS class Streamlit gives the element of widget ``key``."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key)


def nurse_task_steps(page, think: dict[str, float], rng: random.Random) -> list[Step]:
    """Claim a task of the ward on screen that is not hers, complete it, take the completion
    back: the ward keeps its open tasks however long the run lasts (a completion undone leaves
    the task claimed by her; the next pass claims another or a colleague's, after asking)."""
    chosen: dict[str, str] = {}

    async def holder_class(target) -> str:
        holder = target.locator("xpath=ancestor::*[contains(@class,'st-key-nurse-')][1]")
        return await holder.get_attribute("class") or ""

    def button(action: str, task_id: str, extra: str = "") -> object:
        return page.locator(f'[class~="{key_class(f"nurse.{action}.{task_id}")}"] button{extra}')

    async def claim() -> object:
        tasks = page.locator('[class*="st-key-nurse-complete-"] button')
        await tasks.first.wait_for()
        free = page.locator('[class*="st-key-nurse-claim-"] button:not([disabled])')
        if not await free.count():
            # Every task of the ward is hers already: she completes one of her own instead.
            target = tasks.nth(rng.randrange(await tasks.count()))
            found = re.search(r"st-key-nurse-complete-(\S+)", await holder_class(target))
            if found is None:
                raise RuntimeError("no task on the list")
            chosen["id"] = found.group(1)
            return SKIP
        # Any of them: nurses of one ward do not all reach for the same task.
        target = free.nth(rng.randrange(await free.count()))
        found = re.search(r"st-key-nurse-claim-(\S+)", await holder_class(target))
        if found is None:
            raise RuntimeError("no task to claim")
        task_id = chosen["id"] = found.group(1)
        await target.click()
        done = button("claim", task_id, "[disabled]")
        asked = button("confirm", task_id)
        lost = button("dismiss", task_id)
        await done.or_(asked).or_(lost).first.wait_for()
        if await asked.count():
            # A colleague's task: the page asks before taking it over.
            await asked.click()
            await done.or_(lost).first.wait_for()
        if await lost.count():
            # Another session wrote the task first (409/412): the page says so and keeps the
            # task aside; the nurse reads it, dismisses it and goes on.
            chosen.pop("id", None)
            await lost.click()
            await lost.wait_for(state="detached")
            return CONFLICT
        return None

    async def complete() -> object:
        if "id" not in chosen:
            return SKIP
        task_id = chosen["id"]
        await button("complete", task_id).click()
        offered = page.locator(f'[class~="{key_class("nurse.undo.button")}"] button')
        lost = button("dismiss", task_id)
        await offered.or_(lost).first.wait_for()
        if await lost.count():
            chosen.pop("id", None)
            await lost.click()
            await lost.wait_for(state="detached")
            return CONFLICT
        chosen["completed"] = str(time.monotonic())
        return None

    async def undo() -> object:
        chosen.pop("id", None)
        if "completed" not in chosen:
            return SKIP
        if time.monotonic() - float(chosen.pop("completed")) > UNDO_BY:
            raise RuntimeError("undo window passed before the click")
        await page.locator(f'[class~="{key_class("nurse.undo.button")}"] button').click()
        return None

    return [
        Step("claim", claim, think["claim"], "shown"),
        Step("complete", complete, think["complete"], "shown"),
        Step("undo", undo, think["undo"], wait_idle=False),
    ]


def script(role: str, page, kvnr: str, scale: float, rng: random.Random) -> list[Step]:
    """The role's steps for one pass; the last one's think time ends the pass."""
    think = {k: v * scale for k, v in THINK[role].items()}

    def link(key: str):
        # A menu link's name starts with its icon's ligature ("local_hospital Kapazität").
        name = re.compile(rf"(^|\s){re.escape(t(key))}$")
        # The page's address: its file's name, the start page the root.
        path = "" if key == "page.home" else key.removeprefix("page.")
        there = re.compile(rf"^https?://[^/]+/{path}(\?.*)?$")

        async def go() -> None:
            # A click that lands while the page is still being redrawn can go unheard; a user
            # who sees the page not change clicks again.
            # The address changes once the dashboard answers: on a loaded machine that takes
            # more than a few seconds, so the click is repeated only after 20 s.
            for _ in range(3):
                await page.get_by_role("link", name=name).click()
                with contextlib.suppress(Exception):
                    await page.wait_for_url(there, timeout=20_000)
                    return
            raise RuntimeError(f"menu link {t(key)} did not open its page")

        return go

    if role == "nurse":
        return [
            Step("tasks", link("page.tasks"), think["read"]),
            *nurse_task_steps(page, think, rng),
            # The bed grid is the board's default view.
            Step("bed_board", link("page.bed_board"), think["read"]),
            Step("handover", link("page.handover"), think["read"]),
            # Idle on the task list: its 60-s fragment refresh runs.
            Step("tasks", link("page.tasks"), think["idle"]),
        ]
    if role == "physician":

        async def search() -> None:
            await page.get_by_label(t("search.identifier")).fill(kvnr)
            await page.get_by_role("button", name=t("search.submit")).click()

        async def open_row() -> None:
            # The result grid is drawn on a canvas: a click on its first data row opens it.
            grid = page.locator('[data-testid="stDataFrame"]').first
            await grid.wait_for()
            box = await grid.bounding_box()
            await page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)

        def tab(key: str):
            async def switch() -> None:
                await page.get_by_role("tab", name=t(key)).click()
                await page.get_by_role("tab", name=t(key), selected=True).wait_for()

            return switch

        return [
            # The start page is the worklist by urgency.
            Step("home", link("page.home"), think["read"]),
            Step("my_patients", link("page.my_patients"), think["read"]),
            Step("patient_search", link("page.patient_search"), think["search"]),
            Step("search", search, think["search"]),
            Step("timeline", open_row, think["tab"]),
            Step("tab_labs", tab("timeline.tab.labs"), think["tab"], "tab"),
            Step("tab_trends", tab("timeline.tab.trends"), think["tab"], "tab"),
            Step("tab_tables", tab("timeline.tab.tables"), think["tab"], "tab"),
            Step("tab_medication", tab("timeline.tab.medication"), think["idle"], "tab"),
        ]
    if role == "manager":
        return [
            Step("capacity", link("page.capacity"), think["read"]),
            Step("trends", link("page.trends"), think["read"]),
            Step("forecast", link("page.forecast"), think["idle"]),
        ]
    return [Step("audit", link("page.audit"), think["idle"])]


async def pause(seconds: float, limits: dict[str, float]) -> None:
    """Think time, cut short when the run's deadline moves before its end."""
    until = time.monotonic() + seconds
    while (now := time.monotonic()) < min(until, limits["deadline"]):
        await asyncio.sleep(min(1.0, until - now))


async def run_session(
    browser,
    url: str,
    session: Session,
    kvnr: str,
    limits: dict[str, float],
    views,
    steady,
    rng,
    scale: float = 1.0,
) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    page = await context.new_page()
    page.set_default_timeout(SETTLE_TIMEOUT * 1000)

    def opened(ws) -> None:
        session.sockets.append(time.monotonic())
        ws.on("framereceived", session.on_frame)
        ws.on("framesent", lambda _: session.sent.append(time.monotonic()))
        ws.on("close", lambda _: session.closed.append(time.monotonic()))

    page.on("websocket", opened)
    try:
        session.finished.clear()
        began = time.monotonic()
        await page.goto(url)
        await asyncio.wait_for(session.finished.wait(), SETTLE_TIMEOUT)
        # The first page: the browser's share (page and scripts loaded, WebSocket open) and
        # the dashboard's (session created, first run done).
        session.first_page = (session.sockets[0] - began, time.monotonic() - session.sockets[0])

        async def sign_in() -> None:
            await page.get_by_label("Benutzername").fill(session.username)
            await page.get_by_label("Passwort").fill(DEMO_PASSWORDS[session.username])
            await page.get_by_role("button", name="Anmelden").click()
            # Settled once signed in: a finished run of the form alone is no sign-in.
            await page.get_by_text("Angemeldet:").wait_for()

        await settle(session, page, sign_in, "sign_in", views, steady)
        while time.monotonic() < limits["deadline"]:
            steps = script(session.role, page, kvnr, scale, rng)
            for i, step in enumerate(steps):
                if time.monotonic() >= limits["deadline"]:
                    break
                await settle(
                    session, page, step.action, step.page, views, steady, step.kind, step.wait_idle
                )
                # The pass's last pause (idling) is part of the steady state, not of the first pass.
                session.warm = session.warm or i == len(steps) - 1
                await pause(step.think * rng.uniform(0.85, 1.3), limits)
            session.warm = True
    except Exception as exc:  # a session that cannot start is one error
        where = "first page" if session.first_page is None else "start"
        line = traceback.format_exception(exc)[-2].strip().replace("\n", " ")[:160]
        views.append(View(session.role, where, None, f"{type(exc).__name__} at {line}", steady()))
    finally:
        session.warm = True
        await context.close()


def listening_process(port: int) -> psutil.Process | None:
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            return psutil.Process(conn.pid)
    return None


@dataclass
class Dashboard:
    """The dashboard under load: one process, or K replicas behind nginx."""

    url: str
    processes: list[psutil.Process]
    # Each process by its own address: the warm-up opens a page on every one.
    direct: list[str]
    stop: Callable[[], None]

    def rss(self) -> int:
        return sum(p.memory_info().rss for p in self.processes)

    def cpu(self) -> float:
        return sum(cpu_seconds(p) or 0.0 for p in self.processes)


def dashboard_env(fhir_url: str, workdir: Path, users: Path) -> dict[str, str]:
    store = workdir / "store"
    analytics = {"MEDICUS_ANALYTICS": "store", "MEDICUS_STORE_DIR": str(store)}
    return {
        **(analytics if store.exists() else {}),
        "MEDICUS_FHIR_URL": fhir_url,
        "MEDICUS_USERS_FILE": str(users),
        "MEDICUS_AUDIT_LOG": str(workdir / "audit.log"),
        "MEDICUS_COOKIE_KEY": "load-benchmark-only-cookie-key-32chars",
        # The demo sign-ins are refused unless the demo is on; a session store of the run's own.
        "MEDICUS_DEMO": "1",
        "MEDICUS_SESSION_DB": str(workdir / "sessions.sqlite"),
    }


def start_dashboard(port: int, fhir_url: str, workdir: Path, users: Path) -> Dashboard:
    log = (workdir / f"streamlit-{port}.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - our own app
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env={**os.environ, **dashboard_env(fhir_url, workdir, users)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    (workdir / "dashboard.pid").write_text(str(process.pid))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status_code == 200:
                url = f"http://localhost:{port}"
                return Dashboard(url, [psutil.Process(process.pid)], [url], lambda: stop(process))
        except httpx.TransportError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"dashboard did not start; see {log.name}")


def start_replicas(k: int, port: int, fhir_url: str, workdir: Path, users: Path) -> Dashboard:
    """``make run-replicas`` (scripts/replicas.sh): nginx on ``port``, the replicas on the K
    ports above it, every setting as for one dashboard."""
    run_dir = workdir / f"replicas-{time.monotonic_ns()}"
    env = {
        **os.environ,
        **dashboard_env(fhir_url, workdir, users),
        "REPLICAS": str(k),
        "PROXY_PORT": str(port),
        "REPLICA_PORT": str(port),
        "RUN_DIR": str(run_dir),
    }
    script = [str(ROOT / "scripts" / "replicas.sh")]

    def run(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own script with a fixed argument
            [*script, command], env=env, capture_output=True, text=True, timeout=300, check=False
        )

    started = run("start")
    if started.returncode != 0:
        run("stop")
        raise RuntimeError(f"replicas did not start:\n{started.stderr}")
    ports = [int(p) for p in (run_dir / "ports").read_text().split()]
    processes = [psutil.Process(int((run_dir / f"replica-{p}.pid").read_text())) for p in ports]
    direct = [f"http://127.0.0.1:{p}" for p in ports]
    return Dashboard(f"http://localhost:{port}", processes, direct, lambda: run("stop"))


def sync_store(base: str, workdir: Path) -> float:
    """One sync of the run's store from ``base`` (the dashboard client's token, from the
    environment as for the dashboard); returns its seconds."""
    store = workdir / "store"
    store.mkdir(exist_ok=True)
    env = {**os.environ, "MEDICUS_FHIR_URL": base, "MEDICUS_STORE_DIR": str(store)}
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "services.sync"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the store's sync failed:\n{done.stderr[-2000:]}")
    return time.monotonic() - began


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


async def warm_up(browser, dashboard: Dashboard) -> float:
    """One page on every dashboard process before the clock runs, as a running deployment is
    warm (modules imported, pages registered); returns the slowest cold first page, seconds."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    slowest = 0.0
    for url in dashboard.direct:
        context = await browser.new_context()
        page = await context.new_page()
        done = asyncio.Event()

        def heard(payload: bytes | str, done: asyncio.Event = done) -> None:
            message = ForwardMsg()
            with contextlib.suppress(Exception):
                message.ParseFromString(payload)
                if message.WhichOneof("type") == "script_finished":
                    done.set()

        page.on("websocket", lambda ws, heard=heard: ws.on("framereceived", heard))
        began = time.monotonic()
        try:
            await page.goto(url)
            await asyncio.wait_for(done.wait(), 120)
        finally:
            await context.close()
        slowest = max(slowest, time.monotonic() - began)
    return slowest


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cpu_seconds(process: psutil.Process | None) -> float | None:
    if process is None:
        return None
    times = process.cpu_times()
    return times.user + times.system


async def one_level(n: int, args, users: Path, kvnrs: dict[str, str], workdir: Path) -> dict:
    from playwright.async_api import async_playwright

    proxy = Proxy(args.proxy_port, args.base)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    proxy_url = f"http://127.0.0.1:{args.proxy_port}{urlsplit(args.base).path}"
    if args.replicas > 1:
        dashboard = start_replicas(args.replicas, args.port, proxy_url, workdir, users)
    else:
        dashboard = start_dashboard(args.port, proxy_url, workdir, users)
    fhir = listening_process(urlsplit(args.base).port or 80)
    kept = restore_point(args.base)
    rss_idle = dashboard.rss()
    sessions = [
        Session(role, USERS[role][i // len(ROLE_CYCLE) % len(USERS[role])], workdir=workdir)
        for i, role in enumerate(ROLE_CYCLE[i % len(ROLE_CYCLE)] for i in range(n))
    ]
    views: list[View] = []
    marks: dict[str, object] = {}
    rss_peak = rss_idle

    def steady() -> bool:
        return "start" in marks

    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            cold_first_page = await warm_up(browser, dashboard)
            level_start = (time.monotonic(), dashboard.cpu(), cpu_seconds(fhir))
            # Every session stops here; moved closer once all are warm.
            limits = {"deadline": time.monotonic() + args.warmup_limit + args.seconds}
            url = dashboard.url
            tasks = [
                asyncio.create_task(
                    run_session(
                        browser,
                        url,
                        s,
                        kvnrs.get(s.username, ""),
                        limits,
                        views,
                        steady,
                        random.Random(i),
                        args.think_scale,
                    )
                )
                for i, s in enumerate(sessions)
            ]
            while not all(t.done() for t in tasks):
                await asyncio.sleep(1)
                rss_peak = max(rss_peak, dashboard.rss())
                if "start" not in marks and all(s.warm for s in sessions):
                    marks["start"] = (time.monotonic(), proxy.snapshot(), len(views))
                    marks["cpu_app"], marks["cpu_fhir"] = dashboard.cpu(), cpu_seconds(fhir)
                    limits["deadline"] = min(limits["deadline"], time.monotonic() + args.seconds)
            ended = time.monotonic()
            end_counts, cpu_app, cpu_fhir = proxy.snapshot(), dashboard.cpu(), cpu_seconds(fhir)
            rss_end = dashboard.rss()
            await browser.close()
    finally:
        dashboard.stop()
        proxy.shutdown()
        proxy.server_close()
        proxy.client.close()
        restored = put_back(args.base, kept)

    wall = ended - level_start[0]
    whole = {
        "wall_s": round(wall, 1),
        "dashboard_cores": round((cpu_app - level_start[1]) / wall, 2),
        "fhir_cores": None if fhir is None else round((cpu_fhir - level_start[2]) / wall, 2),
    }
    steady_views = [
        v for v in views if v.steady and v.kind != "tab" and v.page not in ("sign_in", "start")
    ]
    breakdown: dict[str, dict[str, float]] = {"by_request": {}, "by_page": {}}
    if "start" in marks:
        t0, counts0, _ = marks["start"]
        window = ended - t0
        reads = end_counts["GET"] - counts0["GET"]
        writes = end_counts["write"] - counts0["write"]
        kilobytes = round((end_counts["bytes"] - counts0["bytes"]) / 1024)
        breakdown = read_breakdown(proxy.log, views, marks["start"][0], ended)
        cpu = {
            "dashboard_s": round(cpu_app - marks["cpu_app"], 1),
            "fhir_s": None if cpu_fhir is None else round(cpu_fhir - marks["cpu_fhir"], 1),
        }
    else:
        window, reads, writes, kilobytes, cpu = 0.0, None, None, None, {}
    per_page = {}
    for name in sorted({v.page for v in views}):
        mine = [v for v in views if v.page == name]
        warm = [v.seconds for v in mine if v.steady and v.seconds is not None]
        cold = [v.seconds for v in mine if not v.steady and v.seconds is not None]
        per_page[name] = {
            "views": len(mine),
            "steady_views": len(warm),
            "p50_s": percentile(warm, 0.5),
            "p95_s": percentile(warm, 0.95),
            "warmup_p50_s": percentile(cold, 0.5),
            "warmup_p95_s": percentile(cold, 0.95),
            # Of the steady settle time, the browser's share until it sent the request.
            "browser_p50_s": percentile(
                [v.request_s for v in mine if v.steady and v.seconds and v.request_s is not None],
                0.5,
            ),
            "errors": sum(v.error is not None for v in mine),
        }
    return {
        "sessions": n,
        "replicas": max(1, args.replicas),
        "cold_first_page_s": round(cold_first_page, 1),
        "roles": {r: sum(s.role == r for s in sessions) for r in USERS},
        "steady_seconds": round(window, 1),
        "pages": per_page,
        "errors": sorted({v.error for v in views if v.error}),
        "error_count": sum(v.error is not None for v in views),
        "views_total": len(views),
        "steady_views": len(steady_views),
        "refreshes": sum(s.refreshes for s in sessions),
        "reconnects": sum(max(0, len(s.sockets) - 1) for s in sessions),
        "first_page": {
            "browser_p50_s": percentile([s.first_page[0] for s in sessions if s.first_page], 0.5),
            "browser_p95_s": percentile([s.first_page[0] for s in sessions if s.first_page], 0.95),
            "dashboard_p50_s": percentile([s.first_page[1] for s in sessions if s.first_page], 0.5),
            "dashboard_p95_s": percentile(
                [s.first_page[1] for s in sessions if s.first_page], 0.95
            ),
            "not_loaded": sum(s.first_page is None for s in sessions),
        },
        "tab_switches": sum(v.kind == "tab" and v.steady for v in views),
        "fhir_reads_steady": reads,
        # Which requests, and which role's page caused them, in the steady window.
        "reads_by_request": breakdown["by_request"],
        "reads_by_page": breakdown["by_page"],
        "fhir_writes_steady": writes,
        # Tasks and beds the level changed, written back as they were after it.
        "restored": restored,
        "fhir_kb_steady": kilobytes,
        "reads_per_view": round(reads / len(steady_views), 2) if steady_views and reads else 0,
        "rss_idle_mb": round(rss_idle / 2**20, 1),
        "rss_peak_mb": round(rss_peak / 2**20, 1),
        "rss_end_mb": round(rss_end / 2**20, 1),
        "rss_per_session_mb": round((rss_peak - rss_idle) / 2**20 / n, 1),
        "cpu": cpu,
        "whole_run": whole,
        "views": [asdict(v) for v in views],
    }


def read_breakdown(
    log: list[tuple[float, str, str]], views: list[View], start: float, end: float
) -> dict[str, dict[str, float]]:
    """The steady window's FHIR reads by what they asked for and by the step that caused them.

    The proxy cannot see the user: a read is laid to the steps (role/page) whose run was under
    way when it arrived, shared equally when several were; one while none was is a fragment's
    own refresh (the nurses' 60-s task list and bed board) or other background work."""
    runs = [v for v in views if v.kind != "tab" and v.ended >= start and v.started <= end]
    by_request: dict[str, float] = {}
    by_page: dict[str, float] = {}
    for moment, method, what in log:
        if method != "GET" or not start <= moment <= end:
            continue
        by_request[what] = by_request.get(what, 0) + 1
        causes = [f"{v.role}/{v.page}" for v in runs if v.started <= moment <= v.ended]
        for cause in causes or ["(refresh or background)"]:
            by_page[cause] = by_page.get(cause, 0) + 1 / len(causes or [0])

    def ordered(counts: dict[str, float]) -> dict[str, float]:
        return {k: round(v, 1) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}

    return {"by_request": ordered(by_request), "by_page": ordered(by_page)}


# What the nurses' writes change: tasks (claim, complete, undo) and beds (a cleaning completed).
RESTORED = ("Task", "Location")


def restore_point(base: str) -> dict[str, dict]:
    """Every Task and Location as the server holds them before a level, read past the proxy."""
    kept = {}
    with httpx.Client(auth=auth_for(bench_source(base)), timeout=120) as client:
        for kind in RESTORED:
            url: str | None = f"{base}/{kind}?_count=500"
            while url:
                bundle = client.get(url, headers={"Cache-Control": "no-cache"}).json()
                for entry in bundle.get("entry", []):
                    resource = entry["resource"]
                    kept[f"{kind}/{resource['id']}"] = resource
                url = next(
                    (link["url"] for link in bundle.get("link", []) if link["relation"] == "next"),
                    None,
                )
    return kept


def put_back(base: str, kept: dict[str, dict]) -> int:
    """Every kept resource the level changed, written back as it was (owners, states, beds):
    the next level and the next run find the ward's work as this one did. Returns how many."""
    now = restore_point(base)
    changed = [
        path
        for path, resource in kept.items()
        if path in now and now[path]["meta"]["versionId"] != resource["meta"]["versionId"]
    ]
    with httpx.Client(auth=auth_for(bench_source(base)), timeout=120) as client:
        for path in changed:
            body = {k: v for k, v in kept[path].items() if k != "meta"}
            client.put(
                f"{base}/{path}", json=body, headers={"Content-Type": "application/fhir+json"}
            ).raise_for_status()
    return len(changed)


def physician_kvnrs(base: str, users: Path) -> dict[str, str]:
    """A patient of each physician's own hospital, found by KVNR (no reason needed to open)."""
    found = {}
    auth = auth_for(bench_source(base))
    entries = read_users(users)["credentials"]["usernames"]
    for name in USERS["physician"]:
        hospital = entries[name]["scope"]["hospital"]
        bundle = httpx.get(
            f"{base}/Patient",
            params={"organization": f"Organization/{hospital}", "_count": "1"},
            timeout=60,
            auth=auth,
        ).json()
        for entry in bundle.get("entry", []):
            for ident in entry["resource"].get("identifier", []):
                if ident.get("system") == "http://fhir.de/sid/gkv/kvid-10":
                    found[name] = ident["value"]
    return found


def markdown(results: list[dict], load: tuple[float, float, float], cores: int) -> str:
    lines = [
        f"Machine: {cores} cores, load average before the run "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min).",
        "",
        "Settle times: steady state (every session past its first pass) and warm-up (first",
        "visits, caches filling); 'of it browser' is the part until the page sent its request.",
        "",
        "| N | page | views | steady p50 s | of it browser s | steady p95 s | warm-up p50 s "
        "| warm-up p95 s | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]

    def sec(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}"

    def level(r: dict) -> str:
        k = r.get("replicas", 1)
        return str(r["sessions"]) if k == 1 else f"{r['sessions']} ({k} replicas)"

    for r in results:
        for name, p in r["pages"].items():
            lines.append(
                f"| {level(r)} | {name} | {p['views']} | {sec(p['p50_s'])} "
                f"| {sec(p['browser_p50_s'])} | {sec(p['p95_s'])} | {sec(p['warmup_p50_s'])} "
                f"| {sec(p['warmup_p95_s'])} "
                f"| {p['errors']} |"
            )
    single = next((r for r in results if r["sessions"] == 1), None)
    lines += [
        "",
        "| N | steady s | views | FHIR reads | reads/view | FHIR KB | writes | refreshes "
        "| RSS idle MB | RSS peak MB | MB/session | MB/extra session | CPU dashboard s "
        "| CPU FHIR s | errors | run s | dashboard cores | FHIR cores |",
        "| " + " | ".join(["---"] * 18) + " |",
    ]
    for r in results:
        cpu = r["cpu"]
        # Beyond the first session, which also pays for imports and the process's caches.
        extra = (
            round((r["rss_peak_mb"] - single["rss_peak_mb"]) / (r["sessions"] - 1), 1)
            if single is not None and r["sessions"] > 1
            else "-"
        )
        lines.append(
            f"| {level(r)} | {r['steady_seconds']} | {r['steady_views']} "
            f"| {r['fhir_reads_steady']} | {r['reads_per_view']} | {r['fhir_kb_steady']} "
            f"| {r['fhir_writes_steady']} "
            f"| {r['refreshes']} | {r['rss_idle_mb']} | {r['rss_peak_mb']} "
            f"| {r['rss_per_session_mb']} | {extra} | {cpu.get('dashboard_s')} "
            f"| {cpu.get('fhir_s')} | {r['error_count']} | {r['whole_run']['wall_s']} "
            f"| {r['whole_run']['dashboard_cores']} | {r['whole_run']['fhir_cores']} |"
        )
    lines += [
        "",
        "First page (address typed to the sign-in form's first finished run), split into the "
        "browser's share (until the WebSocket opens) and the dashboard's (session and first run); "
        "'cold' is the one page each fresh dashboard process served before the clock ran:",
        "",
        "| N | load average at start | cold s | browser p50 s | browser p95 s | dashboard p50 s "
        "| dashboard p95 s | not loaded | WebSocket reconnects |",
        "| " + " | ".join(["---"] * 9) + " |",
    ]
    for r in results:
        first = r["first_page"]
        level_load = r.get("load_before") or (0.0, 0.0, 0.0)
        lines.append(
            f"| {level(r)} | {level_load[0]:.1f} | {r['cold_first_page_s']} "
            f"| {sec(first['browser_p50_s'])} "
            f"| {sec(first['browser_p95_s'])} | {sec(first['dashboard_p50_s'])} "
            f"| {sec(first['dashboard_p95_s'])} | {first['not_loaded']} | {r['reconnects']} |"
        )
    lines += [
        "",
        "FHIR reads in the steady window by request (resource type and interaction) and by the "
        "step under way when they arrived (role/page; shared when several ran at once):",
        "",
        "| N | by request | by role/page |",
        "| --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {level(r)} | {_top(r.get('reads_by_request', {}))} "
            f"| {_top(r.get('reads_by_page', {}))} |"
        )
    return "\n".join(lines) + "\n"


def _top(counts: dict[str, float], n: int = 6) -> str:
    shown = [f"{k} {v:g}" for k, v in list(counts.items())[:n]]
    rest = sum(list(counts.values())[n:])
    return ", ".join(shown + ([f"other {rest:g}"] if rest else [])) or "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://localhost:8091/fhir", help="FHIR base URL")
    parser.add_argument("--sessions", default="1,5,10", help="comma-separated N (max 30)")
    parser.add_argument("--seconds", type=float, default=90, help="steady state per N")
    parser.add_argument("--warmup-limit", type=float, default=300, help="longest first pass")
    parser.add_argument("--port", type=int, default=8611, help="dashboard port")
    parser.add_argument("--proxy-port", type=int, default=8610, help="counting proxy port")
    parser.add_argument(
        "--replicas", type=int, default=1, help="K dashboards behind nginx (scripts/replicas.sh)"
    )
    parser.add_argument(
        "--think-scale", type=float, default=1.0, help="multiplies every think time (THINK)"
    )
    parser.add_argument("--users", type=Path, help="demo users file (written when absent)")
    parser.add_argument(
        "--analytics",
        choices=("store", "search"),
        default="store",
        help="the manager pages on the synced store (as make run) or by search",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    levels = [int(n) for n in args.sessions.split(",")]
    if any(n < 1 or n > 30 for n in levels):
        parser.error("N between 1 and 30")
    if urlsplit(args.base).hostname not in LOCAL:
        parser.error("the benchmark only talks to a FHIR server on this machine")
    if args.seconds > 600:
        parser.error("at most 600 s of steady state per N")
    if not 1 <= args.replicas <= 4:
        parser.error("between 1 and 4 replicas")

    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    users = args.users
    if users is None or not users.exists():
        users = workdir / "credentials.yaml"
        settings = Settings(sources=(bench_source(args.base, "MEDI:CUS Plattform"),))
        write_demo_users(settings, users)
    kvnrs = physician_kvnrs(args.base, users)
    load = os.getloadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "base": args.base,
        "seconds": args.seconds,
        "analytics": args.analytics,
        "load_before": load,
        "results": [],
    }
    record["cores"] = psutil.cpu_count()
    for n in levels:
        synced = sync_store(args.base, workdir) if args.analytics == "store" else None
        level_load = os.getloadavg()
        result = asyncio.run(one_level(n, args, users, kvnrs, workdir))
        result["sync_seconds"] = synced
        result["load_before"] = level_load
        record["results"].append(result)
        record["load_after"] = os.getloadavg()
        # Written after every level: a later level that fails keeps the earlier figures.
        (args.out / f"load-{stamp}.json").write_text(json.dumps(record, indent=1))
        summary = {k: v for k, v in result.items() if k != "views"}
        sys.stdout.write(json.dumps(summary, indent=1) + "\n")
    table = markdown(record["results"], load, psutil.cpu_count() or 0)
    name = "load.md" if args.replicas == 1 else f"load-replicas{args.replicas}.md"
    (args.out / name).write_text(table)
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
