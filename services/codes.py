"""Code and identifier systems the dashboard reads (see docs/DATA_MODEL.md and DESIGN.md)."""

from __future__ import annotations

KVNR = "http://fhir.de/sid/gkv/kvid-10"
IKNR = "http://fhir.de/sid/arge-ik/iknr"
IDENTIFIER_TYPE_DE = "http://fhir.de/CodeSystem/identifier-type-de-basis"
IDENTIFIER_TYPE_V2 = "http://terminology.hl7.org/CodeSystem/v2-0203"
ICD10GM = "http://fhir.de/CodeSystem/bfarm/icd-10-gm"
OPS = "http://fhir.de/CodeSystem/bfarm/ops"
ATC = "http://fhir.de/CodeSystem/bfarm/atc"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
KONTAKTEBENE = "http://fhir.de/CodeSystem/Kontaktebene"
FACHABTEILUNG = "http://fhir.de/CodeSystem/dkgev/Fachabteilungsschluessel"
PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
BED_STATUS = "http://terminology.hl7.org/CodeSystem/v2-0116"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
PLANNED_END = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedEndDate"

MEDICUS = "https://fhir.medicus-bw.de"
BED_CATEGORY = f"{MEDICUS}/CodeSystem/bettenkategorie"
AGE_GROUP = f"{MEDICUS}/CodeSystem/altersgruppe"
ROLE = f"{MEDICUS}/CodeSystem/rolle"
SHIFT = f"{MEDICUS}/CodeSystem/schicht"
NURSING_TASK = f"{MEDICUS}/CodeSystem/pflegeaufgabe"

# Task states in which work is still to be done.
OPEN_TASK_STATES = ("requested", "ready", "in-progress")
BED_STATES = ("O", "U", "C", "H", "I", "K")
BED_CATEGORIES = ("icu-high-care", "icu-low-care", "imc", "general")
