package de.klinikdashboard.fhirserver;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect;
import jakarta.persistence.EntityManagerFactory;
import java.util.Properties;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

/**
 * JPA wiring for HAPI: the entity manager factory over Spring Boot's pooled DataSource
 * (H2 file database by default, PostgreSQL when {@code FHIR_DB_URL} points there).
 */
@Configuration
public class PersistenceConfig {

	@Bean
	@Primary
	public LocalContainerEntityManagerFactoryBean entityManagerFactory(
			DataSource dataSource,
			ConfigurableListableBeanFactory beanFactory,
			FhirContext fhirContext,
			JpaStorageSettings storageSettings,
			@Value("${spring.datasource.url}") String jdbcUrl) {
		// HAPI's factory bean registers its entity packages and a persistence provider that knows HAPI's
		// custom types; a plain Spring Boot JPA setup would miss those.
		LocalContainerEntityManagerFactoryBean factory =
				HapiEntityManagerFactoryUtil.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
		factory.setPersistenceUnitName("HAPI_PU");
		factory.setDataSource(dataSource);

		Properties jpa = new Properties();
		// Set explicitly: HAPI reads "hibernate.dialect" back to generate its own SQL, and its
		// dialects add the type mappings the generic Hibernate ones lack.
		jpa.put("hibernate.dialect", dialectFor(jdbcUrl));
		// Creates the schema on first start and is a fast no-op afterwards.
		jpa.put("hibernate.hbm2ddl.auto", "update");
		jpa.put("hibernate.jdbc.batch_size", "20");
		jpa.put("hibernate.order_inserts", "true");
		jpa.put("hibernate.order_updates", "true");
		jpa.put("hibernate.cache.use_query_cache", "false");
		jpa.put("hibernate.cache.use_second_level_cache", "false");
		// No Lucene/Elasticsearch index: plain SQL search is enough for the dashboard's queries and
		// keeps startup and writes fast.
		jpa.put("hibernate.search.enabled", "false");
		factory.setJpaProperties(jpa);
		return factory;
	}

	@Bean
	@Primary
	public JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
		return new JpaTransactionManager(entityManagerFactory);
	}

	static String dialectFor(String jdbcUrl) {
		if (jdbcUrl.startsWith("jdbc:postgresql:")) {
			return HapiFhirPostgresDialect.class.getName();
		}
		if (jdbcUrl.startsWith("jdbc:h2:")) {
			return HapiFhirH2Dialect.class.getName();
		}
		throw new IllegalArgumentException("Unsupported database URL (expected jdbc:h2: or jdbc:postgresql:): " + jdbcUrl);
	}
}
