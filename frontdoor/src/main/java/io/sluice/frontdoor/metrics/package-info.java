/** The front door's Micrometer meters. */
package io.sluice.frontdoor.metrics;
