"""Strings of the physician pages: patient search, timeline, my patients."""

STRINGS: dict[str, tuple[str, str]] = {
    # Patient search
    "search.title": ("Patientensuche", "Patient search"),
    "search.help": (
        "Sucht in allen angeschlossenen Kliniken. Name und Vorname oder Name und Geburtsdatum "
        "(TT.MM.JJJJ; Müller findet Mueller), oder eine Nummer: KVNR, Patienten-, Fallnummer, "
        "Pseudonym oder Patienten-ID. Jede Suche wird protokolliert.",
        "Searches every connected hospital. Family and first name, or name and date of birth "
        "(DD.MM.YYYY; Müller finds Mueller), or a number: KVNR, patient or case number, "
        "pseudonym or patient id. Every search is recorded.",
    ),
    "search.name": ("Name", "Name"),
    "search.birth_date": ("Geburtsdatum (TT.MM.JJJJ)", "Date of birth (DD.MM.YYYY)"),
    "search.identifier": (
        "KVNR, Patienten-/Fallnummer, Pseudonym",
        "KVNR, patient/case number, pseudonym",
    ),
    "search.submit": ("Suchen", "Search"),
    "search.prompt": (
        "Bitte Name und Vorname, Name und Geburtsdatum oder eine Nummer eingeben.",
        "Please enter family and first name, name and date of birth, or a number.",
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
    "search.error.name_long": (
        "Der Name ist zu lang; bitte höchstens 40 Zeichen je Namensteil.",
        "The name is too long; please at most 40 characters per part.",
    ),
    "search.error.unspecific": (
        "Zu allgemein: bitte Name und Vorname, Name und Geburtsdatum oder eine Nummer angeben.",
        "Too broad: please give family and first name, name and date of birth, or a number.",
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
        "Die Nummer enthält Steuerzeichen; bitte nur sichtbare Zeichen eingeben.",
        "The number contains control characters; please enter visible characters only.",
    ),
    "search.error.identifier_long": (
        "Die Nummer ist zu lang; bitte höchstens 64 Zeichen.",
        "The number is too long; please at most 64 characters.",
    ),
    "search.none": ("Keine Patientin und kein Patient gefunden.", "No patient found."),
    "search.found": ("{count} Personen gefunden", "{count} persons found"),
    "search.capped": (
        "Mehr als {cap} Personen passen zu dieser Suche – bitte eingrenzen (Vorname, "
        "Geburtsdatum oder eine Nummer ergänzen).",
        "More than {cap} persons match this search – please narrow it (add a first name, the "
        "date of birth or a number).",
    ),
    "search.click": (
        "Zeile anklicken, um den Verlauf zu öffnen.",
        "Click a row to open the timeline.",
    ),
    "search.hidden": ("erst nach Begründung", "after a reason only"),
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
    "search.denied": (
        "Sie dürfen die Akte dieser Person nicht öffnen.",
        "You may not open this person's record.",
    ),
    "access.direct": ("eigene Klinik", "own hospital"),
    "access.break_glass": ("nur mit Begründung", "reason required"),
    "access.denied": ("kein Zugriff", "no access"),
    "col.kvnr": ("KVNR", "KVNR"),
    # Persons without a name are shown by their best identifier, labelled.
    "person.mrn": ("Patientennr.", "Patient no."),
    "person.pseudonym": ("Pseudonym", "Pseudonym"),
    "person.id": ("Patienten-ID", "Patient id"),
    "person.no_identifier": ("ohne Name und Kennung", "no name or identifier"),
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
        "geb. {birth_date} · {identifier} · bekannt in: {hospitals}",
        "born {birth_date} · {identifier} · known at: {hospitals}",
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
    "timeline.kind.order": ("Aufträge", "Orders"),
    "timeline.kind.report": ("Befundberichte", "Reports"),
    "timeline.no_display": ("ohne Bezeichnung", "no description"),
    "consent.label": ("Einwilligung (Broad Consent)", "Consent (broad consent)"),
    "consent.none": ("keine Angabe", "not stated"),
    "consent.state.given": ("erteilt am {date}", "given on {date}"),
    "consent.state.partial": ("teilweise erteilt am {date}", "partly given on {date}"),
    "consent.state.denied": ("abgelehnt am {date}", "refused on {date}"),
    "consent.state.withdrawn": ("widerrufen am {date}", "withdrawn on {date}"),
    "consent.state.inactive": (
        "nicht mehr gültig (Dokument vom {date})",
        "no longer valid (document of {date})",
    ),
    "consent.version": ("MII-Mustertext {version}", "MII template {version}"),
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
    # Worklist on the start page: ranked by risk, each row saying why
    "worklist.title": ("Arbeitsliste nach Dringlichkeit", "Worklist by urgency"),
    "worklist.caption": (
        "Oben steht, wer zuerst Aufmerksamkeit braucht: auffällige Vitalwerte (NEWS2), neue "
        "auffällige Befunde seit {since}, Entlassung heute oder morgen geplant, Neuaufnahme "
        "(letzte 24 Stunden); bei Gleichstand nach Station und Bett. Klick auf eine Zeile öffnet "
        "die Patientenakte.",
        "Whoever needs attention first is on top: abnormal vital signs (NEWS2), new abnormal "
        "results since {since}, discharge planned for today or tomorrow, new admission (last "
        "24 hours); ties by ward and bed. Click a row to open the patient's record.",
    ),
    "worklist.col.rank": ("Rang", "Rank"),
    "worklist.col.why": ("Warum hier", "Why here"),
    "worklist.col.diagnosis": ("Diagnose", "Diagnosis"),
    "worklist.col.news2": ("NEWS2", "NEWS2"),
    "worklist.abnormal_vitals": ("Auffällige Vitalwerte", "Abnormal vital signs"),
    "worklist.abnormal_results": ("Neue auffällige Befunde", "New abnormal results"),
    "worklist.discharges": ("Entlassung heute/morgen", "Discharge today/tomorrow"),
    "worklist.admissions": ("Neuaufnahmen (24 h)", "New admissions (24 h)"),
    "worklist.reason.none": ("keine Auffälligkeit", "nothing stands out"),
    "worklist.reason.vitals": (
        "{sign} NEWS2 {score}, Risiko {band}",
        "{sign} NEWS2 {score}, {band} risk",
    ),
    "worklist.reason.vitals_incomplete": (
        "(Messung unvollständig, mindestens)",
        "(incomplete set, at least)",
    ),
    "worklist.reason.results": (
        "{count} neue auffällige Befunde",
        "{count} new abnormal results",
    ),
    "worklist.reason.discharge_today": ("Entlassung heute geplant", "discharge planned today"),
    "worklist.reason.discharge_tomorrow": (
        "Entlassung morgen geplant",
        "discharge planned tomorrow",
    ),
    "worklist.reason.admission": (
        "Neuaufnahme vor {ago}",
        "admitted {ago} ago",
    ),
    "worklist.news2.none": ("keine Messung", "no set yet"),
    "worklist.news2.child": ("unter 16: kein NEWS2", "under 16: no NEWS2"),
    "worklist.click": (
        "Zeile anklicken, um die Akte zu öffnen.",
        "Click a row to open the record.",
    ),
    "word.not_recorded": ("nicht erfasst", "not recorded"),
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
    # Break-glass reasons: one from the list, then a sentence of free text.
    "break_glass.emergency": ("Notfallbehandlung", "Emergency treatment"),
    "break_glass.admission": ("Aufnahme oder Übernahme", "Admission or transfer in"),
    "break_glass.co_treatment": ("Mitbehandlung oder Konsil", "Joint care or consultation"),
    "break_glass.follow_up": ("Weiterbehandlung nach Entlassung", "Care after discharge"),
    "break_glass.reason_kind": ("Anlass", "Occasion"),
    "break_glass.choose": ("Anlass wählen", "Choose an occasion"),
    "break_glass.too_short": (
        "Bitte einen Anlass wählen und in Worten begründen (mindestens {count} Buchstaben).",
        "Please choose an occasion and say why in words (at least {count} letters).",
    ),
    # Safety header, problem list, medication across hospitals
    "safety.title": ("Sicherheit", "Safety"),
    "safety.allergies": ("Allergien und Unverträglichkeiten", "Allergies and intolerances"),
    "safety.allergies.not_recorded": (
        "nicht erfasst – keine Klinik macht eine Angabe (fehlende Angabe heißt nicht: keine "
        "Allergie)",
        "not recorded – no hospital states anything (no entry does not mean no allergy)",
    ),
    "safety.allergies.none_known": ("keine bekannt", "none known"),
    "safety.allergies.stated": ("laut {where}, {date}", "according to {where}, {date}"),
    "safety.allergies.incomplete": (
        "Nicht jede Klinik war erreichbar: die Angaben können unvollständig sein.",
        "Not every hospital answered: the entries may be incomplete.",
    ),
    "safety.allergy.item": ("{substance}{details} ({where})", "{substance}{details} ({where})"),
    "safety.criticality.high": ("hohe Kritikalität", "high criticality"),
    "safety.criticality.low": ("geringe Kritikalität", "low criticality"),
    "safety.criticality.unable-to-assess": (
        "Kritikalität nicht beurteilbar",
        "criticality not assessable",
    ),
    "safety.verification.unconfirmed": ("unbestätigt", "unconfirmed"),
    "safety.verification.presumed": ("vermutet", "presumed"),
    "safety.flags": ("Hinweise (Isolation)", "Flags (isolation)"),
    "safety.flags.none": ("keine aktiven Hinweise erfasst", "no active flags recorded"),
    "safety.flag.item": ("{text} seit {date} ({where})", "{text} since {date} ({where})"),
    "safety.flags.earlier": ("früher: {items}", "earlier: {items}"),
    "problems.title": ("Problemliste", "Problem list"),
    "problems.none": (
        "Keine aktiven Probleme erfasst (Problemliste oder Diagnosen offener Aufenthalte).",
        "No active problems recorded (problem lists or diagnoses of open stays).",
    ),
    "problems.resolved": ("Abgeschlossene Probleme ({count})", "Resolved problems ({count})"),
    "problems.chapter": ("Kapitel {chapter}: {name}", "Chapter {chapter}: {name}"),
    "problems.chapter.none": ("ohne ICD-10-Kapitel", "no ICD-10 chapter"),
    "problems.col.since": ("seit", "since"),
    "problems.col.listed": ("Problemliste", "Problem list"),
    "medlist.title": ("Aktuelle Medikation", "Current medication"),
    "medlist.none": (
        "Keine laufende Medikation erfasst (Verordnungen, Gaben, Angaben zur Hausmedikation).",
        "No current medication recorded (orders, administrations, home medication).",
    ),
    "medlist.help": (
        "Aus allen Kliniken zusammengeführt nach ATC. Doppelt: in mehreren Kliniken erfasst. "
        "Gleiche Gruppe: mehrere Wirkstoffe einer Gruppe der Regeltabelle (z. B. zwei "
        "Antikoagulanzien) – bitte prüfen.",
        "Reconciled from every hospital by ATC. Duplicate: recorded at several hospitals. "
        "Same group: several drugs of one group of the rule table (e.g. two anticoagulants) "
        "– please check.",
    ),
    "medlist.conflict": (
        "Gleiche Wirkstoffgruppe mehrfach: {groups}",
        "Same drug group more than once: {groups}",
    ),
    "medlist.col.last_seen": ("zuletzt gesehen", "last seen"),
    "medlist.col.ordered_at": ("verordnet in", "ordered at"),
    "medlist.col.duplicate": ("doppelt", "duplicate"),
    "medlist.col.group": ("Gruppe", "Group"),
    "medlist.col.dosage": ("Dosierung", "Dosage"),
    "medlist.group.anticoagulant": ("Antikoagulanzien", "anticoagulants"),
    "medlist.group.platelet_inhibitor": ("Thrombozytenaggregationshemmer", "platelet inhibitors"),
    "medlist.group.nsaid": ("NSAR", "NSAIDs"),
    "medlist.group.ppi": ("Protonenpumpenhemmer", "proton pump inhibitors"),
    "medlist.group.raas": ("RAAS-Hemmer", "RAAS inhibitors"),
    "medlist.group.beta_blocker": ("Betablocker", "beta blockers"),
    "medlist.group.statin": ("Statine", "statins"),
    "medlist.group.opioid": ("Opioide", "opioids"),
    "medlist.group.benzodiazepine": ("Benzodiazepine", "benzodiazepines"),
    "medlist.group.ssri": ("SSRI", "SSRIs"),
    "medlist.group.loop_diuretic": ("Schleifendiuretika", "loop diuretics"),
    "medlist.group.sulfonylurea": ("Sulfonylharnstoffe", "sulfonylureas"),
    "medlist.group.antibiotic": ("Antibiotika", "antibiotics"),
    "timeline.tab.problems": ("Problemliste", "Problem list"),
    "timeline.tab.medication": ("Medikation", "Medication"),
    "icd.chapter.I": (
        "Bestimmte infektiöse und parasitäre Krankheiten",
        "Certain infectious and parasitic diseases",
    ),
    "icd.chapter.II": ("Neubildungen", "Neoplasms"),
    "icd.chapter.III": (
        "Krankheiten des Blutes und des Immunsystems",
        "Diseases of the blood and the immune system",
    ),
    "icd.chapter.IV": (
        "Endokrine, Ernährungs- und Stoffwechselkrankheiten",
        "Endocrine, nutritional and metabolic diseases",
    ),
    "icd.chapter.V": ("Psychische und Verhaltensstörungen", "Mental and behavioural disorders"),
    "icd.chapter.VI": ("Krankheiten des Nervensystems", "Diseases of the nervous system"),
    "icd.chapter.VII": ("Krankheiten des Auges", "Diseases of the eye"),
    "icd.chapter.VIII": ("Krankheiten des Ohres", "Diseases of the ear"),
    "icd.chapter.IX": ("Krankheiten des Kreislaufsystems", "Diseases of the circulatory system"),
    "icd.chapter.X": ("Krankheiten des Atmungssystems", "Diseases of the respiratory system"),
    "icd.chapter.XI": ("Krankheiten des Verdauungssystems", "Diseases of the digestive system"),
    "icd.chapter.XII": ("Krankheiten der Haut und der Unterhaut", "Diseases of the skin"),
    "icd.chapter.XIII": (
        "Krankheiten des Muskel-Skelett-Systems",
        "Diseases of the musculoskeletal system",
    ),
    "icd.chapter.XIV": (
        "Krankheiten des Urogenitalsystems",
        "Diseases of the genitourinary system",
    ),
    "icd.chapter.XV": (
        "Schwangerschaft, Geburt und Wochenbett",
        "Pregnancy, childbirth and the puerperium",
    ),
    "icd.chapter.XVI": (
        "Zustände mit Ursprung in der Perinatalperiode",
        "Conditions of the perinatal period",
    ),
    "icd.chapter.XVII": ("Angeborene Fehlbildungen", "Congenital malformations"),
    "icd.chapter.XVIII": ("Symptome und abnorme Befunde", "Symptoms and abnormal findings"),
    "icd.chapter.XIX": ("Verletzungen und Vergiftungen", "Injury and poisoning"),
    "icd.chapter.XX": ("Äußere Ursachen", "External causes"),
    "icd.chapter.XXI": ("Faktoren des Gesundheitszustandes", "Factors influencing health status"),
    "icd.chapter.XXII": ("Schlüsselnummern für besondere Zwecke", "Codes for special purposes"),
    # Documents: letters and reports
    "timeline.tab.documents": ("Dokumente", "Documents"),
    "timeline.kind.document": ("Dokumente", "Documents"),
    "documents.none": (
        "Keine Dokumente erfasst: keine Quelle führt Briefe oder Befundberichte zu dieser Person.",
        "No documents recorded: no source holds letters or reports for this person.",
    ),
    "documents.unavailable": (
        "Die Dokumente konnten nicht von jeder Quelle geladen werden; die Liste ist unvollständig.",
        "The documents could not be loaded from every source; the list is incomplete.",
    ),
    "documents.col.date": ("Datum", "Date"),
    "documents.col.type": ("Dokumenttyp", "Document type"),
    "documents.col.title": ("Titel", "Title"),
    "documents.col.author": ("Verfasst von", "Author"),
    "documents.col.content": ("Inhalt", "Content"),
    "documents.content.text": ("Text", "Text"),
    "documents.content.pdf": ("PDF", "PDF"),
    "documents.content.other": ("anderes Format", "other format"),
    "documents.content.none": ("ohne Inhalt", "no content"),
    "documents.status.current": ("gültig", "current"),
    "documents.status.superseded": ("ersetzt", "superseded"),
    "documents.doc_status.preliminary": ("vorläufig", "preliminary"),
    "documents.doc_status.final": ("endgültig", "final"),
    "documents.doc_status.amended": ("geändert", "amended"),
    "documents.open": ("Dokument öffnen", "Open a document"),
    "documents.choose": ("Dokument wählen", "Choose a document"),
    "documents.item": (
        "{date} · {type} · {title} ({hospital})",
        "{date} · {type} · {title} ({hospital})",
    ),
    "documents.opened": (
        "Geöffnet: {title}. Das Öffnen wird protokolliert.",
        "Opened: {title}. Opening is recorded.",
    ),
    "documents.body.pdf_download": ("PDF herunterladen", "Download PDF"),
    "documents.body.pdf_no_viewer": (
        "Diese Installation kann PDFs nicht in der Seite anzeigen; bitte herunterladen.",
        "This installation cannot show PDFs in the page; please download it.",
    ),
    "documents.body.unsupported": (
        "Dieses Format ({content_type}) kann hier nicht angezeigt werden.",
        "This format ({content_type}) cannot be shown here.",
    ),
    "documents.body.missing": (
        "Zu diesem Dokument ist kein abrufbarer Inhalt hinterlegt.",
        "This document has no content that can be fetched.",
    ),
    "documents.body.invalid": (
        "Der Inhalt dieses Dokuments ist beschädigt und kann nicht angezeigt werden.",
        "The content of this document is damaged and cannot be shown.",
    ),
    "documents.body.failed": (
        "Das Dokument konnte nicht geladen werden: {reason} Alles andere auf dieser Seite ist "
        "davon nicht betroffen.",
        "The document could not be loaded: {reason} Nothing else on this page is affected.",
    ),
    "documents.body.empty": ("Das Dokument ist leer.", "The document is empty."),
    # Statuses of the record's resources, as the FHIR R4 value sets name them.
    "status.condition.active": ("aktiv", "active"),
    "status.condition.recurrence": ("Rezidiv", "recurrence"),
    "status.condition.relapse": ("Rückfall", "relapse"),
    "status.condition.inactive": ("inaktiv", "inactive"),
    "status.condition.remission": ("in Remission", "in remission"),
    "status.condition.resolved": ("abgeheilt", "resolved"),
    "status.event.preparation": ("in Vorbereitung", "in preparation"),
    "status.event.in-progress": ("laufend", "in progress"),
    "status.event.not-done": ("nicht durchgeführt", "not done"),
    "status.event.on-hold": ("pausiert", "on hold"),
    "status.event.stopped": ("abgebrochen", "stopped"),
    "status.event.completed": ("abgeschlossen", "completed"),
    "status.event.entered-in-error": ("irrtümlich erfasst", "entered in error"),
    "status.event.unknown": ("unbekannt", "unknown"),
    "status.request.draft": ("Entwurf", "draft"),
    "status.request.active": ("aktiv", "active"),
    "status.request.on-hold": ("pausiert", "on hold"),
    "status.request.revoked": ("widerrufen", "revoked"),
    "status.request.cancelled": ("storniert", "cancelled"),
    "status.request.stopped": ("abgesetzt", "stopped"),
    "status.request.completed": ("abgeschlossen", "completed"),
    "status.request.entered-in-error": ("irrtümlich erfasst", "entered in error"),
    "status.request.unknown": ("unbekannt", "unknown"),
    "status.statement.active": ("aktiv", "active"),
    "status.statement.completed": ("abgeschlossen", "completed"),
    "status.statement.entered-in-error": ("irrtümlich erfasst", "entered in error"),
    "status.statement.intended": ("geplant", "intended"),
    "status.statement.stopped": ("abgesetzt", "stopped"),
    "status.statement.on-hold": ("pausiert", "on hold"),
    "status.statement.unknown": ("unbekannt", "unknown"),
    "status.statement.not-taken": ("nicht eingenommen", "not taken"),
    "status.observation.registered": ("registriert", "registered"),
    "status.observation.preliminary": ("vorläufig", "preliminary"),
    "status.observation.final": ("endgültig", "final"),
    "status.observation.amended": ("geändert", "amended"),
    "status.observation.corrected": ("korrigiert", "corrected"),
    "status.observation.cancelled": ("storniert", "cancelled"),
    "status.observation.entered-in-error": ("irrtümlich erfasst", "entered in error"),
    "status.observation.unknown": ("unbekannt", "unknown"),
    "status.encounter.planned": ("geplant", "planned"),
    "status.encounter.arrived": ("eingetroffen", "arrived"),
    "status.encounter.triaged": ("triagiert", "triaged"),
    "status.encounter.in-progress": ("laufend", "in progress"),
    "status.encounter.onleave": ("beurlaubt", "on leave"),
    "status.encounter.finished": ("abgeschlossen", "finished"),
    "status.encounter.cancelled": ("storniert", "cancelled"),
    "status.encounter.entered-in-error": ("irrtümlich erfasst", "entered in error"),
    "status.encounter.unknown": ("unbekannt", "unknown"),
    # Cumulative lab table
    "timeline.tab.labs": ("Kumulativbefund", "Cumulative labs"),
    "labs.none": (
        "Für diese Person liegen keine Laborwerte vor.",
        "There are no lab results for this person.",
    ),
    "labs.col.analyte": ("Parameter", "Analyte"),
    "labs.col.unit": ("Einheit", "Unit"),
    "labs.col.reference": ("Referenzbereich", "Reference range"),
    "labs.col.ucum": ("UCUM", "UCUM"),
    "labs.col.ucum_help": (
        "Die Einheit, wie die Quelle sie übermittelt (UCUM-Code).",
        "The unit as the source sends it (UCUM code).",
    ),
    "labs.no_unit": ("ohne Einheit", "no unit"),
    "labs.no_reference": ("kein Referenzbereich", "no reference range"),
    "labs.no_value": ("ohne Wert", "no value"),
    "labs.reference.below": ("< {high}", "< {high}"),
    "labs.reference.above": ("> {low}", "> {low}"),
    "labs.window": ("Abnahmezeitpunkte", "Sampling times"),
    "labs.window.item": ("{newest} bis {oldest}", "{newest} to {oldest}"),
    "labs.help": (
        "Neueste Abnahme links. H↑ über, L↓ unter dem Referenzbereich (HH/LL: kritisch, A: "
        "auffällig), wie die Quelle es meldet oder am Referenzbereich gemessen. Jede Klinik hat "
        "eigene Zeilen, weil Referenzbereiche und Methoden sich unterscheiden. „(vorläufig)“: "
        "noch nicht freigegebener Wert.",
        "Newest sample on the left. H↑ above, L↓ below the reference range (HH/LL: critical, A: "
        "abnormal), as the source reports it or measured against the reference range. Each "
        "hospital has its own rows, as reference ranges and methods differ. “(preliminary)”: "
        "a value not yet released.",
    ),
    "labs.columns": (
        "{shown} von {total} Abnahmezeitpunkten; ältere über „Abnahmezeitpunkte“.",
        "{shown} of {total} sampling times; older ones under “Sampling times”.",
    ),
    "timeline.vitals": ("Vitalwerte im Verlauf", "Vital signs over time"),
    # Patient summary (International Patient Summary, IPS)
    "timeline.tab.summary": ("Kurzakte (IPS)", "Summary (IPS)"),
    "summary.help": (
        "Die Patientenkurzakte (International Patient Summary) je Klinik: Allergien, Probleme, "
        "Medikation und neueste Befunde. Der Abruf wird protokolliert.",
        "The patient summary (International Patient Summary) per hospital: allergies, "
        "problems, medication and newest results. Fetching it is recorded.",
    ),
    "summary.load": ("Kurzakte abrufen", "Fetch the summary"),
    "summary.from": ("Kurzakte von {hospital}", "Summary from {hospital}"),
    "summary.origin.server": (
        "Vom Server der Klinik erstellt (`$summary`) am {date}, Autor: {authors}.",
        "Made by the hospital's server (`$summary`) on {date}, author: {authors}.",
    ),
    "summary.origin.assembled": (
        "Vom Dashboard aus den gelesenen Daten dieser Klinik zusammengestellt.",
        "Assembled by the dashboard from the data read from this hospital.",
    ),
    "summary.why.not_offered": (
        "Die Kurzakte des Servers (`$summary`) ist bei dieser Quelle nicht verfügbar.",
        "The server's summary (`$summary`) is not available at this source.",
    ),
    "summary.why.unsupported": (
        "Die Quelle kennt `$summary` nicht: dort nicht verfügbar.",
        "The source does not know `$summary`: not available there.",
    ),
    "summary.why.failed": (
        "Die Kurzakte des Servers (`$summary`) war nicht abrufbar: {reason}",
        "The server's summary (`$summary`) could not be fetched: {reason}",
    ),
    "summary.not_recorded": (
        "nicht erfasst – die Quelle macht keine Angabe (fehlende Angabe heißt nicht: keine)",
        "not recorded – the source states nothing (no entry does not mean none)",
    ),
    "summary.none_known": ("keine bekannt (laut Quelle)", "none known (according to the source)"),
    "summary.section.48765-2": (
        "Allergien und Unverträglichkeiten",
        "Allergies and intolerances",
    ),
    "summary.section.11450-4": ("Probleme", "Problems"),
    "summary.section.10160-0": ("Medikation", "Medication"),
    "summary.section.30954-2": ("Befunde", "Results"),
    "summary.col.details": ("Angaben", "Details"),
    "summary.col.date": ("Datum", "Date"),
    "summary.verification.unconfirmed": ("unbestätigt", "unconfirmed"),
    "summary.verification.presumed": ("vermutet", "presumed"),
    "summary.verification.provisional": ("vorläufig", "provisional"),
    "summary.download": ("Als FHIR-JSON herunterladen", "Download as FHIR JSON"),
}
