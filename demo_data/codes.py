"""Code systems, identifier systems and the clinical catalogues the generator draws from.

System URLs follow docs/DATA_MODEL.md and the "German FHIR context" table of the design; our own
systems live under ``MEDICUS``.
"""

from __future__ import annotations

from dataclasses import dataclass

MEDICUS = "https://fhir.medicus-bw.de"

SYS_IKNR = "http://fhir.de/sid/arge-ik/iknr"
SYS_KVNR = "http://fhir.de/sid/gkv/kvid-10"
SYS_IDTYPE_DE = "http://fhir.de/CodeSystem/identifier-type-de-basis"
SYS_V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
SYS_V2_0116 = "http://terminology.hl7.org/CodeSystem/v2-0116"
SYS_V2_0360 = "http://terminology.hl7.org/CodeSystem/v2-0360"
SYS_ORG_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
SYS_PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
SYS_FACHABTEILUNG = "http://fhir.de/CodeSystem/dkgev/Fachabteilungsschluessel"
SYS_KONTAKTEBENE = "http://fhir.de/CodeSystem/Kontaktebene"
SYS_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
SYS_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
SYS_ICD10GM = "http://fhir.de/CodeSystem/bfarm/icd-10-gm"
SYS_OPS = "http://fhir.de/CodeSystem/bfarm/ops"
SYS_ATC = "http://fhir.de/CodeSystem/bfarm/atc"
SYS_LOINC = "http://loinc.org"
SYS_SNOMED = "http://snomed.info/sct"
SYS_UCUM = "http://unitsofmeasure.org"
SYS_OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
SYS_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
SYS_CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
SYS_CONDITION_VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
SYS_CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
EXT_PLANNED_END = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedEndDate"
SYS_PSEUDONYM = "https://www.medizininformatik-initiative.de/fhir/sid/pseudonym"
SYS_V3_OBSERVATION_VALUE = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
SYS_V3_ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"

# Profiles the MII shape declares in meta.profile (MII Kerndatensatz 2024, ISiK Basis).
MII = "https://www.medizininformatik-initiative.de/fhir/core"
ISIK = "https://gematik.de/fhir/isik/StructureDefinition"
PROFILE_PATIENT = f"{MII}/modul-person/StructureDefinition/Patient"
PROFILE_PATIENT_PSEUDONYMISED = f"{MII}/modul-person/StructureDefinition/PatientPseudonymisiert"
PROFILE_ENCOUNTER = f"{MII}/modul-fall/StructureDefinition/KontaktGesundheitseinrichtung"
PROFILE_MEDICATION = f"{MII}/modul-medikation/StructureDefinition/Medication"
PROFILE_MEDICATION_ADMINISTRATION = (
    f"{MII}/modul-medikation/StructureDefinition/MedicationAdministration"
)
PROFILE_LOCATION = {
    "wa": f"{ISIK}/ISiKStandort",
    "ro": f"{ISIK}/ISiKStandortRaum",
    "bd": f"{ISIK}/ISiKStandortBettenstellplatz",
}

SYS_BETTENKATEGORIE = f"{MEDICUS}/CodeSystem/bettenkategorie"
SYS_ALTERSGRUPPE = f"{MEDICUS}/CodeSystem/altersgruppe"
# Why a bed cannot take a patient (closed C, isolated I): an extension on the bed Location.
EXT_BED_BLOCK_REASON = f"{MEDICUS}/StructureDefinition/bettensperrgrund"
# When the planned discharge date of a stay was first documented (SAFER: within 24 h).
EXT_PLANNED_END_RECORDED = f"{MEDICUS}/StructureDefinition/entlassdatum-erfasst"
SYS_BED_BLOCK_REASON = f"{MEDICUS}/CodeSystem/bettensperrgrund"
SYS_ROLLE = f"{MEDICUS}/CodeSystem/rolle"
SYS_SCHICHT = f"{MEDICUS}/CodeSystem/schicht"
SYS_PFLEGEAUFGABE = f"{MEDICUS}/CodeSystem/pflegeaufgabe"
SYS_AUFNAHMEANLASS = f"{MEDICUS}/CodeSystem/aufnahmeanlass"
SYS_ENTLASSART = f"{MEDICUS}/CodeSystem/entlassart"
SYS_MITARBEITER = f"{MEDICUS}/sid/mitarbeiter"
SYS_SERVICE_CATEGORY = f"{MEDICUS}/CodeSystem/leistungsbereich"

