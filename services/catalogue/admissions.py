"""Strings of the ward admission queue: patients waiting for a bed, bed swap, cancel."""

STRINGS: dict[str, tuple[str, str]] = {
    "page.admissions": ("Aufnahmen", "Admissions"),
    "admission.intro": (
        "Patientinnen und Patienten, die auf {ward} ein Bett brauchen: aus der Notaufnahme "
        "und angekündigte Übernahmen. Angeboten werden nur freie Betten, die passen "
        "(Bettenkategorie, Altersgruppe, Isolierung, Geschlecht im Zimmer).",
        "Patients who need a bed on {ward}: from the emergency department and announced "
        "transfers in. Only free beds that fit are offered (bed category, age group, isolation, "
        "sex of the room).",
    ),
    "admission.tasks": ("Aufnahmen", "admissions"),
    "admission.waiting": ("Warten auf ein Bett", "Waiting for a bed"),
    "admission.none": (
        "Niemand wartet auf ein Bett dieser Station.",
        "Nobody is waiting for a bed on this ward.",
    ),
    "admission.origin.notfall": ("aus der Notaufnahme", "from the emergency department"),
    "admission.origin.verlegung": ("Übernahme (Verlegung)", "transfer in"),
    "admission.origin.unknown": ("Herkunft nicht angegeben", "origin not given"),
    "admission.since": (
        "wartet seit {time} ({hours} h)",
        "waiting since {time} ({hours} h)",
    ),
    "admission.no_bed": (
        "Kein freies Bett dieser Station passt. Betten werden frei nach Reinigung oder Entlassung.",
        "No free bed of this ward fits. Beds become free after cleaning or discharge.",
    ),
    "admission.bed": ("Bett", "Bed"),
    "admission.assign": ("Bett zuweisen", "Assign bed"),
    "admission.cancel_reason": ("Grund der Stornierung", "Reason for cancelling"),
    "admission.cancel": ("Aufnahme stornieren", "Cancel admission"),
    "admission.need_reason": (
        "Bitte einen Grund für die Stornierung angeben.",
        "Please give a reason for cancelling.",
    ),
    "admission.done.assign": ("{name} liegt jetzt in Bett {bed}.", "{name} now lies in bed {bed}."),
    "admission.done.cancel": ("Aufnahme storniert.", "Admission cancelled."),
    "admission.done.move": ("Bettplatz geändert.", "Bed changed."),
    "admission.lost": (
        "Eine Kollegin hat diese Aufnahme gerade bearbeitet; die Liste zeigt den aktuellen Stand.",
        "A colleague has just handled this admission; the list shows where it stands now.",
    ),
    "admission.swap": ("Bett tauschen", "Swap beds"),
    "admission.swap_intro": (
        "Ein Patient wechselt in ein freies Bett der Station (das alte Bett geht in die "
        "Reinigung) oder tauscht das Bett mit einem anderen Patienten.",
        "A patient moves to a free bed of the ward (the old bed goes to cleaning) or exchanges "
        "beds with another patient.",
    ),
    "admission.swap_patient": ("Patient", "Patient"),
    "admission.swap_target": ("Neues Bett", "New bed"),
    "admission.swap_free": ("{bed} (frei)", "{bed} (free)"),
    "admission.swap_with": ("{bed} (Tausch mit {name})", "{bed} (exchange with {name})"),
    "admission.swap_go": ("Bett wechseln", "Change bed"),
    "admission.swap_none": (
        "Kein Patient dieser Station liegt in einem Bett.",
        "No patient of this ward lies in a bed.",
    ),
}
