"""Strings of the manager pages: capacity, trends, workload, forecast."""

STRINGS: dict[str, tuple[str, str]] = {
    "mgr.as_of": ("Stand: {time}", "As of {time}"),
    "mgr.no_beds": (
        "In Ihrem Bereich sind keine Betten erfasst.",
        "No beds are recorded in your area.",
    ),
    "mgr.no_data": (
        "Für diese Auswahl liegen keine Daten vor.",
        "There are no data for this selection.",
    ),
    "mgr.window": ("Zeitraum (Tage)", "Window (days)"),
    "mgr.all_wards": ("alle Stationen", "all wards"),
    "mgr.png_hint": (
        "PNG einer Grafik: Kamerasymbol in der Werkzeugleiste der Grafik.",
        "PNG of a chart: the camera icon in the chart's toolbar.",
    ),
    # Capacity now
    "mgr.overview": ("Alle Kliniken auf einen Blick", "All facilities at a glance"),
    "mgr.by_ward": (
        "Nach Klinik, Station und Bettenkategorie",
        "By facility, ward and bed category",
    ),
    "mgr.by_category": ("Nach Bettenkategorie", "By bed category"),
    "mgr.turnaround": (
        "Bettenwechselzeit der letzten {days} Tage",
        "Bed turnaround over the last {days} days",
    ),
    "mgr.turnaround.help": (
        "Von der Entlassung oder Verlegung (Reinigungsauftrag angelegt) bis das Bett wieder "
        "frei ist (Reinigung erledigt), aus den erledigten Reinigungsaufgaben. Mediane aus "
        "weniger als 5 Reinigungen werden nicht gezeigt.",
        "From discharge or transfer out (cleaning task made) to the bed being free again "
        "(cleaning completed), from the completed cleaning tasks. Medians of fewer than 5 "
        "cleanings are not shown.",
    ),
    "mgr.turnaround.none": (
        "Die Quellen melden keine erledigten Reinigungsaufgaben (Bettenreinigung) für diese "
        "Zeit: die Bettenwechselzeit lässt sich nicht berechnen. Der Bettenstatus allein "
        "sagt nicht, wann ein Bett frei wurde.",
        "The sources report no completed cleaning tasks (bed cleaning) for this period: bed "
        "turnaround cannot be computed. The bed status alone does not say when a bed became "
        "free.",
    ),
    "mgr.col.cleaned": ("Reinigungen", "Cleanings"),
    "mgr.col.turnaround_median": ("Median (Std.)", "Median (hours)"),
    "mgr.col.turnaround_p90": ("90. Perzentil (Std.)", "90th percentile (hours)"),
    "mgr.last_days": ("Belegung der letzten {days} Tage", "Occupancy over the last {days} days"),
    "mgr.light.green": ("grün", "green"),
    "mgr.light.amber": ("gelb", "amber"),
    "mgr.light.red": ("rot", "red"),
    "mgr.light.none": ("–", "–"),
    "mgr.help.blocked": (
        "Gesperrt: außer Betrieb, in Reinigung, isoliert, kontaminiert oder für eine "
        "angenommene Verlegung reserviert. Frei zählt nur, was jetzt einen Patienten aufnehmen "
        "kann. „–“: die Quelle meldet keinen Bettenstatus.",
        "Blocked: closed, being cleaned, isolated, contaminated or reserved for an accepted "
        "transfer. Free counts only beds that can take a patient now. “–”: the source reports "
        "no bed status.",
    ),
    "mgr.help.occupancy": (
        "Auslastung = belegte Betten / Betten in Betrieb (ohne außer Betrieb genommene). "
        "Ampel: grün unter 85 %, gelb 85–95 %, rot über 95 %.",
        "Occupancy = occupied beds / beds in service (closed beds excluded). "
        "Traffic light: green below 85%, amber 85–95%, red above 95%.",
    ),
    "mgr.help.census_denominator": (
        "Mitternachtsbestand: Patientinnen und Patienten um 0:00 Uhr. Auslastung bezogen auf "
        "die {beds} Betten, die heute in Betrieb sind.",
        "Midnight census: patients at 00:00. Occupancy relative to the {beds} beds in "
        "service today.",
    ),
    "mgr.help.small_counts": (
        "Zum Schutz der Patientinnen und Patienten werden Anzahlen von 1 bis 4 als „<5“ "
        "gezeigt und in Grafiken ausgelassen.",
        'To protect patients, counts from 1 to 4 are shown as "<5" and left out of charts.',
    ),
    "mgr.reports": ("Meldungen", "Reports"),
    "mgr.report_facility": ("Klinik der Meldung", "Facility of the report"),
    "mgr.saner.title": (
        "Bettenkapazität (SANER MeasureReport)",
        "Bed capacity (SANER MeasureReport)",
    ),
    "mgr.saner.help": (
        "FHIR MeasureReport für den {day}: Betten in Betrieb, belegt, verfügbar; "
        "Intensivbetten getrennt.",
        "FHIR MeasureReport for {day}: beds in service, occupied, available; ICU beds separately.",
    ),
    "mgr.divi_elsewhere": (
        "Die Meldung an das DIVI-Intensivregister steht auf der Seite „DIVI-Intensivregister“.",
        "The report to the DIVI ICU register is on the page “DIVI ICU register”.",
    ),
    "mgr.divi.icu-low-care": ("ICU Low Care", "ICU low care"),
    "mgr.divi.icu-high-care": ("ICU High Care", "ICU high care"),
    "mgr.divi.ecmo": ("ECMO", "ECMO"),
    "mgr.divi.status": ("Status", "Status"),
    "mgr.divi.status.VERFUEGBAR": ("verfügbar", "available"),
    "mgr.divi.status.BEGRENZT": ("begrenzt", "limited"),
    "mgr.divi.status.NICHT_VERFUEGBAR": ("ausgelastet", "full"),
    "mgr.divi.status.KEINE_ANGABE": ("keine Angabe", "not stated"),
    # Columns
    "mgr.col.light": ("Ampel", "Traffic light"),
    "mgr.col.category": ("Bettenkategorie", "Bed category"),
    "mgr.col.age_group": ("Altersgruppe", "Age group"),
    "mgr.col.in_service": ("In Betrieb", "In service"),
    "mgr.col.date": ("Datum", "Date"),
    "mgr.col.census": ("Mitternachtsbestand", "Midnight census"),
    "mgr.col.mean_census": ("Mittlerer Bestand", "Mean census"),
    "mgr.col.count": ("Anzahl", "Count"),
    "mgr.col.admissions": ("Aufnahmen", "Admissions"),
    "mgr.col.discharges": ("Entlassungen", "Discharges"),
    "mgr.col.ward_transfers": ("Verlegungen zwischen Stationen", "Transfers between wards"),
    "mgr.col.hospital_transfers": (
        "Verlegungen zwischen Kliniken",
        "Transfers between hospitals",
    ),
    "mgr.col.transfers_in": ("Zuverlegungen", "Transfers in"),
    "mgr.col.transfers_out": ("Abverlegungen", "Transfers out"),
    "mgr.col.from_ward": ("Von Station", "From ward"),
    "mgr.col.to_ward": ("Nach Station", "To ward"),
    "mgr.col.stays": ("Aufenthalte", "Stays"),
    "mgr.col.mean_days": ("Mittelwert (Tage)", "Mean (days)"),
    "mgr.col.median_days": ("Median (Tage)", "Median (days)"),
    "mgr.col.p90_days": ("90. Perzentil (Tage)", "90th percentile (days)"),
    "mgr.col.weekday": ("Wochentag", "Weekday"),
    "mgr.col.per_day": ("Im Mittel pro Tag", "Mean per day"),
    "mgr.col.days_counted": ("Gezählte Tage", "Days counted"),
    "mgr.col.shift": ("Schicht", "Shift"),
    "mgr.col.nurses": ("Pflegekräfte", "Nurses"),
    "mgr.col.completed": ("Erledigt", "Completed"),
    "mgr.col.median_minutes": ("Median (Minuten)", "Median (minutes)"),
    "mgr.col.minutes": ("Minuten", "Minutes"),
    # Trends
    "mgr.chart.occupancy_by_hospital": ("Auslastung je Klinik", "Occupancy by facility"),
    "mgr.chart.census": (
        "Mitternachtsbestand und Auslastung je Tag",
        "Midnight census and occupancy per day",
    ),
    "mgr.chart.flows": (
        "Aufnahmen, Entlassungen und Verlegungen je Tag",
        "Admissions, discharges and transfers per day",
    ),
    "mgr.chart.los": ("Verweildauer nach Fachabteilung", "Length of stay by department"),
    "mgr.chart.weekdays": ("Wochentagsmuster", "Weekday pattern"),
    "mgr.table_per_day": ("Tabelle je Tag", "Table per day"),
    "mgr.per_ward": ("Je Station über {days} Tage", "Per ward over {days} days"),
    "mgr.routes": ("Verlegungen zwischen Stationen", "Transfers between wards"),
    "mgr.los": ("Verweildauer", "Length of stay"),
    "mgr.weekdays": ("Wochentage", "Weekdays"),
    "mgr.weekday.0": ("Montag", "Monday"),
    "mgr.weekday.1": ("Dienstag", "Tuesday"),
    "mgr.weekday.2": ("Mittwoch", "Wednesday"),
    "mgr.weekday.3": ("Donnerstag", "Thursday"),
    "mgr.weekday.4": ("Freitag", "Friday"),
    "mgr.weekday.5": ("Samstag", "Saturday"),
    "mgr.weekday.6": ("Sonntag", "Sunday"),
    "mgr.department.0100": ("Innere Medizin", "Internal medicine"),
    "mgr.department.0200": ("Geriatrie", "Geriatrics"),
    "mgr.department.0300": ("Kardiologie", "Cardiology"),
    "mgr.department.0700": ("Gastroenterologie", "Gastroenterology"),
    "mgr.department.1000": ("Pädiatrie", "Paediatrics"),
    "mgr.department.1500": ("Allgemeine Chirurgie", "General surgery"),
    "mgr.department.1600": ("Unfallchirurgie", "Trauma surgery"),
    "mgr.department.2300": ("Orthopädie", "Orthopaedics"),
    "mgr.department.2800": ("Neurologie", "Neurology"),
    "mgr.department.3600": ("Intensivmedizin", "Intensive care medicine"),
    # Workload
    "mgr.kpi.open": ("Offene Aufgaben", "Open tasks"),
    "mgr.kpi.overdue": ("Überfällig", "Overdue"),
    "mgr.kpi.shift": ("Aktuelle Schicht", "Current shift"),
    "mgr.kpi.per_nurse": ("Aufgaben je Pflegekraft", "Tasks per nurse"),
    "mgr.shift.frueh": ("Früh (6–14 Uhr)", "Early (6am–2pm)"),
    "mgr.shift.spaet": ("Spät (14–22 Uhr)", "Late (2pm–10pm)"),
    "mgr.shift.nacht": ("Nacht (22–6 Uhr)", "Night (10pm–6am)"),
    "mgr.help.per_nurse": (
        "Offene Aufgaben, die in der aktuellen Schicht fällig sind, je Pflegekraft dieser Schicht.",
        "Open tasks due in the current shift per nurse of that shift.",
    ),
    "mgr.help.shift_of_task": (
        "Eine Aufgabe zählt zu der Schicht, in der sie fällig ist. Pflegekräfte je Schicht "
        "laut Dienstzuordnung (PractitionerRole).",
        "A task counts for the shift in which it is due. Nurses per shift as assigned "
        "(PractitionerRole).",
    ),
    "mgr.workload.by_shift": ("Je Station und Schicht", "Per ward and shift"),
    "mgr.workload.none_open": ("Keine offenen Aufgaben.", "No open tasks."),
    "mgr.workload.completion": (
        "Bearbeitungszeit der letzten {days} Tage",
        "Time to complete over the last {days} days",
    ),
    "mgr.workload.none_done": (
        "Keine erledigten Aufgaben in diesem Zeitraum.",
        "No completed tasks in this window.",
    ),
    "mgr.chart.workload": (
        "Offene Aufgaben je Station nach Schicht",
        "Open tasks per ward by shift",
    ),
    "mgr.chart.completion": (
        "Median der Bearbeitungszeit je Tag",
        "Median time to complete per day",
    ),
    # Forecast
    "mgr.forecast.scope": ("Bereich", "Scope"),
    "mgr.chart.forecast": (
        "Auslastung: Verlauf und Prognose für 7 Tage",
        "Occupancy: history and 7-day forecast",
    ),
    "mgr.forecast.history": ("Verlauf (Mitternacht)", "History (midnight)"),
    "mgr.forecast.expected": ("Erwartete Auslastung", "Expected occupancy"),
    "mgr.forecast.band": ("Auslastung: Spanne", "Occupancy: likely range"),
    "mgr.forecast.expected_census": ("Erwartet belegte Betten", "Expected occupied beds"),
    "mgr.forecast.range": ("Belegte Betten: Spanne", "Occupied beds: likely range"),
    "mgr.forecast.free_range": ("Erwartete freie Betten", "Expected free beds"),
    "mgr.forecast.tomorrow": (
        "Erwartete freie Betten morgen: **{low}–{high}** (am ehesten {expected}) von {beds} "
        "Betten in Betrieb",
        "Expected free beds tomorrow: **{low}–{high}** (most likely {expected}) of {beds} beds "
        "in service",
    ),
    "mgr.forecast.range_help": (
        "Die Spanne trifft an etwa 9 von 10 Tagen zu.",
        "The range holds on about 9 days in 10.",
    ),
    "mgr.forecast.planned": ("Noch da laut geplanter Entlassung", "Still in by planned discharge"),
    "mgr.forecast.admissions": ("Davon aus neuen Aufnahmen", "Of these from new admissions"),
    "mgr.forecast.method": (
        "Bestand um Mitternacht: Liegende bleiben bis zur geplanten Entlassung (sonst nach der "
        "bisherigen Verweildauer), neue Aufnahmen im Mittel ihres Wochentags der letzten 90 Tage. "
        "Auslastung bezogen auf {beds} Betten in Betrieb.",
        "Census at midnight: inpatients stay until their planned discharge (otherwise per the "
        "length of stay so far), new admissions at the mean of their weekday over the last 90 "
        "days. Occupancy relative to {beds} beds in service.",
    ),
    "mgr.forecast.band_calibrated": (
        "Die Spanne ist so breit gewählt, dass sie in den letzten Wochen (unten) an 9 von 10 "
        "Tagen gestimmt hätte. Ohne diese Anpassung hätte sie {model} der Tage getroffen.",
        "The range is as wide as it had to be to hold on 9 days in 10 over the last weeks "
        "(below). Without that adjustment it would have held on {model} of the days.",
    ),
    "mgr.forecast.band_checked": (
        "Nur mit dem jeweils damals Bekannten hätte sie {coverage} der Tage getroffen "
        "({forecasts} Prognosen).",
        "Using only what was known at the time it would have held on {coverage} of the days "
        "({forecasts} forecasts).",
    ),
    "mgr.forecast.band_model": (
        "Für {days} Tage voraus gibt es noch zu wenige Vergleichstage (unter {minimum}): dort "
        "ist die Spanne eher zu schmal.",
        "For {days} days ahead there are still too few days to compare (under {minimum}): the "
        "range is likely too narrow there.",
    ),
    "mgr.backtest.title": (
        "Wie gut lag die Prognose in den letzten {days} Tagen?",
        "How close was the forecast over the last {days} days?",
    ),
    "mgr.backtest.summary": (
        "Im Mittel lag die Prognose **{mae} Betten** daneben ({mape}); an {coverage} der Tage "
        "lag der tatsächliche Bestand in der Spanne ({forecasts} Prognosen).",
        "On average the forecast was **{mae} beds** off ({mape}); on {coverage} of the days the "
        "actual census fell inside the range ({forecasts} forecasts).",
    ),
    "mgr.backtest.horizon": ("Tage voraus", "Days ahead"),
    "mgr.backtest.forecasts": ("Prognosen", "Forecasts"),
    "mgr.backtest.mae": ("Im Mittel daneben (Betten)", "Off on average (beds)"),
    "mgr.backtest.mape": ("Im Mittel daneben (%)", "Off on average (%)"),
    "mgr.backtest.coverage": ("Tage in der Spanne", "Days inside the range"),
    "mgr.backtest.calibrated": ("Davon mit angepasster Spanne", "Of these with adjusted range"),
    "mgr.backtest.coverage_calibrated": (
        "Tage in der angepassten Spanne",
        "Days inside the adjusted range",
    ),
    "mgr.backtest.method": (
        "Die Prognose wurde für jeden der letzten 30 Tage mit dem damaligen Wissensstand "
        "wiederholt. Von einer geplanten Entlassung hält die Plattform nur den letzten Stand; "
        "der Rückblick schätzt sie aus der Verweildauer und zeigt die heutige Prognose daher "
        "eher ungenauer, als sie ist. „Davon mit angepasster Spanne“ zählt die Prognosen, für "
        "die damals schon mindestens {minimum} Vergleichstage bekannt waren.",
        "The forecast was replayed for each of the last 30 days with what was known then. The "
        "platform keeps only the latest planned discharge, so the look back estimates it from "
        "the length of stay and tends to make today's forecast look less accurate than it is. "
        "“Of these with adjusted range” counts the forecasts for which at least {minimum} days "
        "to compare were known at the time.",
    ),
    # Manager start: where can a patient go now
    "mgr.care.icu": ("Intensiv", "ICU"),
    "mgr.care.imc": ("IMC", "IMC"),
    "mgr.care.general": ("Normal", "General"),
    "mgr.placing.free": ("{care} frei", "{care} free"),
    "mgr.placing.leaving": ("{care} Entl. heute", "{care} out today"),
    "mgr.placing.leaving_all": ("Entlassungen heute erwartet", "Discharges expected today"),
    "mgr.placing.help": (
        "Frei: sofort belegbar (nicht gesperrt, nicht in Reinigung, nicht reserviert). "
        "Entl. heute: belegte Betten, deren geplante Entlassung heute oder früher ist. "
        "Intensiv: High und Low Care; gesperrte Betten mit Grund in der Tabelle darunter.",
        "Free: can take a patient now (not blocked, not being cleaned, not reserved). "
        "Out today: occupied beds whose planned discharge is today or earlier. ICU: high and "
        "low care; blocked beds with their reason in the table below.",
    ),
    "mgr.placing.blocked": ("Gesperrte Betten und Gründe", "Blocked beds and reasons"),
    "mgr.placing.none_blocked": ("Kein Bett ist gesperrt.", "No bed is blocked."),
    "mgr.col.beds": ("Betten", "Beds"),
    # Trends: which ward carries the most
    "mgr.ranking": (
        "Stationen nach Auslastung, letzte {days} Tage",
        "Wards by occupancy, last {days} days",
    ),
    "mgr.ranking.top": (
        "Am stärksten ausgelastet: **{ward}** ({hospital}), {occupancy} im Mittel, Spitze "
        "{peak} Patienten auf {beds} Betten.",
        "Most loaded: **{ward}** ({hospital}), {occupancy} on average, peak {peak} patients "
        "in {beds} beds.",
    ),
    "mgr.ranking.help": (
        "Auslastung: mittlerer Mitternachtsbestand der Tage über die Betten in Betrieb; Spitze: "
        "höchster Mitternachtsbestand (Patienten). Aufgaben je Pflegekraft: in den Tagen "
        "erledigte Aufgaben je Pflegekraft im Dienst und Schicht laut Dienstplan (–: kein "
        "Dienstplan).",
        "Occupancy: mean midnight census of the days over the beds in service; peak: highest "
        "midnight census. Tasks per nurse: tasks completed in those days per nurse shift on the "
        "roster (–: no roster).",
    ),
    "mgr.col.rank": ("Rang", "Rank"),
    "mgr.col.peak_census": ("Spitze", "Peak"),
    "mgr.col.tasks_per_nurse": (
        "Aufgaben je Pflegekraft",
        "Tasks per nurse",
    ),
    # Length of stay in Belegungstage
    "mgr.col.inek_mean": ("InEK-Mittelwert (Tage)", "InEK mean (days)"),
    "mgr.col.above_inek": ("Über InEK (Tage)", "Above InEK (days)"),
    "mgr.los.help": (
        "Verweildauer in Belegungstagen: der Aufnahmetag zählt, der Entlassungs- oder "
        "Verlegungstag nicht; Aufnahme und Entlassung am selben Tag ist ein Tag.",
        "Length of stay in occupancy days (Belegungstage): the day of admission counts, the "
        "day of discharge or transfer does not; admission and discharge on one day is one day.",
    ),
    "mgr.los.inek_missing": (
        "Für {departments} ist kein InEK-Mittelwert hinterlegt; der Vergleich fehlt dort. "
        "Einzutragen unter „inek_mean_days“ der Einstellungen.",
        "No InEK mean is configured for {departments}; the comparison is missing there. Set "
        "it under “inek_mean_days” in the settings.",
    ),
    "mgr.los.inek_none": (
        "Kein InEK-Mittelwert hinterlegt: der Vergleich mit dem InEK fehlt. Einzutragen unter "
        "„inek_mean_days“ der Einstellungen (je Fachabteilungsschlüssel).",
        "No InEK mean is configured, so there is no comparison with InEK. Set it under "
        "“inek_mean_days” in the settings (per department key).",
    ),
}
