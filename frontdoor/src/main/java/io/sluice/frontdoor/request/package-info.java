/** From an HTTP call to a {@code Request} event: headers, ids, session and labels. */
package io.sluice.frontdoor.request;