ICD_VERSION = "2025"
OPS_VERSION = "2025"


def patient_number_system(iknr: str) -> str:
    """The hospital's own patient number (MR) system."""
    return f"{MEDICUS}/sid/{iknr}/patientennummer"


def case_number_system(iknr: str) -> str:
    """The hospital's own case number (VN) system."""
    return f"{MEDICUS}/sid/{iknr}/fallnummer"


def contact_system(iknr: str) -> str:
    """The hospital's own identifier of a single contact level (MII shape)."""
    return f"{MEDICUS}/sid/{iknr}/kontakt"


def location_system(iknr: str) -> str:
    """The hospital's own location catalogue (ward, room and bed codes; MII shape)."""
    return f"{MEDICUS}/sid/{iknr}/standort"


DEPARTMENTS: dict[str, str] = {
    "0100": "Innere Medizin",
    "0200": "Geriatrie",
    "0300": "Kardiologie",
    "0700": "Gastroenterologie",
    "1000": "Pädiatrie",
    "1500": "Allgemeine Chirurgie",
    "1600": "Unfallchirurgie",
    "2300": "Orthopädie",
    "2800": "Neurologie",
    "3600": "Intensivmedizin",
}

BED_STATUS_DISPLAY = {
    "O": "Occupied",
    "U": "Unoccupied",
    "C": "Closed",
    "H": "Housekeeping",
    "I": "Isolated",
    "K": "Contaminated",
}
BED_BLOCK_REASON_DISPLAY = {
    "personal": "Personalmangel",
    "wartung": "Wartung oder Reparatur",
    "isolation": "Isolierung im Zimmer",
}
BED_CATEGORY_DISPLAY = {
    "icu-high-care": "Intensivbett High Care",
    "icu-low-care": "Intensivbett Low Care",
    "imc": "Intermediate Care",
    "general": "Normalstation",
}
AGE_GROUP_DISPLAY = {"adult": "Erwachsene", "paediatric": "Kinder"}
SHIFTS = {
    "frueh": (6, 14, "Frühdienst"),
    "spaet": (14, 22, "Spätdienst"),
    "nacht": (22, 6, "Nachtdienst"),
}
TASK_CODES = {
    "vitalzeichen": "Vitalzeichen erheben",
    "medikation": "Medikation verabreichen",
    "wundversorgung": "Wundversorgung",
    "mobilisation": "Mobilisation",
    "entlassvorbereitung": "Entlassung vorbereiten",
    "bettenreinigung": "Bettenreinigung",
}
ADMIT_SOURCE = {"einweisung": "Einweisung", "notfall": "Notfall", "verlegung": "Verlegung"}
DISCHARGE = {"entlassung": "Regulär entlassen", "verlegung": "Verlegung in anderes Krankenhaus"}


@dataclass(frozen=True)
class Code:
    """A code with its display text."""

    code: str
    display: str


def _codes(*pairs: tuple[str, str]) -> tuple[Code, ...]:
    return tuple(Code(code, display) for code, display in pairs)


