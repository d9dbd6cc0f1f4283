"""Strings of the nurse pages: task list, bed board, shift handover."""

STRINGS: dict[str, tuple[str, str]] = {
    # Ward choice, shared by the three pages
    "nurse.ward": ("Station", "Ward"),
    "nurse.no_wards": (
        "Ihrem Zugang ist keine Station zugeordnet, die Sie hier sehen dürfen.",
        "Your account has no ward you may see here.",
    ),
    "nurse.as_of": (
        "Stand {time} · aktualisiert sich alle {seconds} Sekunden",
        "As of {time} · refreshes every {seconds} seconds",
    ),
    # Task list
    "tasks.open": ("Offen", "Open"),
    "tasks.overdue": ("Überfällig", "Overdue"),
    "tasks.mine": ("Meine", "Mine"),
    "tasks.unassigned": ("Nicht zugewiesen", "Unassigned"),
    "tasks.in_progress": ("In Arbeit", "In progress"),
    "tasks.filter.status": ("Status", "Status"),
    "tasks.filter.kind": ("Art", "Kind"),
    "tasks.filter.bed": ("Bett", "Bed"),
    "tasks.filter.owner": ("Zuständigkeit", "Owner"),
    "tasks.owner.all": ("alle", "all"),
    "tasks.owner.mine": ("meine", "mine"),
    "tasks.owner.unassigned": ("nicht zugewiesen", "unassigned"),
    "tasks.owner.mine_or_unassigned": ("meine und nicht zugewiesene", "mine and unassigned"),
    "tasks.shown": ("{shown} von {total} offenen Aufgaben", "{shown} of {total} open tasks"),
    "tasks.none": ("Keine offenen Aufgaben.", "No open tasks."),
    "tasks.none_filtered": (
        "Keine offenen Aufgaben für diese Auswahl.",
        "No open tasks for this selection.",
    ),
    "tasks.overdue_badge": ("überfällig", "overdue"),
    "tasks.no_due": ("ohne Termin", "no due time"),
    "tasks.no_bed": ("ohne Bett", "no bed"),
    "tasks.nobody": ("niemand", "nobody"),
    "tasks.note": ("Notiz", "Note"),
    "tasks.note_placeholder": ("Notiz (optional)", "Note (optional)"),
    "tasks.claim": ("Übernehmen", "Claim"),
    "tasks.start": ("Beginnen", "Start"),
    "tasks.complete": ("Erledigt", "Complete"),
    "tasks.read_only": (
        "Nur Ansicht: Aufgaben ändern darf die Pflege der Station.",
        "View only: the ward's nurses change tasks.",
    ),
    "tasks.done.claim": ("Übernommen: {what} – {patient}", "Claimed: {what} – {patient}"),
    "tasks.done.start": ("Begonnen: {what} – {patient}", "Started: {what} – {patient}"),
    "tasks.done.complete": ("Erledigt: {what} – {patient}", "Completed: {what} – {patient}"),
    "tasks.conflict.title": (
        "Geändert von anderer Seite: {what} – {patient}",
        "Changed by somebody else: {what} – {patient}",
    ),
    "tasks.conflict.current": (
        "Aktueller Stand: {status}, zuständig {owner}, geändert {when}.",
        "Current state: {status}, owner {owner}, changed {when}.",
    ),
    "tasks.conflict.gone": (
        "Der aktuelle Stand konnte nicht gelesen werden.",
        "The current state could not be read.",
    ),
    "tasks.conflict.note": (
        "Letzte Notiz auf der Aufgabe: {note}",
        "Last note on the task: {note}",
    ),
    "tasks.retry": ("Trotzdem ausführen: {action}", "Do it anyway: {action}"),
    "tasks.dismiss": ("Schließen", "Dismiss"),
    # Bed board
    "beds.free_by_category": ("Freie Betten nach Kategorie", "Free beds by category"),
    "beds.age_days": (
        "{age} J. · seit Aufnahme: {days} d",
        "{age} y · since admission: {days} d",
    ),
    "beds.status_line": ("Betten nach Status", "Beds by status"),
    "beds.tasks": ("{open} offen · {overdue} überfällig", "{open} open · {overdue} overdue"),
    "beds.tasks_none": ("keine offenen Aufgaben", "no open tasks"),
    "beds.empty_ward": ("Diese Station hat keine Betten.", "This ward has no beds."),
    "beds.table": ("Als Tabelle", "As a table"),
    # Shift handover
    "handover.shift": (
        "{shift} · seit {start} (bis {end})",
        "{shift} · since {start} (until {end})",
    ),
    "handover.shift.frueh": ("Frühdienst", "Early shift"),
    "handover.shift.spaet": ("Spätdienst", "Late shift"),
    "handover.shift.nacht": ("Nachtdienst", "Night shift"),
    "handover.none": (
        "Zurzeit liegen keine Patienten auf der Station.",
        "There are no patients on the ward now.",
    ),
    "handover.overdue": ("überfällig", "overdue"),
    "handover.col.open": ("Offen", "Open"),
    "handover.col.overdue": ("Überfällig", "Overdue"),
    "handover.col.tasks": ("Offene Aufgaben", "Open tasks"),
    "handover.col.vitals": ("Letzte Vitalzeichen", "Last vitals"),
    "handover.col.vitals_at": ("Vitalzeichen vom", "Vitals taken"),
    "handover.col.events": ("Seit Schichtbeginn", "Since the shift began"),
    "handover.event.admission": ("Aufnahme", "Admission"),
    "handover.event.transfer": ("Verlegung", "Transfer"),
    "handover.event.task_done": ("erledigt", "completed"),
    "handover.flags": (
        "↑/↓: Vitalzeichen außerhalb der NEWS2-Grenzen (Erwachsene, Einzelwert ≥ 2 Punkte); "
        "Laborwerte mit der Kennzeichnung des Labors.",
        "↑/↓: vitals outside the NEWS2 limits (adults, single value scoring 2 or more); "
        "lab values as flagged by the laboratory.",
    ),
    "handover.vital.8867-4": ("HF", "HR"),
    "handover.vital.8310-5": ("Temp.", "Temp"),
    "handover.vital.59408-5": ("SpO₂", "SpO₂"),
    "handover.vital.9279-1": ("AF", "RR"),
    "handover.vital.8480-6": ("RR sys.", "BP sys"),
    "handover.vital.8462-4": ("RR dia.", "BP dia"),
}
