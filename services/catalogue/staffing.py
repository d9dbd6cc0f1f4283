"""Strings of the staffing page (PpUGV nurse staffing floors; manager and admin)."""

STRINGS: dict[str, tuple[str, str]] = {
    "page.staffing": ("Pflegepersonaluntergrenzen", "Nurse staffing floors"),
    "staff.intro": (
        "Pflegekräfte im Dienst je Station und Schicht gegen die Untergrenzen der "
        "Pflegepersonaluntergrenzen-Verordnung (PpUGV): Tagschicht 6–22 Uhr, gezählt um 12 Uhr; "
        "Nachtschicht 22–6 Uhr, gezählt um Mitternacht. Pflegekräfte sind die Dienststunden "
        "laut Dienstplan in der Schicht geteilt durch ihre Stunden.",
        "Nurses on duty per ward and shift against the floors of the German nurse staffing "
        "regulation (PpUGV): day shift 6am–10pm, counted at noon; night shift 10pm–6am, counted "
        "at midnight. Nurses are the rostered hours within the shift divided by its hours.",
    ),
    "staff.no_roster": (
        "Die Daten enthalten keinen Dienstplan (Appointment mit Schicht und Pflegekräften der "
        "Station). Die Besetzung gegen die Untergrenzen kann daher nicht beurteilt werden.",
        "The data hold no duty roster (Appointment with a shift and the ward's nurses). "
        "Staffing against the floors cannot be judged.",
    ),
    "staff.quarter": ("Quartal", "Quarter"),
    "staff.quarter_label": ("{quarter}. Quartal {year}", "Q{quarter} {year}"),
    "staff.today": ("Schichten am {day}", "Shifts on {day}"),
    "staff.today_none": (
        "Für diesen Tag stehen keine Schichten im Dienstplan.",
        "The roster has no shifts for this day.",
    ),
    "staff.month": ("Monatsdurchschnitt {month} bisher", "Monthly average {month} so far"),
    "staff.month_help": (
        "Die PpUGV beurteilt den Monatsdurchschnitt: mittlere Patientenzahl geteilt durch "
        "mittlere Zahl der Pflegekräfte aller bereits gezählten Schichten des Monats.",
        "The PpUGV judges the monthly average: mean patients over mean nurses of the month's "
        "shifts counted so far.",
    ),
    "staff.report": ("Quartalsmeldung", "Quarterly report"),
    "staff.report_help": (
        "Je Station, Monat und Schicht, wie die PpUGV sie zu melden verlangt; als CSV zum "
        "Herunterladen.",
        "Per ward, month and shift, as the PpUGV asks for the report; as CSV to download.",
    ),
    "staff.report_none": (
        "Für dieses Quartal liegen keine gezählten Schichten vor.",
        "No counted shifts for this quarter.",
    ),
    "staff.provisional_help": (
        "„vorläufig“: der Zählzeitpunkt steht noch bevor; gezählt sind die Patientinnen und "
        "Patienten, die jetzt auf der Station liegen.",
        "“provisional”: the counting time is still to come; counted are the patients on the "
        "ward now.",
    ),
    "staff.kpi.below_today": ("Schichten unter der Untergrenze heute", "Shifts below floor today"),
    "staff.kpi.below_month": (
        "Anteil Schichten unter der Untergrenze im Monat",
        "Shifts below floor this month",
    ),
    "staff.kpi.wards_month": ("Stationen, die den Monat verfehlen", "Wards missing the month"),
    "staff.shift.day": ("Tag (6–22 Uhr)", "Day (6am–10pm)"),
    "staff.shift.night": ("Nacht (22–6 Uhr)", "Night (10pm–6am)"),
    "staff.ward_line": (
        "Aktuelle Schicht {shift}: {ratio} Patienten je Pflegekraft ({patients} Patienten, "
        "{nurses} Pflegekräfte im Dienst), PpUGV-Untergrenze {floor}: {status}",
        "Current shift {shift}: {ratio} patients per nurse ({patients} patients, {nurses} nurses "
        "on duty), PpUGV floor {floor}: {status}",
    ),
    "staff.ward_line.provisional": (
        "(vorläufig: gezählt wird um 12 bzw. 0 Uhr)",
        "(provisional: counted at noon or midnight)",
    ),
    "staff.status.met": ("✅ eingehalten", "✅ met"),
    "staff.status.not_met": ("⚠️ unterschritten", "⚠️ not met"),
    "staff.status.no_floor": ("– keine Untergrenze", "– no floor"),
    "staff.counted.final": ("{time} Uhr", "{time}"),
    "staff.counted.provisional": ("vorläufig", "provisional"),
    "staff.area.intensive_care": ("Intensivmedizin", "Intensive care"),
    "staff.area.paediatrics": ("Pädiatrie", "Paediatrics"),
    "staff.area.neurology_stroke_unit": ("Neurologische Stroke Unit", "Neurology stroke unit"),
    "staff.area.general_surgery_trauma": (
        "Allgemeine Chirurgie und Unfallchirurgie",
        "General surgery and trauma surgery",
    ),
    "staff.area.geriatrics": ("Geriatrie", "Geriatrics"),
    "staff.area.neurology": ("Neurologie", "Neurology"),
    "staff.area.internal_medicine_cardiology": (
        "Innere Medizin und Kardiologie",
        "Internal medicine and cardiology",
    ),
    "staff.area.none": ("kein pflegesensitiver Bereich", "no PpUGV area"),
    "staff.col.area": ("Pflegesensitiver Bereich", "PpUGV area"),
    "staff.col.shift": ("Schicht", "Shift"),
    "staff.col.month": ("Monat", "Month"),
    "staff.col.patients": ("Patienten", "Patients"),
    "staff.col.counted": ("Gezählt", "Counted"),
    "staff.col.nurses": ("Pflegekräfte im Dienst", "Nurses on duty"),
    "staff.col.ratio": ("Patienten je Pflegekraft", "Patients per nurse"),
    "staff.col.floor": ("Untergrenze (Patienten je Pflegekraft)", "Floor (patients per nurse)"),
    "staff.col.margin": ("Spielraum (Pflegekräfte)", "Margin (nurses)"),
    "staff.col.status": ("Untergrenze", "Floor"),
    "staff.col.shifts": ("Schichten", "Shifts"),
    "staff.col.mean_patients": ("Durchschnittliche Patientenbelegung", "Mean patients"),
    "staff.col.mean_nurses": ("Durchschnittliche Pflegekräfte", "Mean nurses"),
    "staff.col.below": ("Schichten unter der Untergrenze", "Shifts below floor"),
    "staff.col.below_share": ("Anteil unter der Untergrenze", "Share below floor"),
}
