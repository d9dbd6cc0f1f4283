"""`make stop` ends this checkout's own dashboard and nothing else: another user's dashboard on
the same machine (same command line, another directory) keeps running. It used to run
`pkill -f "streamlit run app.py"`, which ended every dashboard on the machine."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
# Ports no test and no demo uses: make stop looks only at what was started for them.
PORT = "8479"
MAKE = shutil.which("make") or "make"


def a_dashboard(cwd: Path) -> subprocess.Popen:
    """A process whose command line reads like a dashboard's, as `ps` and `pkill -f` see it."""
    return subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)", "streamlit", "run", "app.py"],
        cwd=cwd,
    )


@pytest.fixture
def dashboards(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, subprocess.Popen]]:
    own, foreign = a_dashboard(ROOT), a_dashboard(tmp_path)
    pid_file = ROOT / "var" / f"dashboard-{PORT}.pid"
    pid_file.parent.mkdir(exist_ok=True)
    pid_file.write_text(f"{own.pid}\n")
    try:
        yield own, foreign
    finally:
        for process in (own, foreign):
            process.kill()
            process.wait()
        pid_file.unlink(missing_ok=True)


def make_stop() -> None:
    ports = {"APP_PORT": PORT, "FHIR_PORT": "8478", "KC_PORT": "8477", "PROXY_PORT": PORT}
    done = subprocess.run(  # noqa: S603 - the repository's own Makefile
        [MAKE, "--no-print-directory", "stop", *(f"{k}={v}" for k, v in ports.items())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_make_stop_ends_only_this_checkouts_dashboard(dashboards):
    own, foreign = dashboards
    make_stop()
    assert own.wait(timeout=30) is not None, "this checkout's dashboard ended"
    assert foreign.poll() is None, "another checkout's dashboard still runs"
    assert not (ROOT / "var" / f"dashboard-{PORT}.pid").exists()


def test_a_stale_pid_file_ends_nothing(dashboards):
    """A PID file left behind after a reboot may name a process that is no dashboard of ours."""
    own, foreign = dashboards
    (ROOT / "var" / f"dashboard-{PORT}.pid").write_text(f"{foreign.pid}\n")
    make_stop()
    assert foreign.poll() is None and own.poll() is None
