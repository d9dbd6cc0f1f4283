package de.klinikdashboard.fhirserver;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.ips.api.IIpsGenerationStrategy;
import ca.uhn.fhir.jpa.ips.generator.IIpsGeneratorSvc;
import ca.uhn.fhir.jpa.ips.generator.IpsGeneratorSvcImpl;
import ca.uhn.fhir.jpa.ips.jpa.DefaultJpaIpsGenerationStrategy;
import ca.uhn.fhir.jpa.ips.provider.IpsOperationProvider;
import ca.uhn.fhir.util.FhirTerser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseBundle;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Composition;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.UrlType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The International Patient Summary: {@code Patient/{id}/$summary} (and {@code Patient/$summary}
 * with an {@code identifier}) returns an IPS document, a Bundle of type document whose Composition
 * has the IPS sections (allergies, problems, medication, results, ...), built from what this server
 * holds for the patient with HAPI's default JPA section searches.
 */
@Configuration
public class IpsConfig {

	/** Name of the document's author: the summary is assembled by the platform, not a clinician. */
	static final String AUTHOR = "MEDI:CUS Plattform";

	static final String NARRATIVE_LINK = "http://hl7.org/fhir/StructureDefinition/narrativeLink";

	private static final FhirTerser TERSER = FhirContext.forR4Cached().newTerser();

	/** Narratives HAPI's own properties miss (see the file). */
	static final String NARRATIVES = "classpath:de/klinikdashboard/fhirserver/ips-narratives.properties";

	/**
	 * HAPI's default sections and searches. Differs in the author (HAPI's names its demo lab), one
	 * narrative HAPI leaves empty, and the Composition's references (see
	 * {@link #resolveCompositionReferences}).
	 */
	@Bean
	public IIpsGenerationStrategy ipsGenerationStrategy() {
		return new DefaultJpaIpsGenerationStrategy() {
			@Override
			public IBaseResource createAuthor() {
				Organization author = new Organization();
				author.setName(AUTHOR);
				author.setId(IdType.newRandomUuid());
				return author;
			}

			@Override
			public List<String> getNarrativePropertyFiles() {
				List<String> files = new ArrayList<>(super.getNarrativePropertyFiles());
				files.add(NARRATIVES);
				return files;
			}

			@Override
			public void postManipulateIpsBundle(IBaseBundle bundle) {
				resolveCompositionReferences((Bundle) bundle);
			}
		};
	}

	/**
	 * HAPI gives the Composition a {@code urn:uuid} full URL and names the stored entries with
	 * references that the server's encoder writes relative to its base ({@code Patient/p1}). In a
	 * document a relative reference resolves against the referring entry's full URL, so from a
	 * {@code urn:uuid} it resolves to nothing and {@code $validate} reports every section entry as
	 * missing. The same holds for the entries HAPI writes itself for an empty required section
	 * ({@code no-allergy-info}, ..., whose patient is {@code Patient/p1}). Every entry HAPI made up
	 * therefore gets a full URL under the server's base instead (taken from the entries HAPI read
	 * there; nothing is stored at it), the references to it and the narrative links that named it
	 * follow.
	 */
	static void resolveCompositionReferences(Bundle document) {
		if (!(document.getEntryFirstRep().getResource() instanceof Composition)) {
			return;
		}
		String base = null;
		for (Bundle.BundleEntryComponent entry : document.getEntry()) {
			Resource resource = entry.getResource();
			String suffix = resource == null ? null : "/" + resource.fhirType() + "/" + resource.getIdPart();
			if (suffix != null && entry.hasFullUrl() && entry.getFullUrl().endsWith(suffix)) {
				String fullUrl = entry.getFullUrl();
				base = fullUrl.substring(0, fullUrl.length() - suffix.length());
				if (base.startsWith("http")) {
					break;
				}
				base = null;
			}
		}
		if (base == null) {
			return;
		}
		Map<String, String> moved = new HashMap<>();
		for (Bundle.BundleEntryComponent entry : document.getEntry()) {
			String old = entry.getFullUrl();
			Resource resource = entry.getResource();
			if (resource != null && old != null && old.startsWith("urn:uuid:")) {
				String id = old.substring("urn:uuid:".length());
				resource.setId(id);
				entry.setFullUrl(base + "/" + resource.fhirType() + "/" + id);
				moved.put(old, resource.fhirType() + "/" + id);
			}
		}
		for (Bundle.BundleEntryComponent entry : document.getEntry()) {
			Resource resource = entry.getResource();
			if (resource == null) {
				continue;
			}
			for (Reference reference : TERSER.getAllPopulatedChildElementsOfType(resource, Reference.class)) {
				String now = moved.get(reference.getReference());
				if (now != null) {
					reference.setReference(now);
				}
			}
			if (resource instanceof DomainResource domain) {
				for (Extension link : domain.getExtensionsByUrl(NARRATIVE_LINK)) {
					String value = link.getValue().primitiveValue();
					int hash = value == null ? -1 : value.indexOf('#');
					String now = hash < 0 ? null : moved.get(value.substring(0, hash));
					if (now != null) {
						link.setValue(new UrlType(base + "/" + now + value.substring(hash)));
					}
				}
			}
		}
	}

	/** Initialises the strategy (its sections) when it is created. */
	@Bean
	public IIpsGeneratorSvc ipsGeneratorSvc(FhirContext fhirContext, IIpsGenerationStrategy strategy) {
		return new IpsGeneratorSvcImpl(fhirContext, strategy);
	}

	@Bean
	public IpsOperationProvider ipsOperationProvider(IIpsGeneratorSvc generator) {
		return new IpsOperationProvider(generator);
	}
}
