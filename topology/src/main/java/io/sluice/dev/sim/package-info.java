/**
 * The LLM simulator ({@link io.sluice.dev.sim.LlmSimulator}): a deterministic provider speaking
 * OpenAI's and Anthropic's chat APIs over HTTP/1.1 and HTTP/2 on a Netty event loop, with tool
 * calls, usage and faults that can be changed at run time ({@link io.sluice.dev.sim.SimFaults}).
 * The same conversation always gets the same answer ({@code SimRules}).
 */
package io.sluice.dev.sim;
