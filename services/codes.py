"""Code and identifier systems the dashboard reads (see docs/DATA_MODEL.md and DESIGN.md)."""

from __future__ import annotations

KVNR = "http://fhir.de/sid/gkv/kvid-10"
IKNR = "http://fhir.de/sid/arge-ik/iknr"
IDENTIFIER_TYPE_DE = "http://fhir.de/CodeSystem/identifier-type-de-basis"
IDENTIFIER_TYPE_V2 = "http://terminology.hl7.org/CodeSystem/v2-0203"
# MII research exports: the pseudonym that replaces name and KVNR, typed PSEUDED.
PSEUDONYM = "https://www.medizininformatik-initiative.de/fhir/sid/pseudonym"
OBSERVATION_VALUE = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
ICD10GM = "http://fhir.de/CodeSystem/bfarm/icd-10-gm"
OPS = "http://fhir.de/CodeSystem/bfarm/ops"
ATC = "http://fhir.de/CodeSystem/bfarm/atc"
PZN = "http://fhir.de/CodeSystem/ifa/pzn"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
KONTAKTEBENE = "http://fhir.de/CodeSystem/Kontaktebene"
FACHABTEILUNG = "http://fhir.de/CodeSystem/dkgev/Fachabteilungsschluessel"
# MII sources code departments in the extended key (same codes, plus in-house subdivisions).
FACHABTEILUNG_ERWEITERT = f"{FACHABTEILUNG}-erweitert"
# MII: the hospital (site) of an Einrichtungskontakt, named by identifier instead of a reference.
MII_LOCATION_ID = (
    "https://www.medizininformatik-initiative.de/fhir/core/CodeSystem/core-location-identifier"
)
PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
# Encounter statuses that say the contact never was (or is no longer) a stay.
NOT_A_STAY = ("entered-in-error", "cancelled")
BED_STATUS = "http://terminology.hl7.org/CodeSystem/v2-0116"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
REPORT_SECTION = "http://terminology.hl7.org/CodeSystem/v2-0074"
MII_CONSENT_CATEGORY = (
    "https://www.medizininformatik-initiative.de/fhir/modul-consent/CodeSystem/"
    "mii-cs-consent-consent_category"
)
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
# SNOMED CT situations that state no allergy is known (all kinds, drugs, food, environment).
NO_KNOWN_ALLERGY = frozenset({"716186003", "409137002", "429625007", "428607008"})
# SNOMED CT situations that state no problem, no medication is known.
NO_KNOWN_PROBLEM = frozenset({"160245001"})
NO_KNOWN_MEDICATION = frozenset({"787481004"})
# International Patient Summary: the document's profile, and the codes that say a section has no
# information (``no-allergy-info``) or that none is known (``no-known-allergies``).
IPS_BUNDLE = "http://hl7.org/fhir/uv/ips/StructureDefinition/Bundle-uv-ips"
IPS_ABSENT_UNKNOWN = "http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips"
IPS_OPERATION = "http://hl7.org/fhir/uv/ips/OperationDefinition/summary"
UCUM = "http://unitsofmeasure.org"
# Klinische Dokumentenklassen-Liste (DVMD): the German document classes of DocumentReference.type.
KDL = "http://dvmd.de/fhir/CodeSystem/kdl"
PLANNED_END = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedEndDate"

MEDICUS = "https://fhir.medicus-bw.de"
BED_CATEGORY = f"{MEDICUS}/CodeSystem/bettenkategorie"
AGE_GROUP = f"{MEDICUS}/CodeSystem/altersgruppe"
ROLE = f"{MEDICUS}/CodeSystem/rolle"
# The platform's id of a user's Practitioner record, for naming it where that record is not.
PRACTITIONER_ID = f"{MEDICUS}/sid/practitioner"
SHIFT = f"{MEDICUS}/CodeSystem/schicht"
NURSING_TASK = f"{MEDICUS}/CodeSystem/pflegeaufgabe"
# The task of cleaning a bed a patient left (pflegeaufgabe): its completion frees the bed.
BED_CLEANING = "bettenreinigung"
# Why a bed cannot take a patient (closed or isolated): an extension on the bed Location whose
# valueCodeableConcept codes the reason (docs/DATA_MODEL.md).
BED_BLOCK_REASON_EXT = f"{MEDICUS}/StructureDefinition/bettensperrgrund"
# When the planned discharge date (``PLANNED_END``) was first documented; see docs/DATA_MODEL.md.
PLANNED_END_RECORDED = f"{MEDICUS}/StructureDefinition/entlassdatum-erfasst"
BED_BLOCK_REASON = f"{MEDICUS}/CodeSystem/bettensperrgrund"
BED_BLOCK_REASONS = ("personal", "wartung", "isolation")
# Isolation flags of a patient (Flag.code): the codes the dashboard names in words.
ISOLATION = f"{MEDICUS}/CodeSystem/isolation"
ISOLATION_CODES = ("mrsa", "3mrgn", "4mrgn", "norovirus", "covid-19")
# Requests for a bed (docs/DATA_MODEL.md, "Transfer requests"): the code of the Task and the
# category of its ServiceRequest; the Task's inputs name what the target hospital may know
# before it accepts, and its output the reserved bed.
BED_REQUEST = f"{MEDICUS}/CodeSystem/bettenanfrage"
TRANSFER = "verlegung"
# A patient waiting on a ward for a bed (docs/DATA_MODEL.md, "Ward admission queue"): same code
# system, so the Task never reaches a nursing task list.
ADMISSION = "aufnahme"
REQUEST_DETAIL = f"{MEDICUS}/CodeSystem/anfrageangabe"
# Where a stay came from (Encounter.hospitalization.admitSource: einweisung, notfall, verlegung)
# and how it ended (dischargeDisposition: entlassung, verlegung).
ADMIT_SOURCE = f"{MEDICUS}/CodeSystem/aufnahmeanlass"
DISCHARGE_KIND = f"{MEDICUS}/CodeSystem/entlassart"
# A bed held for an accepted request until ``bis``; a complex extension on the bed Location.
BED_RESERVATION_EXT = f"{MEDICUS}/StructureDefinition/bettenreservierung"

