package de.klinikdashboard.fhirserver;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.data.jpa.JpaRepositoriesAutoConfiguration;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration;
import org.springframework.boot.autoconfigure.quartz.QuartzAutoConfiguration;
import org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * Embedded FHIR R4 server: Spring Boot hosting HAPI FHIR's JPA server at {@code /fhir}.
 *
 * <p>HAPI ships its JPA server as Spring configuration classes; this application imports the R4 set
 * plus the batch2 job framework (needed for {@code $export}) and supplies the few beans HAPI leaves to
 * the host: data source, entity manager factory, storage settings and the REST servlet.
 */
@SpringBootApplication(
		exclude = {
			// HAPI builds its own EntityManagerFactory and Spring Data repositories.
			HibernateJpaAutoConfiguration.class,
			JpaRepositoriesAutoConfiguration.class,
			// The schema is managed through Hibernate; Flyway only comes in with HAPI's migration tool.
			FlywayAutoConfiguration.class,
			// HAPI runs its own Quartz scheduler; a second, Boot-managed one would only cost startup time.
			QuartzAutoConfiguration.class,
			// Both libraries are on the classpath only as HAPI dependencies; nothing here uses them.
			ThymeleafAutoConfiguration.class,
			ElasticsearchRestClientAutoConfiguration.class
		})
@Import({
	JpaR4Config.class,
	HapiJpaConfig.class,
	JpaBatch2Config.class,
	Batch2JobsConfig.class,
	// In-JVM message broker; batch2 uses it to hand work chunks to its workers.
	SubscriptionChannelConfig.class,
	ThreadPoolFactoryConfig.class
})
public class FhirServerApplication {

	public static void main(String[] args) {
		SpringApplication.run(FhirServerApplication.class, args);
	}
}
