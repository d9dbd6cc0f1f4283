"""Strings of the admin pages."""

STRINGS: dict[str, tuple[str, str]] = {
    "audit.title": ("Protokoll der Zugriffe", "Audit trail"),
    "audit.days": ("Zeitraum (von – bis)", "Dates (from – to)"),
    "audit.span": ("Zugriffe vom {first} bis {last}", "Accesses from {first} to {last}"),
    "audit.filter_user": ("Benutzer", "User"),
    "audit.filter_patient": ("Person", "Person"),
    "audit.filter_patient_hint": ("Name, KVNR oder Patienten-ID", "Name, KVNR or patient id"),
    "audit.filter_action": ("Aktion", "Action"),
    "audit.only_break_glass": ("Nur Notfallzugriffe", "Break-glass only"),
    "audit.empty": ("Keine Einträge für diese Auswahl.", "No entries for this selection."),
    "audit.local_note": (
        "{count} Einträge wurden von der Plattform abgelehnt und lokal gespeichert.",
        "{count} entries were refused by the platform and kept locally.",
    ),
    "audit.break_glass_reasons": ("Notfallzugriffe und ihre Begründung", "Break-glass accesses"),
    "audit.break_glass_line": (
        "**{when}** · {user} · {patient}: {reason}",
        "**{when}** · {user} · {patient}: {reason}",
    ),
    "audit.request_title": ("Auskunft nach Art. 15 DSGVO", "Access request (Art. 15 GDPR)"),
    "audit.request_help": (
        "Wer hat die Daten einer Person wann gesehen: alle Zugriffe auf ihre Akten in jedem "
        "Krankenhaus (gleiche KVNR) im gewählten Zeitraum. Der Export wird selbst protokolliert.",
        "Who saw a person's data when: every access to their records at any hospital (same "
        "KVNR) in the chosen dates. The export is itself recorded in the audit trail.",
    ),
    "audit.request_person": ("Auskunft für", "Report for"),
    "audit.request_none": (
        "In dieser Auswahl wurde keine Patientenakte geöffnet.",
        "No patient record was opened in this selection.",
    ),
    "audit.chain_broken": (
        "Das lokale Protokoll ist ab Zeile {line} verändert worden (Prüfsummenkette gebrochen). "
        "Seine Einträge werden nicht weitergeleitet; bitte den Vorfall melden.",
        "The local log was altered from line {line} on (hash chain broken). Its entries are not "
        "forwarded; please report the incident.",
    ),
}
