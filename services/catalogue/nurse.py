"""Strings of the nurse pages: task list, bed board, shift handover."""

STRINGS: dict[str, tuple[str, str]] = {
    # Ward choice, shared by the three pages
    "nurse.ward": ("Station", "Ward"),
    "nurse.no_wards": (
        "Ihrem Zugang ist keine Station zugeordnet, die Sie hier sehen dürfen.",
        "Your account has no ward you may see here.",
    ),
    "wards.none_reported": (
        "Die Quelle Ihrer Klinik meldet keine Stationen; Stationsaufgaben, Bettenbelegung und "
        "Übergabe gibt es für sie daher nicht.",
        "Your hospital's source reports no wards, so there are no ward tasks, bed board or "
        "handover for it.",
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
    "tasks.cleaning.after": ("frei geworden nach {patient}", "left by {patient}"),
    "tasks.bed_freed": (
        "Bett {bed} ist wieder frei.",
        "Bed {bed} is free again.",
    ),
    "tasks.bed_not_freed": (
        "Bett {bed} bleibt, wie es ist: es steht nicht mehr auf Reinigung, das Krankenhaus hat "
        "seinen Status inzwischen geändert.",
        "Bed {bed} stays as it is: it is no longer in housekeeping, the hospital has changed "
        "its status since.",
    ),
    "tasks.bed_back": (
        "Bett {bed} ist wieder in Reinigung.",
        "Bed {bed} is back in housekeeping.",
    ),
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
    "tasks.history": ("Verlauf (Notizen: {count})", "History (notes: {count})"),
    "tasks.history.authored": ("{when} angelegt", "{when} created"),
    "tasks.history.started": ("{when} begonnen", "{when} started"),
    "tasks.history.note": ("{when} {author}: {text}", "{when} {author}: {text}"),
    "tasks.history.someone": ("ohne Namen", "unnamed"),
    "tasks.confirm.complete": (
        "Diese Aufgabe hat {owner} übernommen. Trotzdem als erledigt eintragen?",
        "{owner} has taken this task. Mark it as completed anyway?",
    ),
    "tasks.confirm.claim": (
        "Diese Aufgabe gehört {owner}. Wirklich übernehmen?",
        "This task belongs to {owner}. Take it over?",
    ),
    "tasks.confirm.yes": ("Ja, {action}", "Yes, {action}"),
    "tasks.confirm.no": ("Abbrechen", "Cancel"),
    "tasks.undo": ("Rückgängig", "Undo"),
    "tasks.undo.offer": (
        "Erledigt: {what} – {patient}. Noch {seconds} s rückgängig zu machen.",
        "Completed: {what} – {patient}. Can be undone for {seconds} more s.",
    ),
    "tasks.done.undo": (
        "Wieder offen: {what} – {patient}",
        "Open again: {what} – {patient}",
    ),
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
    "beds.tiles": ("Kacheln mit Details", "Tiles with details"),
    "grid.help": (
        "Alle Betten der Station auf einen Blick: je Zimmer eine Spalte mit der Belegung "
        "(weiblich, männlich, gemischt). Klick auf ein belegtes Bett öffnet die Aufgaben des "
        "Patienten.",
        "Every bed of the ward at a glance: one column per room with who lies in it (female, "
        "male, mixed). Click an occupied bed to open the patient's tasks.",
    ),
    "grid.help_physician": (
        "Alle Betten der Station auf einen Blick: je Zimmer eine Spalte mit der Belegung "
        "(weiblich, männlich, gemischt). Klick auf ein belegtes Bett öffnet die Patientenakte.",
        "Every bed of the ward at a glance: one column per room with who lies in it (female, "
        "male, mixed). Click an occupied bed to open the patient's record.",
    ),
    "grid.room_sex.female": ("weiblich", "female"),
    "grid.room_sex.male": ("männlich", "male"),
    "grid.room_sex.mixed": ("gemischt", "mixed"),
    "grid.room_sex.empty": ("leer", "empty"),
    "grid.room_sex.unknown": ("Geschlecht nicht erfasst", "sex not recorded"),
    "grid.news2": ("NEWS2 {score}", "NEWS2 {score}"),
    "grid.news2_alert": ("⚠ NEWS2 {score} ({band})", "⚠ NEWS2 {score} ({band})"),
    "grid.news2_none": ("NEWS2 nicht erfasst", "NEWS2 not recorded"),
    "grid.news2_child": ("unter 16: kein NEWS2", "under 16: no NEWS2"),
    "grid.discharge_today": ("Entlassung heute", "discharge today"),
    "grid.discharge_tomorrow": ("Entlassung morgen", "discharge tomorrow"),
    "grid.discharge_on": ("Entlassung {date}", "discharge {date}"),
    "grid.discharge_none": ("Entlassung nicht erfasst", "discharge not recorded"),
    "grid.reason_none": ("Grund nicht erfasst", "reason not recorded"),
    "beds.reason": ("Grund: {reason}", "Reason: {reason}"),
    "beds.isolation": ("Isolation: {flags}", "Isolation: {flags}"),
    "beds.free_unreported": ("frei (Status nicht gemeldet)", "free (status not reported)"),
    "beds.unreported": (
        "Für {n} Betten meldet die Quelle keinen Bettenstatus. Sie gelten als frei, weil "
        "niemand darin liegt; ob sie gereinigt, gesperrt oder isoliert sind, ist nicht bekannt.",
        "The source reports no bed status for {n} beds. They count as free because nobody "
        "lies in them; whether they are clean, closed or isolated is not known.",
    ),
    "col.block_reason": ("Sperrgrund", "Reason blocked"),
    "col.isolation": ("Isolation", "Isolation"),
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
    "handover.event.note": ("Notiz zu", "Note on"),
    "handover.event.noted": ("Notiz", "note"),
    "handover.window": (
        "Ereignisse ab {since}: {minutes} Minuten der vorigen Schicht sind eingeschlossen.",
        "Events from {since}: {minutes} minutes of the previous shift are included.",
    ),
    "handover.overlap": ("Überlappung (Minuten)", "Overlap (minutes)"),
    "handover.overlap.help": (
        "So viele Minuten vor Schichtbeginn zählen Ereignisse mit, in Übergabe und CSV "
        "(0 bis 120).",
        "Events from this many minutes before the shift began are included, on the sheet and "
        "in the CSV (0 to 120).",
    ),
    "handover.flags": (
        "NEWS2 aus dem letzten Vitalzeichen-Satz, wie auf der Frühwarn-Seite. ↑/↓ an einem "
        "Vitalzeichen: Einzelwert mit 2 oder 3 NEWS2-Punkten (ab 16 Jahren); Laborwerte mit der "
        "Kennzeichnung des Labors.",
        "NEWS2 from the latest set of vitals, as on the early warning page. ↑/↓ on a vital sign: "
        "a single value scoring 2 or 3 NEWS2 points (16 years and older); lab values as flagged "
        "by the laboratory.",
    ),
    "handover.col.news2": ("NEWS2", "NEWS2"),
    "handover.col.diagnosis": ("Diagnose", "Diagnosis"),
    "handover.col.stay_day": ("Aufenthalts-/OP-Tag", "Day of stay / after surgery"),
    "handover.col.allergies": ("Allergien", "Allergies"),
    "handover.col.resuscitation": ("Reanimationsstatus", "Resuscitation status"),
    "handover.col.mobility": ("Mobilität", "Mobility"),
    "handover.col.pain": ("Schmerz", "Pain"),
    "handover.stay_day": ("Aufenthaltstag {day}", "day {day} of stay"),
    "handover.op_day": ("OP-Tag {day}", "post-op day {day}"),
    "handover.no_operation": ("keine OP erfasst", "no operation recorded"),
    "handover.allergy_high": ("hohes Risiko", "high risk"),
    "handover.resuscitation.rea": ("Reanimation: ja", "For resuscitation"),
    "handover.resuscitation.keine-rea": (
        "Keine Reanimation (DNR)",
        "Do not resuscitate (DNR)",
    ),
    "handover.resuscitation.keine-rea-keine-intubation": (
        "Keine Reanimation, keine Intubation (DNR/DNI)",
        "Do not resuscitate, do not intubate (DNR/DNI)",
    ),
    "handover.mobility.selbststaendig": ("selbstständig mobil", "walks independently"),
    "handover.mobility.hilfsmittel": ("mobil mit Hilfsmittel", "walks with an aid"),
    "handover.mobility.unterstuetzung": ("mobil mit Unterstützung", "walks with help"),
    "handover.mobility.bettlaegerig": ("bettlägerig", "bedbound"),
    "handover.vital.8867-4": ("HF", "HR"),
    "handover.vital.8310-5": ("Temp.", "Temp"),
    "handover.vital.59408-5": ("SpO₂", "SpO₂"),
    "handover.vital.9279-1": ("AF", "RR"),
    "handover.vital.8480-6": ("RR sys.", "BP sys"),
    "handover.vital.8462-4": ("RR dia.", "BP dia"),
    "handover.vital.67775-7": ("Bewusstsein", "ACVPU"),
    "handover.vital.3151-8": ("O₂", "O₂"),
    # Early warning board (NEWS2)
    "news2.param.respiration": ("Atemfrequenz", "Respiration rate"),
    "news2.param.spo2": ("SpO₂", "SpO₂"),
    "news2.param.oxygen": ("Raumluft oder Sauerstoff", "Air or oxygen"),
    "news2.param.systolic": ("Blutdruck systolisch", "Systolic blood pressure"),
    "news2.param.pulse": ("Puls", "Pulse"),
    "news2.param.consciousness": ("Bewusstsein (ACVPU)", "Consciousness (ACVPU)"),
    "news2.param.temperature": ("Temperatur", "Temperature"),
    "news2.band.zero": ("niedrig (0)", "low (0)"),
    "news2.band.low": ("niedrig", "low"),
    "news2.band.low_medium": ("niedrig–mittel (3 in einem Wert)", "low–medium (3 in one value)"),
    "news2.band.medium": ("mittel", "medium"),
    "news2.band.high": ("hoch", "high"),
    "news2.trend.up": ("↑ gestiegen", "↑ risen"),
    "news2.trend.down": ("↓ gefallen", "↓ fallen"),
    "news2.trend.same": ("→ gleich", "→ unchanged"),
    "news2.incomplete": (
        "unvollständig (fehlt: {missing}; bisher {partial} Punkte)",
        "incomplete (missing: {missing}; {partial} points so far)",
    ),
    "news2.incomplete.short": (
        "unvollständig (mind. {partial})",
        "incomplete (at least {partial})",
    ),
    "news2.no_set": ("keine Vitalzeichen", "no vitals"),
    "news2.not_applicable": (
        "kein NEWS2 unter {age} Jahren",
        "no NEWS2 under {age} years",
    ),
    "news2.ago": ("vor {time}", "{time} ago"),
    "news2.overdue": ("Messung überfällig", "observations overdue"),
    "news2.status.overdue": ("⚠ überfällig", "⚠ overdue"),
    "news2.status.on_time": ("fristgerecht", "on time"),
    "news2.scale_2": ("Skala 2", "scale 2"),
    "news2.oxygen.yes": ("Sauerstoff", "oxygen"),
    "news2.oxygen.no": ("Raumluft", "air"),
    "news2.col.score": ("NEWS2", "NEWS2"),
    "news2.col.band": ("Risiko", "Risk"),
    "news2.col.trend": ("Trend", "Trend"),
    "news2.col.values": ("Werte (Punkte)", "Values (points)"),
    "news2.col.missing": ("Fehlt", "Missing"),
    "news2.col.taken": ("Gemessen", "Taken"),
    "news2.col.elapsed": ("Seit", "Since"),
    "news2.col.due": ("Nächste Messung", "Next observations"),
    "news2.sort": ("Sortieren nach", "Sort by"),
    "news2.sort.risk": ("Risiko", "Risk"),
    "news2.sort.bed": ("Zimmer und Bett", "Room and bed"),
    "news2.sort.elapsed": ("Zeit seit der Messung", "Time since observations"),
    "news2.summary": (
        "{high} hoch · {medium} mittel · {low_medium} niedrig–mittel · {incomplete} unvollständig "
        "· {overdue} Messungen überfällig",
        "{high} high · {medium} medium · {low_medium} low–medium · {incomplete} incomplete "
        "· {overdue} observations overdue",
    ),
    "news2.empty": ("Auf dieser Station liegt gerade niemand.", "Nobody lies on this ward now."),
    "news2.legend": (
        "NEWS2 nach Royal College of Physicians (2017) aus dem letzten Vitalzeichen-Satz. Risiko: "
        "0 und 1–4 niedrig, 3 in einem Einzelwert niedrig–mittel, 5–6 mittel, ab 7 hoch. "
        "Nächste Messung fällig nach 12 h (0), 6 h (1–4), 1 h (ab einer 3 oder ab 5). Trend: "
        "gegenüber dem vorigen vollständigen Satz. Ein unvollständiger Satz zählt keine "
        "fehlenden Werte als 0.",
        "NEWS2 by the Royal College of Physicians (2017) from the latest set of vitals. Risk: "
        "0 and 1–4 low, 3 in one value low–medium, 5–6 medium, 7 or more high. Next observations "
        "due after 12 h (0), 6 h (1–4), 1 h (from a single 3 or from 5). Trend: against the "
        "previous complete set. An incomplete set never counts a missing value as 0.",
    ),
}
