package de.klinikdashboard.fhirserver.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a bearer token: signature against the identity provider's published keys, then expiry,
 * issuer and audience, in that order, so the reason a token is refused can be named.
 *
 * <p>The key set is cached and fetched again when a token names a key id it does not hold (the
 * identity provider rotated its keys, or restarted with new ones), at most once per 30 s. Only
 * asymmetric signatures are accepted: an unsigned token ({@code alg: none}) or one signed with a
 * shared secret never reaches the claim checks.
 */
public class BearerTokens {

	/** What a valid token says about its holder. */
	public record Holder(String client, Set<String> roles) {}

	/** A token that must not be accepted; the message goes into {@code WWW-Authenticate}. */
	public static class Refused extends Exception {
		public Refused(String message) {
			super(message);
		}
	}

	private static final Set<JWSAlgorithm> ACCEPTED = Set.of(
			JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
			JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
			JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

	private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
	private final String issuer;
	private final String audience;
	private final List<String> rolesClaimPath;
	private final Duration clockSkew;
	private final Clock clock;

	public BearerTokens(String issuer, String jwksUrl, String audience, String rolesClaim,
			Duration clockSkew, Clock clock) throws MalformedURLException {
		JWKSource<SecurityContext> keys = JWKSourceBuilder
				.create(URI.create(jwksUrl).toURL())
				.retrying(true)
				// A token with an unknown key id fetches the key set again (rotation, a restarted
				// identity provider), but a stream of forged key ids cannot make it fetch more often.
				.rateLimited(10_000)
				.build();
		processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ACCEPTED, keys));
		// Claims are checked below, one by one, to tell which one failed.
		processor.setJWTClaimsSetVerifier(null);
		this.issuer = issuer;
		this.audience = audience;
		this.rolesClaimPath = List.of(rolesClaim.split("\\."));
		this.clockSkew = clockSkew;
		this.clock = clock;
	}

	public Holder check(String token) throws Refused {
		JWTClaimsSet claims;
		try {
			claims = processor.process(token, null);
		} catch (ParseException e) {
			throw new Refused("token is not a JWT");
		} catch (BadJOSEException | JOSEException e) {
			throw new Refused("token signature not valid");
		}
		Instant now = clock.instant();
		Date expiry = claims.getExpirationTime();
		if (expiry == null || now.isAfter(expiry.toInstant().plus(clockSkew))) {
			throw new Refused("token expired");
		}
		Date notBefore = claims.getNotBeforeTime();
		if (notBefore != null && now.isBefore(notBefore.toInstant().minus(clockSkew))) {
			throw new Refused("token not yet valid");
		}
		if (!issuer.equals(claims.getIssuer())) {
			throw new Refused("token from another issuer");
		}
		if (claims.getAudience() == null || !claims.getAudience().contains(audience)) {
			throw new Refused("token not meant for this server (audience)");
		}
		return new Holder(client(claims), roles(claims));
	}

	private static String client(JWTClaimsSet claims) {
		Object azp = claims.getClaim("azp");
		if (azp instanceof String s) {
			return s;
		}
		Object clientId = claims.getClaim("client_id");
		return clientId instanceof String s ? s : String.valueOf(claims.getSubject());
	}

	/** Roles from the configured claim (Keycloak: realm_access.roles) plus the token's scopes. */
	private Set<String> roles(JWTClaimsSet claims) {
		Set<String> roles = new HashSet<>();
		Object node = claims.getClaims();
		for (String step : rolesClaimPath) {
			node = node instanceof Map<?, ?> map ? map.get(step) : null;
		}
		if (node instanceof Collection<?> values) {
			values.forEach(value -> roles.add(String.valueOf(value)));
		}
		Object scope = claims.getClaim("scope");
		if (scope instanceof String s && !s.isBlank()) {
			roles.addAll(List.of(s.trim().split("\\s+")));
		}
		return roles;
	}
}
