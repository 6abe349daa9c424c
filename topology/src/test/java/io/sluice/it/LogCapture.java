package io.sluice.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

/**
 * Everything logged in this JVM while attached (Sluice at DEBUG, the rest at its configured level):
 * formatted messages, arguments, MDC and exceptions, for tests that grep the logs.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final StringBuilder text = new StringBuilder();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Logger sluice = (Logger) LoggerFactory.getLogger("io.sluice");
  private final Level sluiceLevel = sluice.getLevel();

  static LogCapture attach() {
    LogCapture c = new LogCapture();
    c.setContext(c.root.getLoggerContext());
    c.start();
    c.root.addAppender(c);
    c.sluice.setLevel(Level.DEBUG);
    return c;
  }

  @Override
  protected synchronized void append(ILoggingEvent e) {
    text.append(e.getLoggerName()).append(' ').append(e.getFormattedMessage());
    text.append(' ').append(e.getMDCPropertyMap());
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      text.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
    }
    text.append('\n');
  }

  synchronized String text() {
    return text.toString();
  }

  @Override
  public void close() {
    root.detachAppender(this);
    sluice.setLevel(sluiceLevel);
    stop();
  }
}
