package de.klinikdashboard.fhirserver;

import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.maintenance.JobMaintenanceServiceImpl;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;

/**
 * Tuning of HAPI's batch2 job framework, which runs {@code $export}.
 */
@Configuration
public class BatchConfig {

	/**
	 * Batch2 moves a job to its next step only in a maintenance pass, once a minute by default, so a
	 * five-step {@code $export} of a handful of resources took about five minutes. A pass is a few
	 * cheap queries on the job tables, so running one every few seconds costs nothing noticeable.
	 * HAPI schedules the pass when the context has been refreshed, i.e. after this has run.
	 */
	public BatchConfig(
			IJobMaintenanceService maintenanceService,
			@Value("${fhir.batch-maintenance-interval-ms}") long intervalMillis) {
		if (maintenanceService instanceof JobMaintenanceServiceImpl impl) {
			impl.setScheduledJobFrequencyMillis(intervalMillis);
		}
	}
}