# NEWS2 (Royal College of Physicians, 2017): the LOINC codes that carry each parameter
# (docs/DATA_MODEL.md). SpO2 by pulse oximetry or arterial blood; air or oxygen from the inhaled
# oxygen flow rate (L/min, 0 = air) or the inhaled oxygen concentration (%, 21 = air); systolic
# pressure also as a component of the blood pressure panel; consciousness as a coded value.
NEWS2_LOINC: dict[str, tuple[str, ...]] = {
    "respiration": ("9279-1",),
    "spo2": ("59408-5", "2708-6"),
    "oxygen_flow": ("3151-8",),
    "oxygen_fraction": ("3150-0",),
    "systolic": ("8480-6",),
    "pulse": ("8867-4",),
    "consciousness": ("67775-7",),
    "temperature": ("8310-5",),
}
# ACVPU values of the consciousness Observation (SNOMED CT): alert, new confusion, voice, pain,
# unresponsive.
ACVPU: dict[str, str] = {
    "248234008": "A",
    "130987000": "C",
    "300202002": "V",
    "450847001": "P",
    "422768004": "U",
}
# A clinician's decision that a patient's SpO2 target is 88-92 % (hypercapnic respiratory
# failure), so NEWS2 scores SpO2 on scale 2: an active Flag with this code (docs/DATA_MODEL.md).
NEWS2 = f"{MEDICUS}/CodeSystem/news2"
SPO2_SCALE_2 = "spo2-skala-2"

# What the handover reads out beyond tasks and vitals (docs/DATA_MODEL.md, "Nursing
# assessments"): the resuscitation status as an active Flag of this system; mobility as an
# Observation coded ``mobilitaet`` in the nursing-finding system, its value a grade of
# ``MOBILITY``; pain as the 0-10 numeric rating scale (LOINC).
RESUSCITATION = f"{MEDICUS}/CodeSystem/reanimationsstatus"
RESUSCITATION_CODES = ("rea", "keine-rea", "keine-rea-keine-intubation")
NURSING_FINDING = f"{MEDICUS}/CodeSystem/pflegebefund"
MOBILITY_FINDING = "mobilitaet"
MOBILITY = f"{MEDICUS}/CodeSystem/mobilitaet"
MOBILITY_GRADES = ("selbststaendig", "hilfsmittel", "unterstuetzung", "bettlaegerig")
PAIN_NRS = "72514-3"
# OPS chapter 5: operations. The handover counts the days after the latest one of the stay.
OPS_OPERATION_PREFIX = "5-"

# Task states in which work is still to be done.
OPEN_TASK_STATES = ("requested", "ready", "in-progress")
BED_STATES = ("O", "U", "C", "H", "I", "K")
# The one bed state that can take a patient now (unoccupied, clean, open); every other state
# not occupied is blocked: closed, housekeeping, isolated, contaminated.
FREE_BED_STATE = "U"
BLOCKED_BED_STATES = ("C", "H", "I", "K")
# Not a v2-0116 code and never written: the dashboard's word for a bed that reports U but is
# held for an accepted transfer until its reservation ends (``domain.beds.bed_status_now``).
RESERVED_BED_STATE = "R"
# The states a cleaning ends: housekeeping, and disinfection after a patient in isolation.
CLEANING_BED_STATES = ("H", "K")
BED_CATEGORIES = ("icu-high-care", "icu-low-care", "imc", "general")

# Code systems of diagnoses, procedures, medication and results that the dashboard can name;
# a code from any other system is shown as written and reported on the data-quality page.
KNOWN_CODE_SYSTEMS = frozenset({ICD10GM, OPS, ATC, PZN, LOINC, SNOMED, KDL})