MAIN_DIAGNOSES: dict[str, tuple[Code, ...]] = {
    "0100": _codes(
        ("J18.9", "Pneumonie, nicht näher bezeichnet"),
        ("I50.14", "Linksherzinsuffizienz mit Beschwerden in Ruhe"),
        ("N39.0", "Harnwegsinfektion, Lokalisation nicht näher bezeichnet"),
        ("J44.19", "Chronische obstruktive Lungenkrankheit mit akuter Exazerbation"),
        ("E86", "Volumenmangel"),
        ("A41.9", "Sepsis, nicht näher bezeichnet"),
        ("K29.1", "Sonstige akute Gastritis"),
    ),
    "0200": _codes(
        ("S72.01", "Schenkelhalsfraktur: Intrakapsulär"),
        ("R26.8", "Sonstige und nicht näher bezeichnete Störungen des Ganges und der Mobilität"),
        ("F05.1", "Delir bei Demenz"),
        ("I63.5", "Hirninfarkt durch Verschluss oder Stenose zerebraler Arterien"),
    ),
    "0300": _codes(
        ("I21.4", "Akuter subendokardialer Myokardinfarkt"),
        ("I20.0", "Instabile Angina pectoris"),
        ("I48.0", "Vorhofflimmern, paroxysmal"),
        ("I50.13", "Linksherzinsuffizienz mit Beschwerden bei leichterer Belastung"),
        ("I25.13", "Atherosklerotische Herzkrankheit, Drei-Gefäß-Erkrankung"),
    ),
    "0700": _codes(
        ("K85.10", "Biliäre akute Pankreatitis ohne Organkomplikation"),
        ("K92.2", "Gastrointestinale Blutung, nicht näher bezeichnet"),
        ("K70.3", "Alkoholische Leberzirrhose"),
        ("K57.32", "Divertikulitis des Dickdarmes ohne Perforation oder Abszess"),
    ),
    "1000": _codes(
        ("J21.0", "Akute Bronchiolitis durch Respiratory-Syncytial-Viren"),
        ("A09.0", "Sonstige Gastroenteritis infektiösen Ursprungs"),
        ("R56.0", "Fieberkrämpfe"),
        ("J20.9", "Akute Bronchitis, nicht näher bezeichnet"),
        ("S06.0", "Gehirnerschütterung"),
    ),
    "1500": _codes(
        ("K35.8", "Akute Appendizitis, nicht näher bezeichnet"),
        ("K80.10", "Gallenblasenstein mit sonstiger Cholezystitis"),
        ("K40.90", "Hernia inguinalis, einseitig, ohne Einklemmung und ohne Gangrän"),
        ("K56.7", "Ileus, nicht näher bezeichnet"),
        ("C18.7", "Bösartige Neubildung: Colon sigmoideum"),
    ),
    "1600": _codes(
        ("S72.00", "Schenkelhalsfraktur: Teil nicht näher bezeichnet"),
        ("S52.50", "Distale Fraktur des Radius: Nicht näher bezeichnet"),
        ("S82.6", "Fraktur des Außenknöchels"),
        ("S32.01", "Fraktur eines Lendenwirbels: L1"),
    ),
    "2300": _codes(
        ("M17.1", "Sonstige primäre Gonarthrose"),
        ("M16.1", "Sonstige primäre Koxarthrose"),
        ("M51.2", "Sonstige näher bezeichnete Bandscheibenverlagerung"),
    ),
    "2800": _codes(
        ("I63.5", "Hirninfarkt durch Verschluss oder Stenose zerebraler Arterien"),
        ("G40.2", "Lokalisationsbezogene symptomatische Epilepsie"),
        ("G45.92", "Zerebrale transitorische Ischämie, nicht näher bezeichnet"),
        ("G35.11", "Multiple Sklerose mit vorherrschend schubförmigem Verlauf"),
    ),
    "3600": _codes(
        ("A41.9", "Sepsis, nicht näher bezeichnet"),
        ("J96.00", "Akute respiratorische Insuffizienz, Typ I"),
        ("I21.0", "Akuter transmuraler Myokardinfarkt der Vorderwand"),
        ("I61.0", "Intrazerebrale Blutung in die Großhirnhemisphäre, subkortikal"),
        ("R57.0", "Kardiogener Schock"),
    ),
}
SECONDARY_DIAGNOSES = _codes(
    ("I10.90", "Essentielle Hypertonie, nicht näher bezeichnet"),
    ("E11.90", "Diabetes mellitus, Typ 2: Ohne Komplikationen"),
    ("N18.3", "Chronische Nierenkrankheit, Stadium 3"),
    ("E87.1", "Hypoosmolalität und Hyponatriämie"),
    ("I48.1", "Vorhofflimmern, persistierend"),
    ("E78.0", "Reine Hypercholesterinämie"),
    ("F17.1", "Psychische und Verhaltensstörungen durch Tabak: Schädlicher Gebrauch"),
    ("Z95.1", "Vorhandensein eines aortokoronaren Bypasses"),
    ("U80.0", "Staphylococcus aureus mit Resistenz gegen Oxacillin [MRSA]"),
)
PAEDIATRIC_SECONDARY = _codes(
    ("J45.9", "Asthma bronchiale, nicht näher bezeichnet"),
    ("E86", "Volumenmangel"),
    ("L20.8", "Sonstiges atopisches [endogenes] Ekzem"),
)
EMERGENCY_DIAGNOSES = _codes(
    ("S00.95", "Oberflächliche Verletzung des Kopfes, Teil nicht näher bezeichnet: Prellung"),
    ("R07.4", "Brustschmerzen, nicht näher bezeichnet"),
    ("R10.4", "Sonstige und nicht näher bezeichnete Bauchschmerzen"),
    ("S93.40", "Verstauchung und Zerrung des oberen Sprunggelenkes"),
    ("R55", "Synkope und Kollaps"),
    ("T78.4", "Allergie, nicht näher bezeichnet"),
)
OUTPATIENT_DIAGNOSES = _codes(
    ("Z09.88", "Nachuntersuchung nach sonstiger Behandlung wegen anderer Krankheitszustände"),
    ("Z48.0", "Kontrolle von Verbänden und Nähten"),
    ("Z01.7", "Laboruntersuchung"),
)

