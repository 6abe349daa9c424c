package io.sluice.tools.worker;

/** A tool: arguments JSON in, result text out. A thrown exception becomes an error result. */
@FunctionalInterface
public interface ToolHandler {
  String call(String argumentsJson) throws Exception;
}
