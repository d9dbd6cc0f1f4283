"""Strings of the transfer pages: requesting a bed in another hospital, and answering requests."""

STRINGS: dict[str, tuple[str, str]] = {
    "page.transfer_request": ("Verlegung anfragen", "Request a transfer"),
    "page.transfer_inbound": ("Verlegungsanfragen", "Transfer requests"),
    "nav.section.transfers": ("Verlegungen", "Transfers"),
    "transfer.intro_inbound": (
        "Anfragen anderer Kliniken an {hospitals}. Vor der Annahme sehen Sie nur, was für die "
        "Bettenplanung nötig ist: Altersgruppe, Geschlecht, Bettenkategorie, Isolierung, "
        "Dringlichkeit und Grund, keinen Namen.",
        "Requests of other hospitals to {hospitals}. Before accepting you see only what bed "
        "planning needs: age group, sex, bed category, isolation, urgency and reason, no name.",
    ),
    "transfer.no_hospital": (
        "Ihrem Zugang ist keine Klinik zugeordnet, für die Sie Verlegungen annehmen. "
        "Anfragen beantwortet das Belegungsmanagement der angefragten Klinik.",
        "Your account is assigned no hospital whose transfers you answer. Requests are "
        "answered by the bed management of the hospital asked.",
    ),
    "transfer.no_own_hospital": (
        "Ihrem Zugang ist keine Klinik zugeordnet; Verlegungen fragt die behandelnde Klinik an.",
        "Your account is assigned no hospital; transfers are requested by the treating hospital.",
    ),
    "transfer.requests": ("Verlegungsanfragen", "transfer requests"),
    "transfer.waiting": ("Warten auf Entscheidung", "Waiting for a decision"),
    "transfer.urgent": ("davon dringend", "of them urgent"),
    "transfer.asked_back_n": ("mit Rückfrage", "asked back"),
    "transfer.reserved_n": ("Betten reserviert", "Beds reserved"),
    "transfer.longest": ("Längste Wartezeit", "Longest wait"),
    "transfer.hours": ("{hours} h", "{hours} h"),
    "transfer.inbound_none": (
        "Keine offenen Verlegungsanfragen an Ihre Klinik.",
        "No open transfer requests to your hospital.",
    ),
    "transfer.outbound_none": (
        "Ihre Klinik hat in den letzten {days} Tagen keine Verlegung angefragt.",
        "Your hospital has not requested a transfer in the last {days} days.",
    ),
    "transfer.from": ("von {hospital}", "from {hospital}"),
    "transfer.to": ("an {hospital}", "to {hospital}"),
    "transfer.since": (
        "angefragt {time} · wartet seit {hours} h",
        "requested {time} · waiting for {hours} h",
    ),
    "transfer.asked": ("angefragt {time}", "requested {time}"),
    "transfer.reason": ("Grund: {reason}", "Reason: {reason}"),
    "transfer.isolation": ("Isolierung: {flags}", "Isolation: {flags}"),
    "transfer.no_isolation": ("keine Isolierung", "no isolation"),
    "transfer.free_matching": (
        "{n} passende Betten frei",
        "{n} suitable beds free",
    ),
    "transfer.free_none": (
        "Kein passendes Bett frei (Kategorie, Altersgruppe, bei Isolierung ein Zimmer allein).",
        "No suitable bed free (category, age group, for isolation a room alone).",
    ),
    "transfer.state.open": ("offen", "open"),
    "transfer.state.asked_back": ("Rückfrage gestellt", "asked back"),
    "transfer.state.reserved": ("angenommen, Bett reserviert", "accepted, bed reserved"),
    "transfer.state.expired": (
        "angenommen, Reservierung abgelaufen",
        "accepted, reservation ended",
    ),
    "transfer.state.declined": ("abgelehnt", "declined"),
    "transfer.state.withdrawn": ("zurückgezogen", "withdrawn"),
    "transfer.state.done": ("verlegt", "transferred"),
    "transfer.reserved_until": (
        "Bett {bed} reserviert bis {time}",
        "Bed {bed} reserved until {time}",
    ),
    "transfer.declined_because": ("Abgelehnt: {reason}", "Declined: {reason}"),
    "transfer.note": ("{time} · {author}: {text}", "{time} · {author}: {text}"),
    "transfer.bed": ("Bett", "Bed"),
    "transfer.accept": ("Annehmen und Bett reservieren", "Accept and reserve the bed"),
    "transfer.decline": ("Ablehnen", "Decline"),
    "transfer.decline_reason": ("Grund der Ablehnung", "Reason for declining"),
    "transfer.ask_back": ("Rückfrage senden", "Send a question"),
    "transfer.question": (
        "Rückfrage an die anfragende Klinik",
        "Question to the requesting hospital",
    ),
    "transfer.answer": ("Antwort senden", "Send the answer"),
    "transfer.answer_text": ("Antwort auf die Rückfrage", "Answer to the question"),
    "transfer.cancel": ("Anfrage zurückziehen", "Withdraw the request"),
    "transfer.need_words": (
        "Bitte einen Text eingeben: eine Ablehnung nennt ihren Grund, eine Rückfrage ihre Frage.",
        "Please enter a text: a decline states its reason, a question its words.",
    ),
    "transfer.lost_race": (
        "Diese Anfrage wurde gerade von jemand anderem beantwortet (jetzt: {state}). "
        "Ihre Entscheidung wurde nicht gespeichert.",
        "Somebody else has just answered this request (now: {state}). Your decision was not saved.",
    ),
    "transfer.done.accept": ("Angenommen, Bett {bed} reserviert.", "Accepted, bed {bed} reserved."),
    "transfer.done.decline": ("Anfrage abgelehnt.", "Request declined."),
    "transfer.done.ask_back": ("Rückfrage gesendet.", "Question sent."),
    "transfer.done.answer": ("Antwort gesendet.", "Answer sent."),
    "transfer.done.cancel": ("Anfrage zurückgezogen.", "Request withdrawn."),
    "transfer.done.send": ("Anfrage an {hospital} gesendet.", "Request sent to {hospital}."),
    "transfer.new": ("Neue Anfrage", "New request"),
    "transfer.patient": ("Patientin oder Patient", "Patient"),
    "transfer.target": ("Angefragte Klinik", "Hospital asked"),
    "transfer.category": ("Bettenkategorie", "Bed category"),
    "transfer.urgency": ("Dringlichkeit", "Urgency"),
    "transfer.reason_input": ("Grund der Verlegung", "Reason for the transfer"),
    "transfer.send": ("Anfrage senden", "Send the request"),
    "transfer.sends": (
        "Die angefragte Klinik sieht: {details}. Den Namen erst nach der Verlegung.",
        "The hospital asked sees: {details}. The name only after the transfer.",
    ),
    "transfer.no_inpatients": (
        "Keine stationären Patientinnen und Patienten Ihrer Fachabteilungen.",
        "No inpatients of your departments.",
    ),
    "transfer.no_targets": (
        "Die Plattform nennt keine andere Klinik, die angefragt werden könnte.",
        "The platform names no other hospital that could be asked.",
    ),
    "transfer.need_reason": ("Bitte den Grund der Verlegung angeben.", "Please state the reason."),
    "transfer.sent_list": ("Anfragen Ihrer Klinik", "Requests of your hospital"),
    "transfer.as_of": (
        "Stand {time}, aktualisiert sich alle {seconds} s",
        "As of {time}, refreshes every {seconds} s",
    ),
    "sex.female": ("weiblich", "female"),
    "sex.male": ("männlich", "male"),
    "sex.other": ("divers", "diverse"),
    "sex.unknown": ("Geschlecht unbekannt", "sex unknown"),
}