PROCEDURES: dict[str, tuple[Code, ...]] = {
    "0100": _codes(
        ("1-632.0", "Diagnostische Ösophagogastroduodenoskopie"),
        ("3-222", "Computertomographie des Thorax mit Kontrastmittel"),
        ("8-800.c0", "Transfusion von Vollblut, Erythrozytenkonzentrat: 1 TE bis unter 6 TE"),
    ),
    "0200": _codes(
        ("8-550.1", "Geriatrische frührehabilitative Komplexbehandlung: Mindestens 14 Tage"),
        ("9-984.7", "Pflegebedürftigkeit: Pflegegrad 2"),
    ),
    "0300": _codes(
        ("1-275.0", "Transarterielle Linksherz-Katheteruntersuchung: Koronarangiographie"),
        ("8-837.00", "Perkutan-transluminale Gefäßintervention an Herz und Koronargefäßen"),
        ("3-052", "Transösophageale Echokardiographie [TEE]"),
    ),
    "0700": _codes(
        ("1-650.2", "Diagnostische Koloskopie: Total, mit Ileoskopie"),
        ("5-513.1", "Endoskopische Operationen an den Gallengängen: Inzision der Papille"),
    ),
    "1000": _codes(
        (
            "8-010.3",
            "Applikation von Medikamenten und Elektrolytlösungen: Intravenös, kontinuierlich",
        ),
        ("8-711.00", "Maschinelle Beatmung bei Neugeborenen und Säuglingen: CPAP"),
    ),
    "1500": _codes(
        ("5-470.11", "Appendektomie: Laparoskopisch: Absetzung durch Klammern (Stapler)"),
        ("5-511.11", "Cholezystektomie: Einfach, laparoskopisch: Ohne laparoskopische Revision"),
        (
            "5-530.31",
            "Verschluss einer Hernia inguinalis: Mit alloplastischem Material, laparoskopisch",
        ),
        ("5-455.75", "Partielle Resektion des Dickdarmes: Sigmaresektion"),
    ),
    "1600": _codes(
        ("5-790.5f", "Geschlossene Reposition einer Fraktur mit Osteosynthese: Femur proximal"),
        ("5-794.k6", "Offene Reposition einer Mehrfragment-Fraktur: Radius distal"),
        ("5-820.00", "Implantation einer Endoprothese am Hüftgelenk: Totalendoprothese"),
    ),
    "2300": _codes(
        (
            "5-822.g1",
            "Implantation einer Endoprothese am Kniegelenk: Bikondyläre Oberflächenprothese",
        ),
        ("5-820.00", "Implantation einer Endoprothese am Hüftgelenk: Totalendoprothese"),
        ("5-831.0", "Exzision von erkranktem Bandscheibengewebe"),
    ),
    "2800": _codes(
        ("8-981.20", "Neurologische Komplexbehandlung des akuten Schlaganfalls"),
        ("3-200", "Native Computertomographie des Schädels"),
        ("1-207.0", "Elektroenzephalographie [EEG]: Routine-EEG"),
    ),
    "3600": _codes(
        ("8-980.10", "Intensivmedizinische Komplexbehandlung: 185 bis 368 Aufwandspunkte"),
        ("8-701", "Einfache endotracheale Intubation"),
        ("8-831.00", "Legen und Wechsel eines Katheters in zentralvenöse Gefäße"),
        ("8-854.2", "Hämodialyse: Intermittierend, Antikoagulation mit Heparin"),
    ),
}

