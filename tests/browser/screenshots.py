"""Screenshots of each role's main pages, to set one commit's dashboard beside another's.

    python -m tests.browser.screenshots --label after
    git worktree add /tmp/before dcfa16a
    python -m tests.browser.screenshots --checkout /tmp/before --label before
    git worktree remove /tmp/before

Both runs use the test network on the test server of this checkout (``FHIR_TEST_PORT``, its
Keycloak on ``KC_TEST_PORT``; reused when running, else started and stopped again) and write
``test-artifacts/before-after/<label>-<page>.png``. The dashboard of ``--checkout`` runs on
``DASHBOARD_TEST_PORT`` with that checkout's own code, demo sign-ins written by that code.
Only what a user clicks is used (menu links, the search form, tabs), so an older commit's pages
are reached the way its users reached them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from components.auth import COOKIE_NAME
from demo_data.bundles import read_json
from demo_data.users import DEMO_PASSWORDS
from services.codes import KVNR
from services.users import read_users
from tests.browser.conftest import ARTIFACTS, chromium, serve
from tests.browser.walk import NAV_LINK, settle
from tests.conftest import TEST_DATA, TEST_DB
from tests.support.keycloak import TOKEN_URL, client_id, identity_provider, secret
from tests.support.networks import LoadedNetwork, ensure_loaded, serving

ROOT = Path(__file__).resolve().parents[2]
OUT = ARTIFACTS / "before-after"
# (file name, user, menu page) per screenshot; "home" is the role's start page.
SHOTS = (
    ("nurse-tasks", "pflege.demo", "tasks"),
    ("nurse-handover", "pflege.demo", "handover"),
    ("nurse-bed-board", "pflege.demo", "bed_board"),
    ("physician-start", "arzt.demo", "home"),
    ("manager-start", "management.demo", "home"),
    ("manager-capacity", "management.demo", "capacity"),
    ("manager-trends", "management.demo", "trends"),
    ("admin-audit", "admin.demo", "audit"),
)
# The record's lab tab, as each version names it (cumulative table; older: vitals and labs).
LAB_TABS = ("Kumulativbefund", "Vitalwerte und Labor")
# The search field for a KVNR, as each version labels it.
KVNR_FIELDS = ("KVNR, Patienten-/Fallnummer, Pseudonym", "KVNR, Patienten- oder Fallnummer")


def lab_person(network: LoadedNetwork, hospital: str) -> str:
    """KVNR of the person known only at ``hospital`` with the most lab sampling times."""
    kvnr_of: dict[str, str] = {}
    hospital_of: dict[str, str] = {}
    times: dict[str, set[str]] = defaultdict(set)
    for bundle in network.manifest["bundles"]:
        for entry in read_json(network.dir / bundle["file"])["entry"]:
            res = entry["resource"]
            if res["resourceType"] == "Patient":
                kvnr_of[res["id"]] = next(
                    i["value"] for i in res["identifier"] if i.get("system") == KVNR
                )
                hospital_of[res["id"]] = res["managingOrganization"]["reference"].split("/")[1]
            elif res["resourceType"] == "Observation" and "laboratory" in json.dumps(
                res.get("category")
            ):
                times[res["subject"]["reference"].split("/")[1]].add(res["effectiveDateTime"])
    hospitals: dict[str, set[str]] = defaultdict(set)
    for patient, kvnr in kvnr_of.items():
        hospitals[kvnr].add(hospital_of[patient])
    own = [p for p, k in kvnr_of.items() if hospitals[k] == {hospital}]
    return kvnr_of[max(own, key=lambda p: (len(times[p]), p))]


def sign_in(browser, url: str, username: str):
    """A page signed in through the form. A version with session cookies reruns once the
    cookie is stored, which is waited for; an older one without them is not waited on."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(url)
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(DEMO_PASSWORDS[username])
    page.get_by_role("button", name="Anmelden").click()
    try:
        page.get_by_text("Angemeldet:").wait_for()
    except Exception:
        shoot(page, OUT / f"failed-sign-in-{username}.png")
        raise
    for _ in range(50):
        if any(c["name"] == COOKIE_NAME for c in context.cookies()):
            break
        page.wait_for_timeout(200)
    settle(page)
    return page


