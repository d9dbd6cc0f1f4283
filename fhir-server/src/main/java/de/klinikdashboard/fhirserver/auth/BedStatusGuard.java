package de.klinikdashboard.fhirserver.auth;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Location;

/**
 * A client whose write access to Location comes from {@code platform-write-bed-status} alone may
 * change a bed's status and nothing else: {@code operationalStatus} and the block-reason extension
 * of an existing bed (physical type {@code bd}); holding {@code platform-write-transfer} as well,
 * also the reservation extension (a bed held for an accepted transfer request). Any other change, a
 * new Location or a ward or room is refused with 403. Clients holding {@code platform-admin}, and
 * requests without a token (the open server), are not concerned.
 */
@Interceptor
public class BedStatusGuard {

	static final String BLOCK_REASON = "https://fhir.medicus-bw.de/StructureDefinition/bettensperrgrund";
	static final String RESERVATION = "https://fhir.medicus-bw.de/StructureDefinition/bettenreservierung";
	private static final String PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type";

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void created(IBaseResource resource, RequestDetails request) {
		if (resource instanceof Location && bedStatusOnly(request)) {
			throw refused("may not create a Location");
		}
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void updated(IBaseResource before, IBaseResource after, RequestDetails request) {
		if (!(after instanceof Location changed) || !bedStatusOnly(request)) {
			return;
		}
		if (!(before instanceof Location stored) || !isBed(stored)) {
			throw refused("may change the status of a bed only");
		}
		boolean reserves = roles(request).contains(PlatformAuthorization.WRITE_TRANSFER);
		if (!withoutStatus(stored, reserves).equalsDeep(withoutStatus(changed, reserves))) {
			throw refused(reserves
					? "may change a bed's operationalStatus, block reason and reservation only"
					: "may change a bed's operationalStatus and block reason only");
		}
	}

	private static boolean bedStatusOnly(RequestDetails request) {
		Set<?> held = roles(request);
		return held.contains(PlatformAuthorization.WRITE_BED_STATUS)
				&& !held.contains(PlatformAuthorization.ADMIN);
	}

	/** The token's roles; none for a request without one (the open server). */
	static Set<?> roles(RequestDetails request) {
		if (request == null) {
			return Set.of();
		}
		Object roles = request.getUserData().get(PlatformAuthorization.ROLES);
		return roles instanceof Set<?> held ? held : Set.of();
	}

	private static boolean isBed(Location location) {
		for (Coding coding : location.getPhysicalType().getCoding()) {
			if (PHYSICAL_TYPE.equals(coding.getSystem()) && "bd".equals(coding.getCode())) {
				return true;
			}
		}
		return false;
	}

	/** The Location as far as this client may not change it. */
	private static Location withoutStatus(Location location, boolean reserves) {
		Location copy = location.copy();
		copy.setOperationalStatus(null);
		copy.getExtension().removeIf(extension -> BLOCK_REASON.equals(extension.getUrl())
				|| (reserves && RESERVATION.equals(extension.getUrl())));
		// Set by the server on every write; the narrative is generated, not written by the client.
		copy.setMeta(null);
		copy.setText(null);
		copy.setIdElement(null);
		return copy;
	}

	private static ForbiddenOperationException refused(String what) {
		return new ForbiddenOperationException("client with platform-write-bed-status " + what);
	}
}
