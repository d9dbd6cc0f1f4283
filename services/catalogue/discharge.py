"""Strings of the discharge flow pages (SAFER): managers' aggregates and the ward's own page."""

STRINGS: dict[str, tuple[str, str]] = {
    "page.discharge": ("Entlassfluss", "Discharge flow"),
    "page.ward_discharge": ("Entlassplanung", "Discharge planning"),
    "dis.intro": (
        "Entlassmanagement nach SAFER: ein geplantes Entlassdatum binnen 24 Stunden nach der "
        "Aufnahme, ein Drittel der Entlassungen vor 12 Uhr, und wer länger als 7 oder 21 Tage "
        "im Krankenhaus liegt, wird besprochen. Nur Summen: Zahlen von 1 bis 4 Aufenthalten "
        "erscheinen als „<5“, Anteile aus weniger als 5 Aufenthalten bleiben leer.",
        "Discharge flow after SAFER: an expected discharge date within 24 hours of admission, a "
        "third of discharges before noon, and patients in hospital for more than 7 or 21 days "
        "reviewed. Totals only: counts of 1 to 4 stays show as “<5”, shares of fewer than 5 "
        "stays stay empty.",
    ),
    "dis.ward_intro": (
        "Entlassmanagement nach SAFER für {scope}: geplantes Entlassdatum binnen 24 Stunden "
        "nach der Aufnahme, Entlassungen vor 12 Uhr, und wer länger als 7 oder 21 Tage im "
        "Krankenhaus liegt.",
        "Discharge flow after SAFER for {scope}: an expected discharge date within 24 hours of "
        "admission, discharges before noon, and patients in hospital for more than 7 or 21 days.",
    ),
    "dis.scope.wards": ("Ihre Stationen", "your wards"),
    "dis.scope.departments": ("Ihre Fachabteilungen", "your departments"),
    "dis.no_scope": (
        "Ihrem Zugang ist keine Klinik zugeordnet.",
        "Your account is assigned no hospital.",
    ),
    "dis.no_wards": (
        "Die Quelle meldet keine Stationen; den Entlassfluss je Station gibt es für sie daher "
        "nicht.",
        "The source reports no wards, so there is no discharge flow per ward for it.",
    ),
    "dis.periods": (
        "Aufnahmen vom {admitted_from} bis {admitted_to} (jeder Aufenthalt hatte seine ersten "
        "24 Stunden), Entlassungen vom {discharged_from} bis {discharged_to}, Liegende jetzt.",
        "Admissions from {admitted_from} to {admitted_to} (every stay had its first 24 hours), "
        "discharges from {discharged_from} to {discharged_to}, inpatients now.",
    ),
    "dis.kpi.planned": ("Entlassdatum binnen 24 h", "Discharge date within 24 h"),
    "dis.kpi.noon": ("Entlassungen vor 12 Uhr", "Discharges before noon"),
    "dis.kpi.over_7": ("Länger als 7 Tage", "Longer than 7 days"),
    "dis.kpi.over_21": ("Länger als 21 Tage", "Longer than 21 days"),
    "dis.wards": ("Je Station", "Per ward"),
    "dis.col.admitted": ("Aufnahmen", "Admissions"),
    "dis.col.planned_share": ("Anteil binnen 24 h", "Share within 24 h"),
    "dis.col.discharges": ("Entlassungen", "Discharges"),
    "dis.col.noon_share": ("Anteil vor 12 Uhr", "Share before noon"),
    "dis.col.inpatients": ("Liegende jetzt", "Inpatients now"),
    "dis.col.over_7": ("Über 7 Tage", "Over 7 days"),
    "dis.col.over_21": ("Über 21 Tage", "Over 21 days"),
    "dis.col.week": ("Woche ab", "Week from"),
    "dis.undated": (
        "{count} Aufenthalte haben ein geplantes Entlassdatum, aber die Quelle sagt nicht, wann "
        "es erfasst wurde; sie zählen im Anteil binnen 24 h nicht mit.",
        "{count} stays have an expected discharge date but the source does not say when it was "
        "recorded; they are left out of the share within 24 h.",
    ),
    "dis.trend": ("Verlauf je Woche", "Weekly trend"),
    "dis.trend_help": (
        "Anteile je Kalenderwoche über alle Stationen oben; die laufende Woche bis gestern "
        "(Entlassdatum: bis vorgestern). Die gestrichelte Linie ist das Ziel von einem Drittel "
        "der Entlassungen vor 12 Uhr.",
        "Shares per calendar week over every ward above; the current week up to yesterday "
        "(discharge date: up to the day before). The dashed line is the target of a third of "
        "discharges before noon.",
    ),
    "dis.chart.title": ("Entlassfluss je Woche", "Discharge flow per week"),
    "dis.chart.share": ("Anteil", "Share"),
    "dis.chart.target": ("Ziel: ein Drittel vor 12 Uhr", "Target: a third before noon"),
    "dis.stays": ("Lange Aufenthalte (mehr als 7 Tage)", "Long stays (more than 7 days)"),
    "dis.stays_help": (
        "Tage seit der Aufnahme ins Krankenhaus, nicht seit der Verlegung auf die Station. "
        "Ohne Namen und Daten, die einen Menschen erkennen ließen.",
        "Days since admission to hospital, not since the move to the ward. Without names or "
        "dates that would single out a person.",
    ),
    "dis.stays_named_help": (
        "Tage seit der Aufnahme ins Krankenhaus, nicht seit der Verlegung auf die Station. "
        "Das Ansehen dieser Liste wird protokolliert.",
        "Days since admission to hospital, not since the move to the ward. Viewing this list is "
        "recorded in the audit trail.",
    ),
    "dis.stays_none": (
        "Niemand liegt länger als 7 Tage.",
        "Nobody has been in hospital for more than 7 days.",
    ),
}
