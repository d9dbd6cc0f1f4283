package de.klinikdashboard.fhirserver;

import ca.uhn.fhir.batch2.jobs.export.BulkDataExportProvider;
import ca.uhn.fhir.context.support.IValidationSupport;
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
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
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
			ObjectProvider<PartitionManagementProvider> partitionManagementProvider,
			PartitionSettings partitionSettings,
			@Value("${fhir.tenants}") boolean tenantsEnabled,
			@Value("${fhir.default-page-size}") int defaultPageSize,
			@Value("${fhir.max-page-size}") int maxPageSize) {
		RestfulServer server = new RestfulServer(systemDao.getContext());
		server.registerProviders(resourceProviders.createProviders());
		server.registerProvider(systemProvider);
		server.registerProvider(bulkDataExportProvider);
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
		return server;
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
