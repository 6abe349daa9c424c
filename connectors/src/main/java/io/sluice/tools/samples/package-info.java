/**
 * Sample tools that {@code sluice dev} serves and the tests call: a calculator and a clock. Each is
 * a {@link io.sluice.tools.worker.ToolHandler}; copy one to write a tool of your own.
 */
package io.sluice.tools.samples;