def open_menu_page(page, name: str) -> None:
    """Click the sidebar link of page ``name`` (the start page: the first link)."""
    links = page.locator(NAV_LINK)
    if name == "home":
        links.first.click()
    else:
        # Streamlit writes the address relative or absolute, depending on its version.
        page.locator(f'{NAV_LINK}[href="{name}"], {NAV_LINK}[href$="/{name}"]').first.click()
    settle(page)


def open_record(page, kvnr: str) -> None:
    """Search the person by KVNR and open the record, then its lab tab."""
    open_menu_page(page, "patient_search")
    field = next(f for f in (page.get_by_label(label) for label in KVNR_FIELDS) if f.count())
    field.fill(kvnr)
    page.get_by_role("button", name="Suchen").click()
    page.get_by_text("1 Personen gefunden").wait_for()
    settle(page)
    button = page.get_by_role("button", name="Verlauf öffnen")
    if button.count():
        button.click()
    else:
        # The result grid is drawn on a canvas: click its first data row.
        grid = page.locator('[data-testid="stDataFrame"]').first.bounding_box()
        assert grid is not None
        page.mouse.click(grid["x"] + 16, grid["y"] + 35 + 17)
    tabs = page.get_by_role("tab", name=LAB_TABS[0]).or_(page.get_by_role("tab", name=LAB_TABS[1]))
    tabs.first.wait_for()
    settle(page)
    tabs.first.click()
    settle(page)


def shoot(page, path: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    print(path)


def demo_users(checkout: Path, env: dict[str, str], path: Path) -> None:
    """The demo sign-ins, written by the checkout's own code for its own file layout."""
    code = (
        "import sys; from pathlib import Path; from services.config import load_settings; "
        "from demo_data.users import write_demo_users; "
        "write_demo_users(load_settings(), Path(sys.argv[1]))"
    )
    subprocess.run(  # noqa: S603 - our own code
        [sys.executable, "-c", code, str(path)],
        cwd=checkout,
        env={**os.environ, **env},
        check=True,
    )


def take(checkout: Path, label: str) -> list[Path]:
    """Every screenshot of ``SHOTS`` and the physician's lab tab, of ``checkout``'s dashboard."""
    written = []
    port = os.environ.get("FHIR_TEST_PORT", "8091")
    with identity_provider() as idp, serving(port, TEST_DB, TEST_DATA, idp) as base_url:
        network = ensure_loaded(TEST_DATA, base_url)
        source = {
            "name": "MEDI:CUS Plattform",
            "url": base_url,
            "auth": "oauth2",
            "token_url": TOKEN_URL,
            "client_id": client_id("dashboard"),
            "client_secret": secret("dashboard"),
        }
        with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
            workdir = Path(tmp)
            env = {"MEDICUS_SOURCES": json.dumps([source])}
            users = workdir / "credentials.yaml"
            demo_users(checkout, env, users)
            doctor = read_users(users)["credentials"]["usernames"]["arzt.demo"]
            kvnr = lab_person(network, doctor["scope"]["hospital"])
            env |= {
                "MEDICUS_USERS_FILE": str(users),
                "MEDICUS_AUDIT_LOG": str(workdir / "audit.log"),
                "MEDICUS_COOKIE_KEY": "screenshots-only",
                "MEDICUS_SESSION_DB": str(workdir / "sessions.sqlite"),
                "MEDICUS_DEMO": "1",
            }
            app_port = int(os.environ.get("DASHBOARD_TEST_PORT", "8599"))
            with serve(env, workdir, app_port, root=checkout) as url, chromium() as browser:
                pages = {}
                for name, username, menu_page in SHOTS:
                    if username not in pages:
                        pages[username] = sign_in(browser, url, username)
                    page = pages[username]
                    open_menu_page(page, menu_page)
                    written.append(OUT / f"{label}-{name}.png")
                    shoot(page, written[-1])
                page = pages["arzt.demo"]
                try:
                    open_record(page, kvnr)
                except Exception:
                    shoot(page, OUT / f"failed-{label}-record.png")
                    raise
                written.append(OUT / f"{label}-physician-record-labs.png")
                shoot(page, written[-1])
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.browser.screenshots")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the commit's worktree")
    parser.add_argument("--label", required=True, help="file name prefix: before, after …")
    args = parser.parse_args(argv)
    take(args.checkout.resolve(), args.label)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
