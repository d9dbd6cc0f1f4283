"""Strings of the data-quality page (manager and admin)."""

STRINGS: dict[str, tuple[str, str]] = {
    "page.data_quality": ("Datenqualität", "Data quality"),
    "dq.intro": (
        "Was die Daten jeder Quelle vermissen lassen, gezählt über alles Gelesene. Offene "
        "Aufenthalte gelten als veraltet, wenn sie länger laufen als 99 % der abgeschlossenen "
        "stationären Aufenthalte dieser Quelle, höchstens {days} Tage; sie zählen nicht als "
        "aktuelle Patientinnen und Patienten.",
        "What each source's data lacks, counted over everything read. An open stay is stale when "
        "it has run longer than 99 % of the source's finished inpatient stays, at most {days} "
        "days; stale stays do not count as current inpatients.",
    ),
    "dq.examples_rule.manager": (
        "Beispiele nennen nur Stationen, Einrichtungen und Arzneimittel, nie Personen oder "
        "Aufenthalte.",
        "Examples name wards, facilities and medications only, never persons or stays.",
    ),
    "dq.examples_rule.admin": (
        "Beispiele sind Ressourcen-IDs der Quelle, zum Nachschlagen im Quellsystem.",
        "Examples are the source's resource ids, to look up in the source system.",
    ),
    "dq.clean": ("Keine Auffälligkeiten gefunden.", "No findings."),
    "dq.col.check": ("Prüfung", "Check"),
    "dq.col.detail": ("Detail", "Detail"),
    "dq.col.count": ("Anzahl", "Count"),
    "dq.col.examples": ("Beispiele", "Examples"),
    "dq.none_shown": ("–", "–"),
    "dq.limit_days": ("Grenze {days} Tage", "limit {days} days"),
    "dq.check.open_stays_too_old": (
        "Offene Aufenthalte älter als die Grenze",
        "Open stays older than the limit",
    ),
    "dq.check.stays_without_ward": (
        "Stationäre Aufenthalte ohne Station",
        "Inpatient stays without ward",
    ),
    "dq.check.patients_without_identifier": (
        "Patienten ohne KVNR oder Patientennummer",
        "Patients without KVNR or patient number",
    ),
    "dq.check.unresolved_references": (
        "Verweise ins Leere (im Gelesenen)",
        "References that do not resolve (within what was read)",
    ),
    "dq.check.unknown_code_systems": (
        "Codes aus unbekannten Systemen",
        "Codes from unknown systems",
    ),
    "dq.check.partial_dates": ("Unvollständige Datumsangaben", "Partial dates"),
    "dq.check.repaired_resources": (
        "Beim Einlesen übersprungene oder reparierte Angaben",
        "Data skipped or repaired while reading",
    ),
}
