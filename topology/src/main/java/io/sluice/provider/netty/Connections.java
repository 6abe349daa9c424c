package io.sluice.provider.netty;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every connection one transport opened, so that closing the transport closes them all, and whether
 * it is closed. Thread-safe.
 */
final class Connections {
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicLong opened = new AtomicLong();
  private volatile boolean closed;

  /** Counts and keeps a new connection; it leaves the group by itself when it closes. */
  void track(Channel ch) {
    channels.add(ch);
    opened.incrementAndGet();
  }

  int open() {
    return channels.size();
  }

  long opened() {
    return opened.get();
  }

  /** True once the transport is closed: no call is sent, or sent again, after that. */
  boolean closed() {
    return closed;
  }

  /** Marks the transport closed; {@link #closeAll} then closes what is open. */
  void markClosed() {
    closed = true;
  }

  void closeAll() {
    channels.close();
  }
}
