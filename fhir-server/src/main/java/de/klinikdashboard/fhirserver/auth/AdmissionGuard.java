package de.klinikdashboard.fhirserver.auth;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Encounter.EncounterLocationComponent;
import org.hl7.fhir.r4.model.Encounter.EncounterLocationStatus;
import org.hl7.fhir.r4.model.Encounter.EncounterStatus;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;

/**
 * A client whose write access to Encounter comes from {@code platform-write-admission} may write
 * what the ward's admission queue and a transfer's arrival write (services/admissions.py,
 * services/transfers.py), and nothing else:
 *
 * <ul>
 *   <li>create a waiting inpatient stay ({@code planned} or {@code arrived}, class {@code IMP},
 *       a Patient as subject, an Organization as serviceProvider, begun now, no place, no end):
 *       the stay an accepted transfer request announces. Of its elements only id, status, class,
 *       type, subject, basedOn, hospitalization.admitSource, serviceProvider and period.start;
 *   <li>on an existing stay change the status along the queue's steps only (waiting to {@code
 *       in-progress} or {@code cancelled}, {@code in-progress} to {@code finished}); the period's
 *       start while the stay waits, its end when it finishes; end the active location entries
 *       ({@code completed}, period end now) and, while the stay is or becomes {@code
 *       in-progress}, add new active entries beginning now; the discharge disposition when it
 *       finishes, which also ends every place.
 * </ul>
 *
 * Everything else (subject, class, type, diagnoses, participants, serviceProvider, identifiers,
 * admit source, narrative, a location entry rewritten or removed, a back- or forward-dated time,
 * a finished or cancelled stay changed) is refused with 403, saying why. Times written must lie within
 * {@link #SKEW} of the server's clock, as the services write them: a stay cannot be finished or
 * moved in the past. Deleting needs the admin client already ({@link PlatformAuthorization}
 * allows this client no delete). Clients holding {@code platform-admin}, and requests without a
 * token (the open server), are not concerned.
 */
@Interceptor
public class AdmissionGuard {

	/** How far a time written may lie from the server's clock (the two clocks of app and platform). */
	static final Duration SKEW = Duration.ofMinutes(15);

