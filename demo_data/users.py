"""Demo sign-ins bound to real practitioners of the loaded network (demo only; see README).

Reads the practitioners and their roles from the FHIR server through the dashboard's own data
layer and writes a credentials file with bcrypt hashes. The passwords are public demo values:
this file must never be used for a real deployment.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import bcrypt
import pandas as pd

from services import queries
from services.config import DEFAULT_BASE_URL, Settings, env_source
from services.errors import DataError
from services.platform import Platform
from services.users import write_users

__all__ = ["DEMO_PASSWORDS", "build_demo_users", "write_demo_users"]

DEMO_PASSWORDS = {
    "arzt.demo": "Demo-Arzt-2026!",
    "arzt2.demo": "Demo-Arzt-2026!",
    "pflege.demo": "Demo-Pflege-2026!",
    "pflege2.demo": "Demo-Pflege-2026!",
    "management.demo": "Demo-Management-2026!",
    "betten.demo": "Demo-Betten-2026!",
    "admin.demo": "Demo-Admin-2026!",
}


def _name(practitioners: pd.DataFrame, practitioner_id: str) -> str:
    row = practitioners[practitioners["id"] == practitioner_id]
    if row.empty:
        return practitioner_id
    return f"{row.iloc[0]['given']} {row.iloc[0]['family']} (Demo)"


def build_demo_users(roles: pd.DataFrame, practitioners: pd.DataFrame) -> dict[str, dict]:
    """Credentials entries without passwords: two nurses of one ward, two physicians at two
    hospitals, a network manager, the bed manager of the second physician's hospital (who
    answers the first physician's transfer requests) and an administrator."""
    nurses = roles[(roles["role"] == "nurse") & roles["ward_id"].notna()].sort_values("id")
    physicians = roles[roles["role"] == "physician"].sort_values("id")
    first_nurse = nurses.iloc[0]
    ward = first_nurse["ward_id"]
    hospital = first_nurse["hospital_id"]
    colleague = nurses[
        (nurses["ward_id"] == ward) & (nurses["practitioner_id"] != first_nurse["practitioner_id"])
    ].iloc[0]
    users: dict[str, dict] = {}
    for username, nurse in (("pflege.demo", first_nurse), ("pflege2.demo", colleague)):
        wards = nurses[nurses["practitioner_id"] == nurse["practitioner_id"]]["ward_id"]
        users[username] = {
            "name": _name(practitioners, nurse["practitioner_id"]),
            "roles": ["nurse"],
            "scope": {
                "practitioner": nurse["practitioner_id"],
                "hospital": hospital,
                "wards": sorted(set(wards)),
            },
        }
    home = physicians[physicians["hospital_id"] == hospital].iloc[0]
    away = physicians[physicians["hospital_id"] != hospital].iloc[0]
    for username, doctor in (("arzt.demo", home), ("arzt2.demo", away)):
        own = physicians[physicians["practitioner_id"] == doctor["practitioner_id"]]
        users[username] = {
            "name": _name(practitioners, doctor["practitioner_id"]),
            "roles": ["physician"],
            "scope": {
                "practitioner": doctor["practitioner_id"],
                "hospital": doctor["hospital_id"],
                "departments": sorted(set(own["department"].dropna())),
            },
        }
    users["management.demo"] = {
        "name": "Netzwerk-Management (Demo)",
        "roles": ["manager"],
        "scope": {"facilities": []},
    }
    users["betten.demo"] = {
        "name": "Belegungsmanagement (Demo)",
        "roles": ["manager"],
        "scope": {"facilities": [away["hospital_id"]]},
    }
    users["admin.demo"] = {"name": "Administration (Demo)", "roles": ["admin"], "scope": {}}
    return users


def write_demo_users(settings: Settings, path: Path) -> list[str]:
    """Write the credentials file from the server's practitioners; returns the usernames."""
    platform = Platform(settings)
    try:
        read = platform.read(queries.practitioner_roles())
    finally:
        platform.close()
    if read.errors:
        raise next(iter(read.errors.values()))
    users = build_demo_users(read["practitioner_role"], read["practitioner"])
    for username, entry in users.items():
        entry["password"] = bcrypt.hashpw(
            DEMO_PASSWORDS[username].encode(), bcrypt.gensalt()
        ).decode()
        entry["email"] = f"{username}@demo.invalid"
        # Public passwords: the dashboard refuses these accounts unless the demo is switched on.
        entry["demo"] = True
    write_users(path, {"credentials": {"usernames": users}})
    return list(users)


def main(argv: list[str] | None = None) -> int:
    """``python -m demo_data.users --base URL --out FILE``: write the file unless it exists."""
    parser = argparse.ArgumentParser(prog="python -m demo_data.users")
    parser.add_argument("--base", default=DEFAULT_BASE_URL)
    parser.add_argument("--out", type=Path, default=Path(".streamlit/credentials.yaml"))
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    if args.out.is_file() and not args.force:
        sys.stderr.write(f"demo users: {args.out} exists, kept\n")
        return 0
    settings = Settings(sources=(env_source(args.base),))
    try:
        names = write_demo_users(settings, args.out)
    except DataError as exc:
        sys.stderr.write(f"demo users: cannot read practitioners from {args.base}: {exc}\n")
        return 3
    sys.stderr.write(f"demo users: wrote {', '.join(names)} to {args.out} (demo passwords)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