# Where the wound of an operation lies, for the wound-care order.
WOUND_SITES: dict[str, str] = {
    "5-470.11": "Trokarinzisionen Abdomen",
    "5-511.11": "Trokarinzisionen Abdomen",
    "5-530.31": "Trokarinzisionen Leiste",
    "5-455.75": "Laparotomienarbe Unterbauch",
    "5-790.5f": "Hüfte lateral",
    "5-794.k6": "Unterarm distal, palmar",
    "5-820.00": "Hüfte lateral",
    "5-822.g1": "Knie ventral",
    "5-831.0": "Lendenwirbelsäule dorsal",
}
# A wound on a surgical ward without an operation in this stay: a pressure ulcer.
WOUND_SITE_OTHERWISE = "Dekubitus sakral"

MEDICATIONS: dict[str, tuple[tuple[Code, str], ...]] = {
    "common": (
        (Code("B01AB05", "Enoxaparin"), "40 mg s.c. 1x täglich abends"),
        (Code("A02BC02", "Pantoprazol"), "40 mg p.o. 1-0-0"),
        (Code("N02BB02", "Metamizol"), "1 g i.v. bei Bedarf, max. 4x täglich"),
        (Code("N02BE01", "Paracetamol"), "1 g p.o. 1-1-1-1"),
        (Code("C09AA05", "Ramipril"), "5 mg p.o. 1-0-0"),
        (Code("C07AB07", "Bisoprolol"), "2,5 mg p.o. 1-0-1"),
        (Code("C03CA01", "Furosemid"), "40 mg i.v. 1-1-0"),
        (Code("A10AB05", "Insulin aspart"), "nach Schema s.c. zu den Mahlzeiten"),
    ),
    "infection": (
        (Code("J01CR02", "Amoxicillin und Clavulansäure"), "2,2 g i.v. 1-1-1"),
        (Code("J01DD04", "Ceftriaxon"), "2 g i.v. 1x täglich"),
        (Code("J01CR05", "Piperacillin und Tazobactam"), "4,5 g i.v. 1-1-1"),
    ),
    "cardio": (
        (Code("B01AC06", "Acetylsalicylsäure"), "100 mg p.o. 1-0-0"),
        (Code("B01AF02", "Apixaban"), "5 mg p.o. 1-0-1"),
        (Code("C10AA05", "Atorvastatin"), "40 mg p.o. 0-0-1"),
    ),
    "icu": (
        (Code("C01CA03", "Norepinephrin"), "Perfusor nach Zielblutdruck"),
        (Code("N01AX10", "Propofol"), "Perfusor nach RASS-Ziel"),
        (Code("N02AB03", "Fentanyl"), "Perfusor nach Schmerzskala"),
    ),
    "neuro": (
        (Code("N03AX14", "Levetiracetam"), "500 mg p.o. 1-0-1"),
        (Code("N05AD01", "Haloperidol"), "0,5 mg p.o. bei Unruhe"),
    ),
    "paediatric": (
        (Code("N02BE01", "Paracetamol"), "15 mg/kg p.o. bei Fieber, max. 4x täglich"),
        (Code("R03AC02", "Salbutamol"), "2 Hübe inhalativ bei Bedarf"),
        (Code("M01AE01", "Ibuprofen"), "10 mg/kg p.o. 1-1-1"),
    ),
}
# Enoxaparin and apixaban: two anticoagulants that must not run side by side.
DOUBLE_ANTICOAGULATION = frozenset({"B01AB05", "B01AF02"})
MEDICATION_GROUPS_BY_DEPARTMENT = {
    "0100": ("common", "infection"),
    "0200": ("common", "neuro"),
    "0300": ("common", "cardio"),
    "0700": ("common", "infection"),
    "1000": ("paediatric",),
    "1500": ("common", "infection"),
    "1600": ("common",),
    "2300": ("common",),
    "2800": ("common", "neuro", "cardio"),
    "3600": ("icu", "infection", "common"),
}


