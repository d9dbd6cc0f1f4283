package de.klinikdashboard.fhirserver;

import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.StorageSettings;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Storage behaviour the dashboard and its data loader rely on. Anything not set here is a HAPI default.
 */
@Configuration
public class StorageConfig {

	@Bean
	public JpaStorageSettings jpaStorageSettings(
			@Value("${fhir.referential-integrity}") boolean referentialIntegrity,
			@Value("${fhir.auth.issuer}") String authIssuer) {
		JpaStorageSettings settings = new JpaStorageSettings();
		// The loaders PUT resources under the ids of the source systems, and real KIS ids are often
		// digits only (Heidelberg's Patient "0001310848"), which ALPHANUMERIC refuses. ANY accepts
		// them; server-assigned ids (POST) then have to be UUIDs so that they can never collide with
		// a numeric id a client PUTs later.
		settings.setResourceClientIdStrategy(JpaStorageSettings.ClientIdStrategyEnum.ANY);
		settings.setResourceServerIdStrategy(JpaStorageSettings.IdStrategyEnum.UUID);
		// One conditional DELETE may remove many resources on an open development server only; a
		// server that checks tokens, like the real platform, never lets one request empty a type.
		settings.setAllowMultipleDelete(authIssuer.isBlank());
		// Never invent empty resources for missing targets.
		settings.setAutoCreatePlaceholderReferenceTargets(false);
		// For the generated network a dangling reference is a loader bug, so the default refuses it.
		// A platform holding real exports must accept them (FHIR_REFERENTIAL_INTEGRITY=false): an
		// export is a slice of a hospital's data and points at Practitioners, Organizations or
		// encounters it does not contain. Rewriting those references would hide exactly what the
		// data-quality page reports, so the export loader keeps them and counts them instead.
		settings.setEnforceReferentialIntegrityOnWrite(referentialIntegrity);
		// ":missing" searches are not used; indexing them would double the index rows per resource.
		settings.setIndexMissingFields(StorageSettings.IndexEnabledEnum.DISABLED);
		// Re-running the loader must not create new versions: a PUT with unchanged content is a no-op.
		settings.setSuppressUpdatesWithNoChange(true);
		// Identical searches within 60 s (HAPI default) are answered from the cached result list, so a
		// search right after a write can miss it; clients that need fresh results send
		// "Cache-Control: no-cache".
		settings.setReuseCachedSearchResultsForMillis(JpaStorageSettings.DEFAULT_REUSE_CACHED_SEARCH_RESULTS_FOR_MILLIS);
		return settings;
	}

	@Bean
	public PartitionSettings partitionSettings(@Value("${fhir.tenants}") boolean tenantsEnabled) {
		PartitionSettings settings = new PartitionSettings();
		settings.setPartitioningEnabled(tenantsEnabled);
		return settings;
	}
}
