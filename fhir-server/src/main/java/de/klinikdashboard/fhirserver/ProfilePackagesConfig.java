package de.klinikdashboard.fhirserver;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.config.JpaConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Comparator;
import org.hl7.fhir.common.hapi.validation.support.NpmPackageValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Implementation guides whose profiles {@code $validate} checks, beside FHIR R4 core: every FHIR
 * package in the jar's {@code fhir-packages/} folder (the build fetches them, see pom.xml), held in
 * memory and put into HAPI's validation support chain. Nothing is stored as a resource and nothing
 * is fetched at run time: HAPI's package installer would ask packages.fhir.org for each package's
 * dependencies, and the server must start without that host.
 */
@Configuration
public class ProfilePackagesConfig {

	static final String PACKAGES = "fhir-packages/";

	private static final Logger LOG = LoggerFactory.getLogger(ProfilePackagesConfig.class);

	/**
	 * Added once every bean is initialised: HAPI's chain fills itself in its own post-construct only
	 * while it is empty, so a support added before that would stand alone in it.
	 */
	@Bean
	public SmartInitializingSingleton profilePackages(
			FhirContext fhirContext,
			@Qualifier(JpaConfig.JPA_VALIDATION_SUPPORT_CHAIN) IValidationSupport chain) {
		return () -> {
			ValidationSupportChain supports = (ValidationSupportChain) chain;
			supports.addValidationSupport(load(fhirContext));
			supports.addValidationSupport(new VersionedCanonicals(supports));
		};
	}

	static NpmPackageValidationSupport load(FhirContext fhirContext) {
		NpmPackageValidationSupport support = new NpmPackageValidationSupport(fhirContext);
		try {
			Resource[] found = new PathMatchingResourcePatternResolver()
					.getResources("classpath*:" + PACKAGES + "*.tgz");
			if (found.length == 0) {
				// A server that quietly checks core only would pass documents the profiles refuse.
				throw new IllegalStateException("no FHIR packages in " + PACKAGES + " (built without pom.xml?)");
			}
			Arrays.sort(found, Comparator.comparing(Resource::getFilename));
			for (Resource npm : found) {
				support.loadPackageFromClasspath("classpath:" + PACKAGES + npm.getFilename());
				LOG.info("profile package {} loaded for $validate", npm.getFilename());
			}
		} catch (IOException e) {
			throw new UncheckedIOException("FHIR packages in " + PACKAGES + " not readable", e);
		}
		return support;
	}

	/**
	 * Profiles named with a version ({@code http://hl7.org/fhir/StructureDefinition/Patient|4.0.1}),
	 * as the IPS snapshots name the R4 core types their references may point at. HAPI 8.8.0 looks up
	 * core StructureDefinitions by their URL alone, so every such target was "unable to resolve" and
	 * HAPI's own Composition matched no IPS Composition. Answered with the unversioned profile when its
	 * version is the one asked for.
	 */
	static final class VersionedCanonicals implements IValidationSupport {

		private final IValidationSupport chain;

		VersionedCanonicals(IValidationSupport chain) {
			this.chain = chain;
		}

		@Override
		public FhirContext getFhirContext() {
			return chain.getFhirContext();
		}

		@Override
		public IBaseResource fetchStructureDefinition(String url) {
			int bar = url.indexOf('|');
			if (bar < 0) {
				return null;
			}
			IBaseResource found = chain.fetchStructureDefinition(url.substring(0, bar));
			return found instanceof StructureDefinition profile
							&& url.substring(bar + 1).equals(profile.getVersion())
					? profile
					: null;
		}
	}
}
