"""Strings of the admin pages."""

STRINGS: dict[str, tuple[str, str]] = {
    "audit.title": ("Protokoll der Zugriffe", "Audit trail"),
    "audit.window": ("Zeitraum (Tage)", "Window (days)"),
    "audit.filter_user": ("Benutzer", "User"),
    "audit.filter_patient": ("Patienten-ID", "Patient id"),
    "audit.filter_action": ("Aktion", "Action"),
    "audit.only_break_glass": ("Nur Notfallzugriffe", "Break-glass only"),
    "audit.empty": ("Keine Einträge für diese Auswahl.", "No entries for this selection."),
    "audit.local_note": (
        "{count} Einträge wurden von der Plattform abgelehnt und lokal gespeichert.",
        "{count} entries were refused by the platform and kept locally.",
    ),
    "audit.chain_broken": (
        "Das lokale Protokoll ist ab Zeile {line} verändert worden (Prüfsummenkette gebrochen). "
        "Seine Einträge werden nicht weitergeleitet; bitte den Vorfall melden.",
        "The local log was altered from line {line} on (hash chain broken). Its entries are not "
        "forwarded; please report the incident.",
    ),
}
