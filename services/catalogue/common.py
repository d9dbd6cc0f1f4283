"""Strings of the frame every page lives in: login, navigation, status line, errors."""

STRINGS: dict[str, tuple[str, str]] = {
    "app.title": ("MEDI:CUS Klinik-Dashboard", "MEDI:CUS Clinical Dashboard"),
    "app.demo_notice": (
        "Demo-Umgebung mit synthetischen Daten. Die Demo-Zugänge gelten nur hier.",
        "Demo environment with synthetic data. The demo accounts are for this demo only.",
    ),
    "lang.label": ("Sprache", "Language"),
    # Each language in its own name: the picker's options must not change with the language
    # (Streamlit keeps the option's text and loses the choice when it changes on the next page).
    "lang.de": ("Deutsch", "Deutsch"),
    "lang.en": ("English", "English"),
    # Login
    "login.form": ("Anmeldung", "Sign in"),
    "login.username": ("Benutzername", "Username"),
    "login.password": ("Passwort", "Password"),
    "login.submit": ("Anmelden", "Sign in"),
    "login.captcha": ("Captcha", "Captcha"),
    "login.failed": (
        "Benutzername oder Passwort ist falsch.",
        "Username or password is incorrect.",
    ),
    "login.locked": (
        "Zu viele Fehlversuche. Der Zugang ist für {minutes} Minuten gesperrt.",
        "Too many failed attempts. The account is locked for {minutes} minutes.",
    ),
    "login.unknown_role": (
        "Ihrem Zugang ist keine Rolle zugeordnet. Bitte wenden Sie sich an die Administration.",
        "Your account has no role. Please contact the administration.",
    ),
    "login.no_users": (
        "Es sind keine Benutzer eingerichtet ({path}). `make run` legt die Demo-Benutzer an.",
        "No users are set up ({path}). `make run` creates the demo users.",
    ),
    "login.demo_off": (
        "Demo-Zugänge sind in dieser Umgebung abgeschaltet.",
        "Demo accounts are switched off in this environment.",
    ),
    "login.session_ended": (
        "Ihre Sitzung ist beendet (zu lange inaktiv, abgelaufen oder abgemeldet). "
        "Bitte melden Sie sich erneut an.",
        "Your session has ended (idle too long, expired or signed out). Please sign in again.",
    ),
    # Single sign-on (MEDICUS_SIGN_IN=oidc)
    "sso.intro": (
        "Melden Sie sich mit Ihrem Klinik-Konto an. Rolle und Zuständigkeit (Klinik, Stationen, "
        "Fachabteilungen) kommen aus dem Konto.",
        "Sign in with your hospital account. Your role and scope (hospital, wards, departments) "
        "come from the account.",
    ),
    "sso.button": ("Mit Klinik-Konto anmelden", "Sign in with hospital account"),
    "sso.not_configured": (
        "Die Anmeldung mit Klinik-Konto ist nicht eingerichtet: Das Dashboard wurde ohne die "
        "Einstellungen für den Identitätsdienst gestartet (siehe README, „Anmeldung mit "
        "Klinik-Konto“).",
        "Sign-in with a hospital account is not set up: the dashboard was started without the "
        "identity provider's settings (see README, “Single sign-on”).",
    ),
    "sso.refused.no_role": (
        "Anmeldung abgelehnt: Ihr Klinik-Konto ({username}) hat keine Rolle für das Dashboard "
        "(Ärztin/Arzt, Pflege, Management oder Administration). Bitte wenden Sie sich an die "
        "IT-Administration.",
        "Sign-in refused: your hospital account ({username}) has no role for the dashboard "
        "(physician, nurse, manager or administrator). Please contact IT administration.",
    ),
    "sso.refused.several_roles": (
        "Anmeldung abgelehnt: Ihr Klinik-Konto ({username}) hat mehrere Dashboard-Rollen. Ein "
        "Konto darf nur eine haben; bitte wenden Sie sich an die IT-Administration.",
        "Sign-in refused: your hospital account ({username}) has several dashboard roles. An "
        "account may have one only; please contact IT administration.",
    ),
    "sso.refused.missing_scope": (
        "Anmeldung abgelehnt: Ihrem Klinik-Konto ({username}) fehlen Angaben, die die Rolle "
        "{role} braucht: {missing}. Bitte wenden Sie sich an die IT-Administration.",
        "Sign-in refused: your hospital account ({username}) lacks what the role {role} "
        "needs: {missing}. Please contact IT administration.",
    ),
    "sso.refused.demo_off": (
        "Anmeldung abgelehnt: Demo-Konten sind in dieser Umgebung abgeschaltet.",
        "Sign-in refused: demo accounts are switched off in this environment.",
    ),
    "sso.refused.no_username": (
        "Anmeldung abgelehnt: Die Anmeldung nennt keinen Benutzernamen. Bitte wenden Sie sich "
        "an die IT-Administration.",
        "Sign-in refused: the sign-in names no username. Please contact IT administration.",
    ),
    "sso.scope.practitioner": ("Personen-ID (Practitioner)", "practitioner id"),
    "sso.scope.hospital": ("Klinik", "hospital"),
    "sso.scope.wards": ("Stationen", "wards"),
    "sso.scope.departments": ("Fachabteilungen", "departments"),
    "sso.scope.facilities": ("Einrichtungen", "facilities"),
    "logout": ("Abmelden", "Sign out"),
    "logout.done": ("Sie sind abgemeldet.", "You are signed out."),
    "logout.sign_in_again": ("Erneut anmelden", "Sign in again"),
    "user.signed_in_as": ("Angemeldet: {name} ({role})", "Signed in: {name} ({role})"),
    # Roles
    "role.physician": ("Ärztin/Arzt", "Physician"),
    "role.nurse": ("Pflege", "Nurse"),
    "role.manager": ("Management", "Manager"),
    "role.admin": ("Administration", "Administrator"),
    # Navigation
    "nav.section.start": ("Übersicht", "Overview"),
    "nav.section.patients": ("Patientinnen und Patienten", "Patients"),
    "nav.section.ward": ("Station", "Ward"),
    "nav.section.capacity": ("Kapazität und Auslastung", "Capacity and workload"),
    "nav.section.admin": ("Administration", "Administration"),
    "nav.section.account": ("Konto", "Account"),
    "page.home": ("Start", "Home"),
    "page.patient_search": ("Patientensuche", "Patient search"),
    "page.timeline": ("Verlauf", "Timeline"),
    "page.my_patients": ("Meine Patienten", "My patients"),
    "page.tasks": ("Aufgaben", "Tasks"),
    "page.bed_board": ("Bettenbelegung", "Bed board"),
    "page.handover": ("Schichtübergabe", "Shift handover"),
    "page.acuity": ("Frühwarnscore (NEWS2)", "Early warning (NEWS2)"),
    "page.capacity": ("Kapazität", "Capacity"),
    "page.trends": ("Verläufe", "Trends"),
    "page.workload": ("Arbeitslast", "Workload"),
    "page.forecast": ("Prognose", "Forecast"),
    "page.audit": ("Protokoll", "Audit trail"),
    "page.logout": ("Abmelden", "Sign out"),
    "guard.not_permitted": (
        "Nicht berechtigt: Ihre Rolle darf diese Seite nicht sehen.",
        "Not permitted: your role may not see this page.",
    ),
    "guard.not_signed_in": ("Bitte melden Sie sich an.", "Please sign in."),
    # Status line and freshness
    "status.source_ok": ("{source}: erreichbar, Stand {time}", "{source}: reachable, as of {time}"),
    "status.source_failed": (
        "{source}: nicht erreichbar, zuletzt aktuell {time}",
        "{source}: unreachable, last fresh {time}",
    ),
    "status.source_never": (
        "{source}: nicht erreichbar, noch keine Daten",
        "{source}: unreachable, no data yet",
    ),
    "status.truncated": (
        "Nicht vollständig: mehr als {cap} Einträge, nur die ersten werden gezeigt.",
        "Incomplete: more than {cap} entries, only the first are shown.",
    ),
    "status.warnings": (
        "{count} fehlerhafte Angaben in den Daten wurden übersprungen.",
        "{count} malformed items in the data were skipped.",
    ),
    "status.store_synced": (
        "{source}: Auswertungsbestand vom {time}",
        "{source}: analytics store as of {time}",
    ),
    "status.store_stale": (
        "{source}: Auswertungsbestand vom {time}, zu alt, Kennzahlen per Suche",
        "{source}: analytics store as of {time}, too old, figures by search",
    ),
    "status.store_never": (
        "{source}: noch kein Auswertungsbestand, Kennzahlen per Suche",
        "{source}: no analytics store yet, figures by search",
    ),
    "status.loading": ("Lade {what} …", "Loading {what} …"),
    "status.loaded": ("{count} {what} geladen", "{count} {what} loaded"),
    "status.refresh": ("Aktualisieren", "Refresh"),
    # Errors (keys match services.errors message_key)
    "error.generic": (
        "Die Daten konnten nicht geladen werden ({detail}).",
        "The data could not be loaded ({detail}).",
    ),
    "error.unavailable": (
        "{source} ist nicht erreichbar. Bitte später erneut versuchen; "
        "die übrigen Quellen werden weiter angezeigt.",
        "{source} cannot be reached. Please try again later; the other sources are still shown.",
    ),
    "error.timeout": (
        "{source} antwortet zu langsam. Bitte später erneut versuchen "
        "oder den Zeitraum verkleinern.",
        "{source} is answering too slowly. Please try again later or narrow the time window.",
    ),
    "error.unauthorised": (
        "{source} verweigert den Zugriff. Bitte die Zugangsdaten der Quelle prüfen lassen.",
        "{source} refuses access. Please have the source's credentials checked.",
    ),
    "error.not_found": (
        "{source}: Der Eintrag wurde nicht gefunden ({detail}).",
        "{source}: the entry was not found ({detail}).",
    ),
    "error.conflict": (
        "Jemand hat diesen Eintrag gerade geändert. Der aktuelle Stand wird gezeigt; "
        "Ihre Eingabe bleibt erhalten.",
        "Somebody has just changed this entry. Its current state is shown; your input is kept.",
    ),
    "error.bed_taken": (
        "Das gewählte Bett ist inzwischen belegt, gesperrt oder reserviert. "
        "Die Anfrage ist wieder offen; bitte ein anderes Bett wählen.",
        "The chosen bed has been taken, blocked or reserved meanwhile. "
        "The request is open again; please choose another bed.",
    ),
    "error.not_permitted": (
        "Diese Änderung ist Ihnen nicht erlaubt.",
        "You are not permitted to make this change.",
    ),
    "error.server": (
        "{source} meldet einen Fehler: {detail}",
        "{source} reports an error: {detail}",
    ),
    "error.invalid_data": (
        "{source} hat unlesbare Daten geliefert ({detail}).",
        "{source} sent unreadable data ({detail}).",
    ),
    "error.request_rejected": (
        "Die Anfrage an {source} ist so nicht möglich (zum Beispiel zu lang). "
        "Bitte die Suche eingrenzen.",
        "The request to {source} cannot be sent like this (for example, it is too long). "
        "Please narrow the search.",
    ),
    "error.misconfigured": (
        "Eine Einstellungsdatei des Dashboards ist fehlerhaft. Bitte die Administration "
        "informieren.",
        "A settings file of the dashboard is faulty. Please inform the administration.",
    ),
    "error.unexpected": (
        "Diese Seite konnte nicht angezeigt werden. Bitte erneut versuchen; besteht der Fehler "
        "fort, die Administration informieren.",
        "This page could not be shown. Please try again; if the error persists, inform the "
        "administration.",
    ),
    "error.incident": ("Vorgangsnummer: {incident}", "Incident number: {incident}"),
    # Start pages
    "home.nurse.title": ("Meine Station jetzt", "My ward now"),
    "home.nurse.no_wards": (
        "Ihrem Zugang ist keine Station zugeordnet.",
        "Your account is not assigned to a ward.",
    ),
    "home.nurse.open": ("Offene Aufgaben", "Open tasks"),
    "home.nurse.overdue": ("Überfällig", "Overdue"),
    "home.nurse.patients": ("Belegte Betten", "Occupied beds"),
    "home.nurse.overdue_list": ("Überfällige Aufgaben", "Overdue tasks"),
    "home.nurse.none_overdue": ("Keine überfälligen Aufgaben.", "No overdue tasks."),
    "home.physician.title": ("Meine stationären Patienten", "My current inpatients"),
    "home.physician.count": ("Patienten", "Patients"),
    "home.physician.none": (
        "Zurzeit keine stationären Patienten in Ihren Fachabteilungen.",
        "No current inpatients in your departments.",
    ),
    "home.manager.title": ("Bettenlage im Netzwerk", "Beds across the network"),
    "home.admin.title": ("Protokoll der letzten 24 Stunden", "Audit trail of the last 24 hours"),
    "home.admin.events": ("Ereignisse", "Events"),
    "home.admin.break_glass": ("Notfallzugriffe", "Break-glass accesses"),
    "home.admin.local": ("Lokal gespeichert", "Kept locally"),
    "home.more": ("Weiter: {page}", "More: {page}"),
    # Sources that report wards but no beds, and stays the source left open
    "beds.none_reported": (
        "Diese Quelle meldet keine Betten; Belegung nur je Station.",
        "This source reports no beds; occupancy by ward only.",
    ),
    "beds.ward_census": ("Patienten jetzt", "Patients now"),
    "beds.no_ward": ("ohne Station", "no ward"),
    "stays.stale": (
        "{n} Aufenthalte seit über {days} Tagen offen – nicht mitgezählt.",
        "{n} stays open for more than {days} days – not counted.",
    ),
    # Column headings shared by tables
    "col.patient": ("Patient/in", "Patient"),
    "col.birth_date": ("Geburtsdatum", "Date of birth"),
    "col.age": ("Alter", "Age"),
    "col.hospital": ("Klinik", "Hospital"),
    "col.department": ("Fachabteilung", "Department"),
    "col.ward": ("Station", "Ward"),
    "col.room": ("Zimmer", "Room"),
    "col.bed": ("Bett", "Bed"),
    "col.admitted": ("Aufnahme", "Admitted"),
    "col.days": ("Tage", "Days"),
    "col.planned_discharge": ("Geplante Entlassung", "Planned discharge"),
    "col.task": ("Aufgabe", "Task"),
    "col.due": ("Fällig", "Due"),
    "col.priority": ("Priorität", "Priority"),
    "col.status": ("Status", "Status"),
    "col.owner": ("Zuständig", "Owner"),
    "col.total": ("Betten gesamt", "Beds total"),
    "col.occupied": ("Belegt", "Occupied"),
    "col.free": ("Frei", "Free"),
    "col.blocked": ("Gesperrt", "Blocked"),
    "col.occupancy": ("Auslastung", "Occupancy"),
    "col.when": ("Zeitpunkt", "When"),
    "col.user": ("Benutzer", "User"),
    "col.record": ("Akte", "Record"),
    "col.role": ("Rolle", "Role"),
    "col.action": ("Aktion", "Action"),
    "col.page": ("Seite", "Page"),
    "col.reason": ("Begründung", "Reason"),
    "col.source": ("Quelle", "Source"),
    "network.total": ("Netzwerk gesamt", "Network total"),
    # Coded values
    "priority.stat": ("sofort", "stat"),
    "priority.asap": ("schnellstmöglich", "asap"),
    "priority.urgent": ("dringend", "urgent"),
    "priority.routine": ("routinemäßig", "routine"),
    "task_status.requested": ("angefordert", "requested"),
    "task_status.ready": ("bereit", "ready"),
    "task_status.in-progress": ("in Arbeit", "in progress"),
    "task_status.completed": ("erledigt", "completed"),
    "task_status.cancelled": ("storniert", "cancelled"),
    "task_code.vitalzeichen": ("Vitalzeichen erheben", "Vital signs round"),
    "task_code.medikation": ("Medikation", "Medication"),
    "task_code.wundversorgung": ("Wundversorgung", "Wound care"),
    "task_code.mobilisation": ("Mobilisation", "Mobilisation"),
    "task_code.entlassvorbereitung": ("Entlassvorbereitung", "Discharge preparation"),
    "task_code.bettenreinigung": ("Bettenreinigung", "Bed cleaning"),
    "bed_status.O": ("belegt", "occupied"),
    "bed_status.U": ("frei", "free"),
    "bed_status.C": ("gesperrt", "closed"),
    "bed_status.H": ("in Reinigung", "housekeeping"),
    "bed_status.I": ("isoliert", "isolated"),
    "bed_status.K": ("kontaminiert, Desinfektion", "contaminated, being disinfected"),
    "bed_status.R": ("reserviert", "reserved"),
    "block_reason.personal": ("Personalmangel", "staff shortage"),
    "block_reason.wartung": ("Wartung oder Reparatur", "maintenance or repair"),
    "block_reason.isolation": ("Isolierung im Zimmer", "isolation of the room"),
    "isolation.mrsa": ("MRSA", "MRSA"),
    "isolation.3mrgn": ("3MRGN", "3MRGN"),
    "isolation.4mrgn": ("4MRGN", "4MRGN"),
    "isolation.norovirus": ("Norovirus", "norovirus"),
    "isolation.covid-19": ("COVID-19", "COVID-19"),
    "bed_category.icu-high-care": ("Intensiv (High Care)", "ICU high care"),
    "bed_category.icu-low-care": ("Intensiv (Low Care)", "ICU low care"),
    "bed_category.imc": ("IMC", "IMC"),
    "bed_category.general": ("Normalstation", "General ward"),
    "age_group.adult": ("Erwachsene", "Adults"),
    "age_group.paediatric": ("Kinder", "Children"),
    "audit_action.R": ("Ansicht", "View"),
    "audit_action.U": ("Änderung", "Change"),
    "audit_action.C": ("Anlage", "Create"),
    "audit_action.E": ("Suche", "Search"),
    # Generic words
    "word.none": ("keine", "none"),
    "word.all": ("alle", "all"),
    "word.yes": ("ja", "yes"),
    "word.no": ("nein", "no"),
    "download.csv": ("CSV herunterladen", "Download CSV"),
    "download.json": ("JSON herunterladen", "Download JSON"),
    "download.png": ("PNG herunterladen", "Download PNG"),
    # Streamlit's widget texts, given by the app so that they follow the language
    "widget.choose_one": ("Bitte auswählen", "Choose an option"),
    "widget.choose_many": ("Auswahl treffen", "Choose options"),
    "print.printed": ("Gedruckt {time} von {name}", "Printed {time} by {name}"),
    "print.hint": (
        "Zum Drucken die Druckfunktion des Browsers verwenden (Strg+P).",
        "Use the browser's print function (Ctrl+P) to print.",
    ),
}
