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
}
