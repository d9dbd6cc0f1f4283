"""Strings of the physician pages: patient search, timeline, my patients."""

STRINGS: dict[str, tuple[str, str]] = {
    # Patient search
    "search.title": ("Patientensuche", "Patient search"),
    "search.help": (
        "Sucht in allen angeschlossenen Kliniken. Name mit oder ohne Umlaute (Müller findet "
        "Mueller), Geburtsdatum als TT.MM.JJJJ, KVNR, Patienten- oder Fallnummer.",
        "Searches every connected hospital. Name with or without umlauts (Müller finds "
        "Mueller), date of birth as DD.MM.YYYY, KVNR, patient or case number.",
    ),
    "search.name": ("Name", "Name"),
    "search.birth_date": ("Geburtsdatum (TT.MM.JJJJ)", "Date of birth (DD.MM.YYYY)"),
    "search.identifier": (
        "KVNR, Patienten- oder Fallnummer",
        "KVNR, patient or case number",
    ),
    "search.submit": ("Suchen", "Search"),
    "search.prompt": (
        "Bitte mindestens ein Suchfeld ausfüllen.",
        "Please fill in at least one search field.",
    ),
    "search.error.empty": (
        "Bitte mindestens ein Suchfeld ausfüllen.",
        "Please fill in at least one search field.",
    ),
    "search.error.name_chars": (
        "Der Name darf nur Buchstaben, Leerzeichen, Bindestriche und Apostrophe enthalten.",
        "The name may only contain letters, spaces, hyphens and apostrophes.",
    ),
    "search.error.name_short": (
        "Jeder Namensteil braucht mindestens zwei Buchstaben.",
        "Each part of the name needs at least two letters.",
    ),
    "search.error.name_words": (
        "Bitte höchstens vier Namensteile eingeben.",
        "Please enter at most four parts of the name.",
    ),
    "search.error.birth_date": (
        "Das Geburtsdatum bitte als TT.MM.JJJJ eingeben, z. B. 12.04.1988.",
        "Please enter the date of birth as DD.MM.YYYY, e.g. 12.04.1988.",
    ),
    "search.error.birth_date_range": (
        "Das Geburtsdatum liegt in der Zukunft oder zu weit zurück.",
        "The date of birth lies in the future or too far back.",
    ),
    "search.error.identifier": (
        "Die Nummer ist weder eine KVNR (Buchstabe und 9 Ziffern) noch eine Patienten- oder "
        "Fallnummer (Buchstaben und Ziffern).",
        "The number is neither a KVNR (a letter and 9 digits) nor a patient or case number "
        "(letters and digits).",
    ),
    "search.none": ("Keine Patientin und kein Patient gefunden.", "No patient found."),
    "search.found": ("{count} Personen gefunden", "{count} persons found"),
    "search.hospitals": ("Bekannt in", "Known at"),
    "search.access": ("Zugriff", "Access"),
    "search.choose": ("Person auswählen", "Choose a person"),
    "search.open": ("Verlauf öffnen", "Open timeline"),
    "search.reason": (
        "Begründung für den Zugriff (wird protokolliert)",
        "Reason for access (recorded in the audit trail)",
    ),
    "search.reason_help": (
        "Diese Person ist in Ihrer Klinik nicht bekannt. Der Zugriff auf Daten anderer Kliniken "
        "ist nur mit Begründung erlaubt (Notfallzugriff) und wird protokolliert.",
        "This person is not known at your hospital. Access to other hospitals' data needs a "
        "reason (break-glass) and is recorded.",
    ),
    "search.reason_short": (
        "Bitte eine Begründung mit mindestens {count} Zeichen angeben.",
        "Please give a reason of at least {count} characters.",
    ),
    "search.denied": (
        "Sie dürfen die Akte dieser Person nicht öffnen.",
        "You may not open this person's record.",
    ),
    "access.direct": ("eigene Klinik", "own hospital"),
    "access.break_glass": ("nur mit Begründung", "reason required"),
    "access.denied": ("kein Zugriff", "no access"),
    "col.kvnr": ("KVNR", "KVNR"),
    "col.gender": ("Geschlecht", "Sex"),
    # Timeline
    "timeline.title": ("Verlauf: {name}", "Timeline: {name}"),
    "timeline.no_person": (
        "Bitte zuerst eine Person in der Patientensuche oder unter „Meine Patienten“ wählen.",
        "Please choose a person in the patient search or under “My patients” first.",
    ),
    "timeline.to_search": ("Zur Patientensuche", "To the patient search"),
    "timeline.break_glass_note": (
        "Notfallzugriff mit Begründung: „{reason}“ (protokolliert).",
        "Break-glass access with reason: “{reason}” (recorded).",
    ),
    "timeline.person": (
        "geb. {birth_date} · KVNR {kvnr} · bekannt in: {hospitals}",
        "born {birth_date} · KVNR {kvnr} · known at: {hospitals}",
    ),
    "timeline.help": (
        "Ziehen zum Vergrößern, Doppelklick zeigt alles. Das Bild lädt man über das "
        "Kamerasymbol der Diagrammleiste als PNG herunter; die Tabellen als CSV unten.",
        "Drag to zoom, double-click shows everything. Download the chart as PNG with the "
        "camera icon in the chart's toolbar; the tables as CSV below.",
    ),
    "timeline.tab.chart": ("Verlauf", "Timeline"),
    "timeline.tab.trends": ("Vitalwerte und Labor", "Vitals and labs"),
    "timeline.tab.tables": ("Tabellen", "Tables"),
    "timeline.filter.kinds": ("Art", "Kind"),
    "timeline.filter.hospitals": ("Kliniken", "Hospitals"),
    "timeline.filter.window": ("Zeitraum", "Time window"),
    "timeline.empty": (
        "Im gewählten Ausschnitt gibt es keine Einträge.",
        "There are no entries in the chosen selection.",
    ),
    "timeline.kind.stay": ("Aufenthalte", "Stays"),
    "timeline.kind.condition": ("Diagnosen", "Diagnoses"),
    "timeline.kind.procedure": ("Prozeduren", "Procedures"),
    "timeline.kind.medication": ("Medikation", "Medication"),
    "timeline.kind.observation": ("Befunde", "Observations"),
    "timeline.stay": ("Aufenthalt", "Stay"),
    "timeline.case": ("Fallnummer", "Case number"),
    "timeline.open": ("andauernd", "ongoing"),
    "timeline.several": ("in mehreren Kliniken erfasst", "recorded at several hospitals"),
    "timeline.merged": (
        "{count} gleiche Einträge zusammengefasst",
        "{count} equal entries merged",
    ),
    "timeline.class.IMP": ("stationär", "inpatient"),
    "timeline.class.EMER": ("Notaufnahme", "emergency"),
    "timeline.class.AMB": ("ambulant", "outpatient"),
    "timeline.level.wa": ("Station", "Ward"),
    "timeline.level.ro": ("Zimmer", "Room"),
    "timeline.level.bd": ("Bett", "Bed"),
    "timeline.zoom.week": ("1 Woche", "1 week"),
    "timeline.zoom.month": ("1 Monat", "1 month"),
    "timeline.zoom.quarter": ("3 Monate", "3 months"),
    "timeline.zoom.all": ("alles", "all"),
    "timeline.counts": (
        "{marks} Einträge aus {records} Datensätzen von {hospitals} Kliniken",
        "{marks} entries from {records} records of {hospitals} hospitals",
    ),
    "timeline.table.stays": ("Aufenthalte", "Stays"),
    "timeline.table.marks": ("Einträge", "Entries"),
    "col.kind": ("Art", "Kind"),
    "col.code": ("Code", "Code"),
    "col.text": ("Bezeichnung", "Description"),
    "col.detail": ("Angabe", "Detail"),
    "col.start": ("Beginn", "Start"),
    "col.end": ("Ende", "End"),
    "col.class": ("Art des Kontakts", "Contact type"),
    "col.case_number": ("Fallnummer", "Case number"),
    "col.records": ("Datensätze", "Records"),
    "col.abnormal": ("auffällig", "abnormal"),
    "col.value": ("Wert", "Value"),
    "col.unit": ("Einheit", "Unit"),
    "col.reference": ("Referenzbereich", "Reference range"),
    # Current stay
    "stay.title": ("Aktueller Aufenthalt", "Current stay"),
    "stay.none": ("Zurzeit kein stationärer Aufenthalt.", "No current inpatient stay."),
    "stay.diagnoses": ("Aktive Diagnosen", "Active diagnoses"),
    "stay.attending": ("Behandelnd", "Attending physician"),
    # Trends
    "trend.codes": ("Werte", "Values"),
    "trend.none": (
        "Keine Vitalwerte oder Laborwerte vorhanden.",
        "No vital signs or lab values recorded.",
    ),
    "trend.abnormal": ("außerhalb des Referenzbereichs", "outside the reference range"),
    "trend.reference": ("Referenzbereich", "Reference range"),
    # My patients
    "mine.title": ("Meine Patienten", "My patients"),
    "mine.caption": (
        "Stationäre Patientinnen und Patienten Ihrer Fachabteilungen ({departments}); "
        "neue Befunde seit {since}.",
        "Current inpatients of your departments ({departments}); new results since {since}.",
    ),
    "mine.none": (
        "Zurzeit keine stationären Patienten in Ihren Fachabteilungen.",
        "No current inpatients in your departments.",
    ),
    "mine.no_scope": (
        "Ihrem Zugang ist keine Klinik zugeordnet.",
        "Your account is not assigned to a hospital.",
    ),
    "mine.new": ("Neue Befunde", "New results"),
    "mine.new_abnormal": ("davon auffällig", "of which abnormal"),
    "mine.patients": ("Patienten", "Patients"),
    "mine.with_new": ("mit neuen Befunden", "with new results"),
    # Departments (Fachabteilungsschlüssel)
    "physician.department.0100": ("Innere Medizin", "Internal medicine"),
    "physician.department.0200": ("Geriatrie", "Geriatrics"),
    "physician.department.0300": ("Kardiologie", "Cardiology"),
    "physician.department.0700": ("Gastroenterologie", "Gastroenterology"),
    "physician.department.1000": ("Pädiatrie", "Paediatrics"),
    "physician.department.1500": ("Allgemeine Chirurgie", "General surgery"),
    "physician.department.1600": ("Unfallchirurgie", "Trauma surgery"),
    "physician.department.2300": ("Orthopädie", "Orthopaedics"),
    "physician.department.2800": ("Neurologie", "Neurology"),
    "physician.department.3600": ("Intensivmedizin", "Intensive care"),
}
