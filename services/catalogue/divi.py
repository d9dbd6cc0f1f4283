"""Strings of the DIVI page (the daily report to the DIVI Intensivregister; manager and admin)."""

STRINGS: dict[str, tuple[str, str]] = {
    "page.divi": ("DIVI-Intensivregister", "DIVI ICU register"),
    "divi.intro": (
        "Die tägliche Meldung an das DIVI-Intensivregister (bis 12:00 Uhr) aus den Live-Daten der "
        "Plattform: betreibbare Intensivbetten, Beatmung und ECMO, freie Kapazitäten, Notfall"
        "reserve und die Betriebssituation, wie Sie sie erfassen.",
        "The daily report to the DIVI ICU register (due by 12:00) from the platform's live data: "
        "operable ICU beds, ventilation and ECMO, free capacity, emergency reserve and the "
        "operating situation as you record it.",
    ),
    "divi.no_icu": (
        "In Ihrem Bereich hat keine Klinik Intensivbetten.",
        "No facility in your area has ICU beds.",
    ),
    "divi.facility": ("Klinik", "Facility"),
    "divi.kpi.beds": ("Intensivbetten betreibbar", "ICU beds operable"),
    "divi.kpi.occupied": ("davon belegt", "of them occupied"),
    "divi.kpi.invasive": ("invasiv beatmet", "ventilated invasively"),
    "divi.kpi.ecmo": ("an ECMO", "on ECMO"),
    "divi.kpi.reserve": ("Notfallreserve (7 Tage)", "Emergency reserve (7 days)"),
    "divi.kpi.reserve_help": (
        "Intensivbetten, die jetzt gesperrt sind (Personal, Wartung) und binnen 7 Tagen wieder "
        "betrieben werden können.",
        "ICU beds closed now (staff, maintenance) that can be run again within 7 days.",
    ),
    "divi.beds": ("Betten nach Kategorie und Altersgruppe", "Beds by category and age group"),
    "divi.beds_help": (
        "ECMO: Betten in Betrieb mit einem betriebsbereiten ECMO-Gerät (ein Teil von High Care). "
        "Status wie im Register: ausgelastet, wenn kein Bett frei ist; begrenzt, wenn nur eines "
        "oder höchstens 20 % frei sind; sonst verfügbar; keine Angabe ohne betreibbares Bett.",
        "ECMO: beds in service with a working ECMO unit (part of high care). Status as in the "
        "register: full when no bed is free; limited when only one or at most 20 % are free; "
        "available otherwise; not stated without an operable bed.",
    ),
    "divi.ventilation": ("Beatmung und ECMO", "Ventilation and ECMO"),
    "divi.ventilation_help": (
        "Laufende Prozeduren (SNOMED CT, OPS) der Patientinnen und Patienten in den Betten der "
        "Klinik; wer an der ECMO auch invasiv beatmet wird, zählt in beiden Zeilen.",
        "Running procedures (SNOMED CT, OPS) of the patients in the facility's beds; a patient on "
        "ECMO who is also ventilated invasively counts in both rows.",
    ),
    "divi.mode.invasive": ("invasiv beatmet", "ventilated invasively"),
    "divi.mode.non_invasive": ("nicht-invasiv beatmet", "ventilated non-invasively"),
    "divi.mode.ecmo": ("ECMO", "ECMO"),
    "divi.col.mode": ("Behandlung", "Treatment"),
    "divi.col.patients": ("Patientinnen und Patienten", "Patients"),
    "divi.capacity": ("Freie Kapazitäten", "Free capacity"),
    "divi.capacity.free_iv": ("freie invasive Beatmungsplätze", "free invasive ventilation places"),
    "divi.capacity.free_ecmo": ("freie ECMO-Plätze", "free ECMO places"),
    "divi.capacity.reserve_7d": (
        "Notfallreserve binnen 7 Tagen",
        "Emergency reserve within 7 days",
    ),
    "divi.col.figure": ("Kennzahl", "Figure"),
    "divi.col.value": ("Wert", "Value"),
    "divi.situation": ("Betriebssituation", "Operating situation"),
    "divi.situation.REGULAERER_BETRIEB": ("regulärer Betrieb", "regular operation"),
    "divi.situation.TEILWEISE_EINGESCHRAENKT": (
        "teilweise eingeschränkt",
        "partly limited",
    ),
    "divi.situation.EINGESCHRAENKT": ("eingeschränkt", "limited"),
    "divi.situation.KEINE_ANGABE": ("keine Angabe", "not stated"),
    "divi.situation.current": (
        "Zuletzt erfasst: {situation} ({time}, {author}){limits}",
        "Last recorded: {situation} ({time}, {author}){limits}",
    ),
    "divi.situation.none": (
        "Noch keine Betriebssituation erfasst: die Meldung sagt „keine Angabe“.",
        "No operating situation recorded yet: the report says “not stated”.",
    ),
    "divi.situation.limits": (": eingeschränkt durch {limits}", ": limited by {limits}"),
    "divi.limit.personal": ("Personal", "staff"),
    "divi.limit.raum": ("Räume", "rooms"),
    "divi.limit.beatmungsgeraet": ("Geräte (Beatmung)", "equipment (ventilators)"),
    "divi.limit.verbrauchsmaterial": ("Verbrauchsmaterial", "supplies"),
    "divi.form.title": ("Betriebssituation erfassen", "Record the operating situation"),
    "divi.form.limits": (
        "Einschränkende Gründe (nur bei Einschränkung)",
        "Limiting reasons (only when limited)",
    ),
    "divi.form.soon": (
        "Personalmangel in der Pflege binnen 7 Tagen erwartet",
        "Nurse shortage expected within 7 days",
    ),
    "divi.form.save": ("Speichern", "Save"),
    "divi.form.saved": ("Betriebssituation gespeichert.", "Operating situation saved."),
    "divi.form.need_limit": (
        "Bitte mindestens einen einschränkenden Grund angeben.",
        "Please state at least one limiting reason.",
    ),
    "divi.downloads": ("Meldungen", "Reports"),
    "divi.register_json": (
        "Meldung an das DIVI-Register (JSON, V2)",
        "Report to the DIVI register (JSON, V2)",
    ),
    "divi.saner_json": ("SANER MeasureReport (FHIR JSON)", "SANER MeasureReport (FHIR JSON)"),
    "divi.saner_help": (
        "Betten, Intensivbetten, Beatmungsgeräte (numVent, numVentUse) und die Personalmangel-"
        "Kennzeichen der Pflege: shortnurse, wenn heute eine Station der Klinik in einer Schicht "
        "unter der PpUGV-Untergrenze liegt; posshortnurse aus Ihrer Angabe.",
        "Beds, ICU beds, ventilators (numVent, numVentUse) and the nurse staffing-shortage "
        "flags: shortnurse when a ward of the facility is below its PpUGV floor in a shift "
        "today; posshortnurse from your answer.",
    ),
    "divi.store": ("Heutige Meldung speichern", "Store today's report"),
    "divi.stored": ("Heutige Meldung gespeichert.", "Today's report stored."),
    "divi.history": ("Verlauf der letzten {days} Tage", "History of the last {days} days"),
    "divi.history_help": (
        "Je Tag die gespeicherte Meldung; heute die Zahlen von jetzt, bis sie gespeichert ist.",
        "The stored report of each day; today the figures now until it is stored.",
    ),
    "divi.col.date": ("Datum", "Date"),
    "divi.col.icu_beds": ("betreibbar", "operable"),
    "divi.col.icu_occupied": ("belegt", "occupied"),
    "divi.col.icu_free": ("frei", "free"),
    "divi.col.ecmo_beds": ("ECMO-Plätze", "ECMO places"),
    "divi.col.invasive": ("invasiv beatmet", "invasive"),
    "divi.col.non_invasive": ("nicht-invasiv", "non-invasive"),
    "divi.col.ecmo": ("ECMO", "ECMO"),
    "divi.col.free_iv": ("freie IV-Kapazität", "free IV capacity"),
    "divi.col.free_ecmo": ("freie ECMO-Kapazität", "free ECMO capacity"),
    "divi.col.reserve_7d": ("Notfallreserve 7 T.", "Reserve 7 d"),
    "divi.col.situation": ("Betriebssituation", "Operating situation"),
    "divi.col.status_high": ("Status High Care", "Status high care"),
    "divi.chart.title": ("Intensivbetten und Beatmung", "ICU beds and ventilation"),
}
