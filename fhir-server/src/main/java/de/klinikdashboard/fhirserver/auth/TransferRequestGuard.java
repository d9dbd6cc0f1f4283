package de.klinikdashboard.fhirserver.auth;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * A client whose write access to ServiceRequest comes from {@code platform-write-transfer} may
 * write the order of a transfer request only (category bettenanfrage {@code verlegung}, docs/
 * DATA_MODEL.md "Transfer requests"), and change only such an order: anything else is refused with
 * 403. Clients holding {@code platform-admin}, and requests without a token (the open server), are
 * not concerned.
 */
@Interceptor
public class TransferRequestGuard {

	static final String BED_REQUEST = "https://fhir.medicus-bw.de/CodeSystem/bettenanfrage";
	static final String TRANSFER = "verlegung";

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void created(IBaseResource resource, RequestDetails request) {
		if (resource instanceof ServiceRequest order && transferOnly(request) && !isTransfer(order)) {
			throw refused();
		}
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void updated(IBaseResource before, IBaseResource after, RequestDetails request) {
		if (!(after instanceof ServiceRequest changed) || !transferOnly(request)) {
			return;
		}
		if (!(before instanceof ServiceRequest stored) || !isTransfer(stored) || !isTransfer(changed)) {
			throw refused();
		}
	}

	private static boolean transferOnly(RequestDetails request) {
		Set<?> held = BedStatusGuard.roles(request);
		return held.contains(PlatformAuthorization.WRITE_TRANSFER)
				&& !held.contains(PlatformAuthorization.ADMIN);
	}

	private static boolean isTransfer(ServiceRequest order) {
		for (CodeableConcept category : order.getCategory()) {
			if (category.hasCoding(BED_REQUEST, TRANSFER)) {
				return true;
			}
		}
		return false;
	}

	private static ForbiddenOperationException refused() {
		return new ForbiddenOperationException(
				"client with platform-write-transfer may write transfer requests only");
	}
}
