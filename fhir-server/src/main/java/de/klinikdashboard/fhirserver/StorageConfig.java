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
	public JpaStorageSettings jpaStorageSettings() {
		JpaStorageSettings settings = new JpaStorageSettings();
		// The loader PUTs resources under stable ids from the source systems (e.g. "pat-1").
		settings.setResourceClientIdStrategy(JpaStorageSettings.ClientIdStrategyEnum.ALPHANUMERIC);
		// Lets tests and the loader clear data with a single conditional DELETE.
		settings.setAllowMultipleDelete(true);
		// A dangling reference is a loader bug; surface it instead of inventing empty resources.
		settings.setAutoCreatePlaceholderReferenceTargets(false);
		settings.setEnforceReferentialIntegrityOnWrite(true);
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
