/** Who is calling: the tenant of an HTTP call, from an API key or a trusted header. */
package io.sluice.frontdoor.auth;
