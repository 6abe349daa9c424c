/**
 * From a {@code Response} to an HTTP answer: the answer headers, asynchronous results, and the
 * correlation of reply records with the calls waiting for them.
 */
package io.sluice.frontdoor.reply;