	private static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
	private static final Set<EncounterStatus> WAITING = Set.of(EncounterStatus.PLANNED, EncounterStatus.ARRIVED);
	/** The queue's steps: a waiting stay gets a bed or is cancelled, a stay in a bed finishes. */
	private static final Map<EncounterStatus, Set<EncounterStatus>> STEPS = Map.of(
			EncounterStatus.PLANNED, Set.of(EncounterStatus.PLANNED, EncounterStatus.INPROGRESS, EncounterStatus.CANCELLED),
			EncounterStatus.ARRIVED, Set.of(EncounterStatus.ARRIVED, EncounterStatus.INPROGRESS, EncounterStatus.CANCELLED),
			EncounterStatus.INPROGRESS, Set.of(EncounterStatus.INPROGRESS, EncounterStatus.FINISHED));

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void created(IBaseResource resource, RequestDetails request) {
		if (resource instanceof Encounter stay && admissionOnly(request)) {
			checkNew(stay);
		}
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void updated(IBaseResource before, IBaseResource after, RequestDetails request) {
		if (!(after instanceof Encounter changed) || !admissionOnly(request)) {
			return;
		}
		if (!(before instanceof Encounter stored)) {
			throw refused("may change a stay only");
		}
		checkChange(stored, changed);
	}

	private static boolean admissionOnly(RequestDetails request) {
		Set<?> held = BedStatusGuard.roles(request);
		return held.contains(PlatformAuthorization.WRITE_ADMISSION) && !held.contains(PlatformAuthorization.ADMIN);
	}

	private static void checkNew(Encounter created) {
		// A copy: reading an absent element creates it, and the stored resource stays as sent.
		Encounter stay = created.copy();
		if (stay.getStatus() == null || !WAITING.contains(stay.getStatus())) {
			throw refused("may create a waiting stay only (planned or arrived), not " + code(stay.getStatus()));
		}
		if (!ACT_CODE.equals(stay.getClass_().getSystem()) || !"IMP".equals(stay.getClass_().getCode())) {
			throw refused("may create an inpatient stay (class IMP) only");
		}
		if (!isA(stay.getSubject(), "Patient") || !isA(stay.getServiceProvider(), "Organization")) {
			throw refused("may create a stay of a Patient at an Organization only");
		}
		if (!stay.getPeriod().hasStart() || stay.getPeriod().hasEnd()) {
			throw refused("may create a stay begun now and not ended only");
		}
		recent(stay.getPeriod().getStartElement(), "the stay's start");
		Encounter rest = stay.copy();
		rest.setIdElement(null);
		rest.setMeta(null);
		rest.setStatus(null);
		rest.setClass_(null);
		rest.setType(null);
		rest.setSubject(null);
		rest.setBasedOn(null);
		rest.setServiceProvider(null);
		rest.setPeriod(null);
		if (rest.hasHospitalization()) {
			rest.getHospitalization().setAdmitSource(null);
		}
		if (!rest.isEmpty()) {
			throw refused("may create a waiting stay with status, class, type, subject, basedOn, admit source,"
					+ " serviceProvider and start only");
		}
	}

	private static void checkChange(Encounter before, Encounter after) {
		Encounter stored = before.copy();
		Encounter changed = after.copy();
		EncounterStatus from = stored.getStatus();
		EncounterStatus to = changed.getStatus();
		if (from == to && comparable(stored).equalsDeep(comparable(changed))) {
			// The same stay written again (a repeated transaction): nothing changes.
			return;
		}
		if (from == null || !STEPS.containsKey(from)) {
			throw refused("may not change a " + code(from) + " stay");
		}
		if (to == null || !STEPS.get(from).contains(to)) {
			throw refused("may not change a stay from " + code(from) + " to " + code(to));
		}
		if (!unguarded(stored).equalsDeep(unguarded(changed))) {
			throw refused("may change a stay's status, period, location entries and discharge disposition only");
		}
		boolean finishes = from == EncounterStatus.INPROGRESS && to == EncounterStatus.FINISHED;
		checkPeriod(stored, changed, finishes);
		checkLocations(stored, changed, to, finishes);
		if (!finishes && !disposition(stored).equalsDeep(disposition(changed))) {
			throw refused("may set the discharge disposition when the stay finishes only");
		}
		if (finishes && disposition(changed).isEmpty()) {
			throw refused("may finish a stay only with its discharge disposition");
		}
	}

	private static void checkPeriod(Encounter stored, Encounter changed, boolean finishes) {
		Period before = stored.getPeriod();
		Period after = changed.getPeriod();
		if (!before.getStartElement().equalsDeep(after.getStartElement())) {
			if (!WAITING.contains(stored.getStatus()) || !after.hasStart()) {
				throw refused("may change the start of a waiting stay only");
			}
			recent(after.getStartElement(), "the stay's start");
		}
		if (!before.getEndElement().equalsDeep(after.getEndElement())) {
			if (!finishes || before.hasEnd() || !after.hasEnd()) {
				throw refused("may set a stay's end when it finishes only");
			}
			recent(after.getEndElement(), "the stay's end");
		}
		Period rest = after.copy();
		rest.setStartElement(before.getStartElement().copy());
		rest.setEndElement(before.getEndElement().copy());
		if (!before.equalsDeep(rest)) {
			throw refused("may change a stay's start and end only");
		}
	}

	/**
	 * Entries already there stay, each as it was or, if it was active, ended now; new entries are
	 * appended, active from now, while the stay lies in a bed. A finished stay holds no active one.
	 */
	private static void checkLocations(Encounter stored, Encounter changed, EncounterStatus to, boolean finishes) {
		List<EncounterLocationComponent> before = stored.getLocation();
		List<EncounterLocationComponent> after = changed.getLocation();
		if (after.size() < before.size()) {
			throw refused("may not remove a location entry of a stay");
		}
		for (int i = 0; i < before.size(); i++) {
			EncounterLocationComponent was = before.get(i);
			EncounterLocationComponent is = after.get(i);
			if (was.equalsDeep(is)) {
				continue;
			}
			EncounterLocationComponent ended = was.copy();
			ended.setStatus(EncounterLocationStatus.COMPLETED);
			ended.getPeriod().setEndElement(is.getPeriod().getEndElement().copy());
			if (was.getStatus() != EncounterLocationStatus.ACTIVE
					|| was.getPeriod().hasEnd()
					|| !is.getPeriod().hasEnd()
					|| !ended.equalsDeep(is)) {
				throw refused("may only end an active location entry of a stay (status completed, period end)");
			}
			recent(is.getPeriod().getEndElement(), "a location entry's end");
		}
		List<EncounterLocationComponent> added = after.subList(before.size(), after.size());
		if (!added.isEmpty() && to != EncounterStatus.INPROGRESS) {
			throw refused("may add location entries to a stay in progress only");
		}
		for (EncounterLocationComponent entry : added) {
			EncounterLocationComponent rest = entry.copy();
			rest.setLocation(null);
			rest.setPhysicalType(null);
			rest.setStatus(null);
			rest.getPeriod().setStartElement(null);
			if (entry.getStatus() != EncounterLocationStatus.ACTIVE
					|| !isA(entry.getLocation(), "Location")
					|| !entry.getPeriod().hasStart()
					|| !rest.isEmpty()) {
				throw refused("may add an active location entry (location, physical type, start) only");
			}
			recent(entry.getPeriod().getStartElement(), "a location entry's start");
		}
		if (finishes && after.stream().anyMatch(e -> e.getStatus() == EncounterLocationStatus.ACTIVE)) {
			throw refused("may finish a stay only with every place ended");
		}
	}

	/** The stay as far as none of the queue's writes changes it. */
	private static Encounter unguarded(Encounter stay) {
		Encounter copy = comparable(stay);
		copy.setStatus(null);
		copy.setPeriod(null);
		copy.setLocation(null);
		if (copy.hasHospitalization()) {
			copy.getHospitalization().setDischargeDisposition(null);
		}
		return copy;
	}

	/**
	 * The stay without what the server sets on every write. The narrative counts: this server
	 * generates none, so it is what a client wrote, and the services send it back as they read it.
	 */
	private static Encounter comparable(Encounter stay) {
		Encounter copy = stay.copy();
		copy.setMeta(null);
		copy.setIdElement(null);
		return copy;
	}

	private static CodeableConcept disposition(Encounter stay) {
		return stay.getHospitalization().getDischargeDisposition();
	}

	private static boolean isA(Reference reference, String type) {
		String text = reference.getReference();
		return text != null && text.startsWith(type + "/") && text.length() > type.length() + 1;
	}

	private static void recent(DateTimeType moment, String what) {
		Date value = moment.getValue();
		if (value == null) {
			throw refused("may write " + what + " only as a date and time");
		}
		Duration off = Duration.between(Instant.now(), value.toInstant()).abs();
		if (off.compareTo(SKEW) > 0) {
			throw refused("may write " + what + " as now only, not " + moment.getValueAsString());
		}
	}

	private static String code(EncounterStatus status) {
		return status == null ? "no status" : status.toCode();
	}

	private static ForbiddenOperationException refused(String what) {
		return new ForbiddenOperationException("client with platform-write-admission " + what);
	}
}
