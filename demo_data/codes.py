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

SYS_BETTENKATEGORIE = f"{MEDICUS}/CodeSystem/bettenkategorie"
SYS_ALTERSGRUPPE = f"{MEDICUS}/CodeSystem/altersgruppe"
SYS_ROLLE = f"{MEDICUS}/CodeSystem/rolle"
SYS_SCHICHT = f"{MEDICUS}/CodeSystem/schicht"
SYS_PFLEGEAUFGABE = f"{MEDICUS}/CodeSystem/pflegeaufgabe"
SYS_AUFNAHMEANLASS = f"{MEDICUS}/CodeSystem/aufnahmeanlass"
SYS_ENTLASSART = f"{MEDICUS}/CodeSystem/entlassart"
SYS_MITARBEITER = f"{MEDICUS}/sid/mitarbeiter"

ICD_VERSION = "2025"
OPS_VERSION = "2025"


def patient_number_system(iknr: str) -> str:
    """The hospital's own patient number (MR) system."""
    return f"{MEDICUS}/sid/{iknr}/patientennummer"


def case_number_system(iknr: str) -> str:
    """The hospital's own case number (VN) system."""
    return f"{MEDICUS}/sid/{iknr}/fallnummer"


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
