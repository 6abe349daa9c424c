/**
 * From a {@code Response} to an HTTP answer: statuses of errors, the answer headers, and the
 * correlation of reply records with the calls waiting for them.
 */
package io.sluice.frontdoor.reply;
