package de.klinikdashboard.fhirserver.auth;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilder;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Patient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request but {@code /metadata} needs a valid bearer token; its roles decide what it may do.
 *
 * <ul>
 *   <li>{@code platform-read}: read and search every resource type, and the patient summary
 *       ({@code Patient/{id}/$summary}, IPS);
 *   <li>{@code platform-write-task}: create and update Task;
 *   <li>{@code platform-write-audit}: create and update AuditEvent;
 *   <li>{@code platform-write-bed-status}: update Location, and of a Location only the bed
 *       status ({@code operationalStatus} and the block-reason extension): the rule here allows
 *       writing Location, {@link BedStatusGuard} refuses every other change and every new one;
 *   <li>{@code platform-write-transfer}: create and update ServiceRequest, only the order of a
 *       transfer request (category bettenanfrage {@code verlegung}, checked by {@link
 *       TransferRequestGuard}), and put or take off a bed's reservation for one (checked by
 *       {@link BedStatusGuard}, with {@code platform-write-bed-status});
 *   <li>{@code platform-write-admission}: create and update Encounter, only as the ward's
 *       admission queue and a transfer's arrival do (a waiting stay announced, a bed given, a move
 *       or swap within the ward, a cancelled admission, the stay a transferred patient leaves
 *       finished): status, period, location entries and discharge disposition, checked by {@link
 *       AdmissionGuard};
 *   <li>{@code platform-write-report}: create and update QuestionnaireResponse and
 *       MeasureReport (a manager's operating situation for the DIVI report, the day's report kept
 *       as history);
 *   <li>{@code platform-export}: system-level Bulk Data {@code $export} and its status (the files
 *       it lists are Binary resources, read under {@code platform-read});
 *   <li>{@code platform-admin}: everything, including deletes and {@code $expunge}.
 * </ul>
 *
 * Guards narrowing a rule by element ({@link BedStatusGuard}, {@link TransferRequestGuard}, {@link
 * AdmissionGuard}) read
 * the roles from the request user data {@link #ROLES}.
 *
 * A missing or invalid token is answered 401 with {@code WWW-Authenticate} (RFC 6750), a forbidden
 * operation 403; HAPI writes both as an OperationOutcome.
 */
public class PlatformAuthorization extends AuthorizationInterceptor {

	public static final String READ = "platform-read";
	public static final String WRITE_TASK = "platform-write-task";
	public static final String WRITE_AUDIT = "platform-write-audit";
	public static final String WRITE_BED_STATUS = "platform-write-bed-status";
	public static final String WRITE_TRANSFER = "platform-write-transfer";
	public static final String WRITE_ADMISSION = "platform-write-admission";
	public static final String WRITE_REPORT = "platform-write-report";
	public static final String EXPORT = "platform-export";
	/** Request user data: the roles of the request's token, for {@link BedStatusGuard}. */
	public static final String ROLES = PlatformAuthorization.class.getName() + ".roles";
	public static final String ADMIN = "platform-admin";

	private static final Logger log = LoggerFactory.getLogger(PlatformAuthorization.class);
	private static final String REALM = "medicus-platform";

	private final BearerTokens tokens;

	public PlatformAuthorization(BearerTokens tokens) {
		this.tokens = tokens;
	}

	@Override
	public List<IAuthRule> buildRuleList(RequestDetails request) {
		if (request.getRestOperationType() == RestOperationTypeEnum.METADATA) {
			return new RuleBuilder().allow().metadata().andThen().denyAll().build();
		}
		BearerTokens.Holder holder = holder(request);
		Set<String> roles = holder.roles();
		request.getUserData().put(ROLES, roles);
		if (roles.contains(ADMIN)) {
			return new RuleBuilder().allowAll("admin client").build();
		}
		IAuthRuleBuilder rules = new RuleBuilder();
		if (roles.contains(READ)) {
			rules.allow("read").read().allResources().withAnyId().andThen();
			// The patient summary only reads: the document it returns is checked entry by entry
			// against the read rule above, so it shows no more than reading would.
			rules.allow("patient summary")
					.operation()
					.named("$summary")
					.onInstancesOfType(Patient.class)
					.andRequireExplicitResponseAuthorization()
					.andThen();
			rules.allow("patient summary by identifier")
					.operation()
					.named("$summary")
					.onType(Patient.class)
					.andRequireExplicitResponseAuthorization()
					.andThen();
		}
		if (roles.contains(WRITE_TASK)) {
			rules.allow("write Task").write().resourcesOfType("Task").withAnyId().andThen();
		}
		if (roles.contains(WRITE_AUDIT)) {
			rules.allow("write AuditEvent").write().resourcesOfType("AuditEvent").withAnyId().andThen();
		}
		if (roles.contains(WRITE_BED_STATUS)) {
			// AuthorizationInterceptor decides by resource type and id, not by element: the
			// narrowest rule it has is writing Location; BedStatusGuard narrows it to the status.
			rules.allow("write bed status").write().resourcesOfType("Location").withAnyId().andThen();
		}
		if (roles.contains(WRITE_TRANSFER)) {
			// By type only, like Location above: TransferRequestGuard narrows it to transfer orders.
			rules.allow("write transfer request")
					.write()
					.resourcesOfType("ServiceRequest")
					.withAnyId()
					.andThen();
		}
		if (roles.contains(WRITE_ADMISSION)) {
			// A ward's admission queue gives a waiting patient a bed, moves or swaps patients and
			// cancels: it changes the stay's status, period and location history, in one
			// transaction with the bed and the queue's Task. By type, like Location above:
			// AdmissionGuard narrows it to those elements.
			rules.allow("write admission").write().resourcesOfType("Encounter").withAnyId().andThen();
		}
		if (roles.contains(WRITE_REPORT)) {
			rules.allow("write report answer")
					.write()
					.resourcesOfType("QuestionnaireResponse")
					.withAnyId()
					.andThen();
			rules.allow("write report").write().resourcesOfType("MeasureReport").withAnyId().andThen();
		}
		if (roles.contains(EXPORT)) {
			// The kick-off is an operation on the server; what it may export is then decided at
			// HAPI's bulk-export hook by the rule after it.
			rules.allow("export kick-off")
					.operation()
					.named("$export")
					.onServer()
					.andAllowAllResponses()
					.andThen();
			rules.allow("system export").bulkExport().systemExport().andThen();
			rules.allow("export status")
					.operation()
					.named("$export-poll-status")
					.onServer()
					.andAllowAllResponses()
					.andThen();
		}
		// Each entry of a transaction or batch must pass the rules above on its own.
		rules.allow("transaction").transaction().withAnyOperation().andApplyNormalRules().andThen();
		return rules.denyAll("not permitted for client " + holder.client()).build();
	}

	private BearerTokens.Holder holder(RequestDetails request) {
		String header = request.getHeader("Authorization");
		if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
			throw unauthorised(null, "bearer token required");
		}
		try {
			return tokens.check(header.substring(7).trim());
		} catch (BearerTokens.Refused refused) {
			// The reason only: the token itself is a credential and never logged.
			log.info("refused a token: {}", refused.getMessage());
			throw unauthorised(refused.getMessage(), refused.getMessage());
		}
	}

	private static AuthenticationException unauthorised(String reason, String message) {
		AuthenticationException exception = new AuthenticationException(message);
		String challenge = "Bearer realm=\"" + REALM + "\"";
		if (reason != null) {
			challenge += ", error=\"invalid_token\", error_description=\"" + reason + "\"";
		}
		exception.addResponseHeader("WWW-Authenticate", challenge);
		return exception;
	}
}
