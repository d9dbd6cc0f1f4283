package de.klinikdashboard.fhirserver;

import ca.uhn.fhir.batch2.jobs.export.BulkDataExportProvider;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.ips.provider.IpsOperationProvider;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.partition.PartitionManagementProvider;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.interceptor.partition.RequestTenantPartitionInterceptor;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.tenant.UrlBaseTenantIdentificationStrategy;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import de.klinikdashboard.fhirserver.auth.BearerTokens;
import de.klinikdashboard.fhirserver.auth.AdmissionGuard;
import de.klinikdashboard.fhirserver.auth.BedStatusGuard;
import de.klinikdashboard.fhirserver.auth.PlatformAuthorization;
import de.klinikdashboard.fhirserver.auth.TransferRequestGuard;
import java.net.MalformedURLException;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The FHIR REST endpoint: HAPI's {@link RestfulServer} with the JPA resource providers, mounted at
 * {@code fhir.base-path}.
 */
@Configuration
public class RestServerConfig {

	@Bean
	public RestfulServer restfulServer(
			IFhirSystemDao<?, ?> systemDao,
			JpaSystemProvider<?, ?> systemProvider,
			ResourceProviderFactory resourceProviders,
			JpaStorageSettings storageSettings,
			ISearchParamRegistry searchParamRegistry,
			IValidationSupport validationSupport,
			DatabaseBackedPagingProvider pagingProvider,
			BulkDataExportProvider bulkDataExportProvider,
			IpsOperationProvider ipsOperationProvider,
			ObjectProvider<PartitionManagementProvider> partitionManagementProvider,
			PartitionSettings partitionSettings,
			@Value("${fhir.tenants}") boolean tenantsEnabled,
			@Value("${fhir.default-page-size}") int defaultPageSize,
			@Value("${fhir.max-page-size}") int maxPageSize,
			ObjectProvider<PlatformAuthorization> platformAuthorization) {
		RestfulServer server = new RestfulServer(systemDao.getContext());
		server.registerProviders(resourceProviders.createProviders());
		server.registerProvider(systemProvider);
		server.registerProvider(bulkDataExportProvider);
		server.registerProvider(ipsOperationProvider);
		server.setServerConformanceProvider(new JpaCapabilityStatementProvider(
				server, systemDao, storageSettings, searchParamRegistry, validationSupport));
		server.setDefaultResponseEncoding(EncodingEnum.JSON);

		// Result lists are stored in the database, so "next" links (_getpages/_getpagesoffset) stay valid
		// across requests and restarts, and large searches do not pile up in the heap.
		pagingProvider.setDefaultPageSize(defaultPageSize);
		pagingProvider.setMaximumPageSize(maxPageSize);
		server.setPagingProvider(pagingProvider);

		if (tenantsEnabled) {
			// First path segment names the partition: /fhir/{tenant}/Patient. Partitions are managed
			// through operations on the DEFAULT tenant.
			server.setTenantIdentificationStrategy(new UrlBaseTenantIdentificationStrategy());
			RequestTenantPartitionInterceptor tenantInterceptor = new RequestTenantPartitionInterceptor();
			tenantInterceptor.setPartitionSettings(partitionSettings);
			server.registerInterceptor(tenantInterceptor);
			server.registerProvider(partitionManagementProvider.getObject());
		}
		platformAuthorization.ifAvailable(authorization -> {
			server.registerInterceptor(authorization);
			// Narrows what the Location rule of platform-write-bed-status allows to a bed's status.
			server.registerInterceptor(new BedStatusGuard());
			// Narrows the ServiceRequest rule of platform-write-transfer to transfer orders.
			server.registerInterceptor(new TransferRequestGuard());
			// Narrows the Encounter rule of platform-write-admission to the admission queue's steps.
			server.registerInterceptor(new AdmissionGuard());
		});
		return server;
	}

	/**
	 * Bearer tokens are required once an issuer is configured; without one the server answers anyone
	 * on loopback, as before (development, the open test server).
	 */
	@Bean
	@ConditionalOnExpression("!'${fhir.auth.issuer}'.isBlank()")
	public PlatformAuthorization platformAuthorization(
			@Value("${fhir.auth.issuer}") String issuer,
			@Value("${fhir.auth.jwks-url}") String jwksUrl,
			@Value("${fhir.auth.audience}") String audience,
			@Value("${fhir.auth.roles-claim}") String rolesClaim,
			@Value("${fhir.auth.clock-skew-seconds}") long clockSkewSeconds) throws MalformedURLException {
		String issuerUrl = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
		// Keycloak publishes its keys here; another identity provider names its URL explicitly.
		String keys = jwksUrl.isBlank() ? issuerUrl + "/protocol/openid-connect/certs" : jwksUrl;
		return new PlatformAuthorization(new BearerTokens(issuerUrl, keys, audience, rolesClaim,
				Duration.ofSeconds(clockSkewSeconds), Clock.systemUTC()));
	}

	@Bean
	public ServletRegistrationBean<RestfulServer> fhirServlet(
			RestfulServer restfulServer, @Value("${fhir.base-path}") String basePath) {
		String prefix = basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
		ServletRegistrationBean<RestfulServer> registration =
				new ServletRegistrationBean<>(restfulServer, prefix + "/*");
		// Initialise HAPI while the application starts, so the first request is not the slow one.
		registration.setLoadOnStartup(1);
		return registration;
	}
}
