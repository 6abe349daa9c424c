/**
 * Tenant admission: rate limits, token limits, parallel limits and budgets per tenant and per key,
 * exact across every instance of one application. Requests are repartitioned by tenant_id into
 * {@link io.sluice.admission.AdmissionSupplier}, whose task owns the tenant's counters in
 * changelogged stores; the usage topic (keyed by tenant) and the session processor's releases reach
 * the same task, co-partitioned, and correct the counts. {@link io.sluice.admission.KeyLimits} is
 * where the keys store plugs in.
 */
package io.sluice.admission;