@dataclass(frozen=True)
class LabTest:
    """A laboratory test with its adult reference range and the spread of simulated values."""

    loinc: str
    display: str
    unit: str
    low: float
    high: float
    decimals: int


LABS = (
    LabTest("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 12.0, 16.0, 1),
    LabTest("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 4.0, 10.0, 1),
    LabTest("1988-5", "C reactive protein [Mass/volume] in Serum or Plasma", "mg/L", 0.0, 5.0, 1),
    LabTest("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.2, 2),
    LabTest("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.5, 5.1, 1),
    LabTest("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 135.0, 145.0, 0),
)


@dataclass(frozen=True)
class VitalSign:
    """A vital sign with its LOINC code, UCUM unit and the usual value range."""

    loinc: str
    display: str
    unit: str
    mean: float
    sd: float
    decimals: int


VITALS = (
    VitalSign("8867-4", "Heart rate", "/min", 80.0, 14.0, 0),
    VitalSign("8310-5", "Body temperature", "Cel", 37.0, 0.5, 1),
    VitalSign(
        "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", 95.5, 2.0, 0
    ),
    VitalSign("9279-1", "Respiratory rate", "/min", 16.0, 3.0, 0),
)
BP_PANEL = Code("85354-9", "Blood pressure panel with all children optional")
BP_SYSTOLIC = Code("8480-6", "Systolic blood pressure")
BP_DIASTOLIC = Code("8462-4", "Diastolic blood pressure")
REGISTERED_NURSE = Code("224535009", "Registered nurse")
# NEWS2 parameters beyond the vital signs above (services/codes.py reads the same codes).
INHALED_O2_FLOW = Code("3151-8", "Inhaled oxygen flow rate")
CONSCIOUSNESS = Code("67775-7", "Level of responsiveness")
# ACVPU as SNOMED CT findings: alert, new confusion, voice, pain, unresponsive.
ACVPU = {
    "A": Code("248234008", "Mentally alert"),
    "C": Code("130987000", "Acute confusion"),
    "V": Code("300202002", "Responds to voice"),
    "P": Code("450847001", "Responds to pain"),
    "U": Code("422768004", "Unresponsive"),
}
SYS_NEWS2 = f"{MEDICUS}/CodeSystem/news2"
SPO2_SCALE_2 = Code("spo2-skala-2", "SpO₂-Zielbereich 88–92 % (NEWS2-Skala 2)")


# Nursing assessments of the patients in hospital now (demo_data/nursing.py; docs/DATA_MODEL.md):
# the resuscitation status a physician decided (a Flag; its SNOMED CT finding as a second coding),
# mobility (an Observation coded in the platform's own system, no LOINC code fits the ward's
# four grades) and pain on the 0-10 numeric rating scale (LOINC).
SYS_RESUSCITATION = f"{MEDICUS}/CodeSystem/reanimationsstatus"
RESUSCITATION: dict[str, tuple[str, Code]] = {
    "rea": ("Reanimation: ja", Code("304252001", "For resuscitation")),
    "keine-rea": ("Keine Reanimation (DNR)", Code("304253006", "Not for resuscitation")),
    "keine-rea-keine-intubation": (
        "Keine Reanimation, keine Intubation (DNR/DNI)",
        Code("304253006", "Not for resuscitation"),
    ),
}
SYS_NURSING_FINDING = f"{MEDICUS}/CodeSystem/pflegebefund"
MOBILITY = Code("mobilitaet", "Mobilität")
SYS_MOBILITY = f"{MEDICUS}/CodeSystem/mobilitaet"
MOBILITY_GRADES = {
    "selbststaendig": "Selbstständig mobil",
    "hilfsmittel": "Mobil mit Hilfsmittel",
    "unterstuetzung": "Mobil mit Unterstützung",
    "bettlaegerig": "Bettlägerig",
}
PAIN_NRS = Code("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")

# Safety: allergies, isolation flags, the problem list and home medication (demo_data/safety.py).
SYS_ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
SYS_ALLERGY_VER = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
SYS_FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
SYS_ISOLATION = f"{MEDICUS}/CodeSystem/isolation"
NO_KNOWN_ALLERGY = Code("716186003", "Keine bekannte Allergie")


@dataclass(frozen=True)
class Allergen:
    """A substance (SNOMED CT), its AllergyIntolerance category and a typical reaction."""

    code: Code
    category: str
    reaction: Code


ALLERGENS = (
    Allergen(Code("764146007", "Penicillin"), "medication", Code("39579001", "Anaphylaxie")),
    Allergen(Code("764146007", "Penicillin"), "medication", Code("271807003", "Hautausschlag")),
    Allergen(Code("387458008", "Acetylsalicylsäure"), "medication", Code("126485001", "Urtikaria")),
    Allergen(Code("387207008", "Ibuprofen"), "medication", Code("267036007", "Atemnot")),
    Allergen(Code("387406002", "Sulfonamide"), "medication", Code("271807003", "Hautausschlag")),
    Allergen(Code("111088007", "Latex"), "environment", Code("126485001", "Urtikaria")),
)
# A severe reaction makes the allergy one of high criticality.
SEVERE_REACTIONS = frozenset({"39579001", "267036007"})
ISOLATION_FLAGS = {
    "mrsa": "MRSA – Kontaktisolierung",
    "3mrgn": "3MRGN – Kontaktisolierung",
    "4mrgn": "4MRGN – Kontaktisolierung",
    "norovirus": "Norovirus – Kontaktisolierung",
    "covid-19": "COVID-19 – Tröpfchenisolierung",
}
# Chronic problems and the drug a patient with the problem takes at home.
CHRONIC_PROBLEMS: tuple[tuple[Code, Code, str], ...] = (
    (
        Code("I10.90", "Essentielle Hypertonie, nicht näher bezeichnet"),
        Code("C09AA05", "Ramipril"),
        "5 mg p.o. 1-0-0",
    ),
    (
        Code("E11.90", "Diabetes mellitus, Typ 2: Ohne Komplikationen"),
        Code("A10BA02", "Metformin"),
        "1000 mg p.o. 1-0-1",
    ),
    (
        Code("I48.1", "Vorhofflimmern, persistierend"),
        Code("B01AF02", "Apixaban"),
        "5 mg p.o. 1-0-1",
    ),
    (
        Code("E78.0", "Reine Hypercholesterinämie"),
        Code("C10AA05", "Atorvastatin"),
        "20 mg p.o. 0-0-1",
    ),
    (
        Code("J44.99", "Chronische obstruktive Lungenkrankheit, nicht näher bezeichnet"),
        Code("R03AL04", "Indacaterol und Glycopyrronium"),
        "1 Hub inhalativ 1-0-0",
    ),
    (
        Code("I25.9", "Chronische ischämische Herzkrankheit, nicht näher bezeichnet"),
        Code("B01AC06", "Acetylsalicylsäure"),
        "100 mg p.o. 1-0-0",
    ),
)
PAST_PROBLEMS = _codes(
    ("K35.8", "Akute Appendizitis, nicht näher bezeichnet"),
    ("J18.9", "Pneumonie, nicht näher bezeichnet"),
    ("S52.50", "Distale Fraktur des Radius: Nicht näher bezeichnet"),
)


# Documents: letters and reports of past contacts (demo_data/documents.py).
SYS_KDL = "http://dvmd.de/fhir/CodeSystem/kdl"


@dataclass(frozen=True)
class DocumentType:
    """A document type: its KDL class, the LOINC document code where one exists, its title."""

    kdl: Code
    loinc: Code | None
    title: str


DOCUMENT_TYPES = {
    "entlassbrief": DocumentType(
        Code("AD010104", "Entlassungsbericht extern"),
        Code("18842-5", "Discharge summary"),
        "Entlassbrief",
    ),
    "arztbrief": DocumentType(
        Code("AD010111", "Ambulanzbrief"),
        Code("34133-9", "Summary of episode note"),
        "Arztbrief",
    ),
    "befundbericht": DocumentType(
        Code("AD010109", "Ärztlicher Befundbericht"),
        None,
        "Befundbericht",
    ),
    "op_bericht": DocumentType(
        Code("OP150103", "OP-Bericht"),
        Code("11504-8", "Surgical operation note"),
        "OP-Bericht",
    ),
}
