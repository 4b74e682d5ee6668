package io.engagementscorer.stream;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the brokers for the cluster id every {@link #INTERVAL} on a daemon thread, with a short
 * timeout, and keeps the outcome in a {@link BrokerReachability}. One small metadata request a few
 * seconds apart costs a connection per instance and answers directly; the stream's own clients tell
 * late and indirectly (a consumer notices at its next fetch or heartbeat, a rebalance comes only
 * after the session timeout).
 */
final class BrokerProbe implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerProbe.class);

  /** How often the brokers are asked. */
  static final Duration INTERVAL = Duration.ofSeconds(2);

  /** How long one probe may take. */
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  /** How long without an answer counts as unreachable: two probes missed, and some slack. */
  static final Duration UNREACHABLE_AFTER = Duration.ofSeconds(5);

  private final Admin admin;
  private final BrokerReachability reachability;
  private final ScheduledExecutorService scheduler;

  private BrokerProbe(Admin admin) {
    this.admin = admin;
    this.reachability = new BrokerReachability(System.nanoTime(), UNREACHABLE_AFTER);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "broker-probe");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Starts probing with an admin client of {@code adminConfig} (the stream's own settings). */
  // The task's future carries nothing: probe() catches everything, and close() stops it.
  @SuppressWarnings("FutureReturnValueIgnored")
  static BrokerProbe start(Map<String, Object> adminConfig) {
    BrokerProbe probe = new BrokerProbe(Admin.create(adminConfig));
    probe.scheduler.scheduleWithFixedDelay(
        probe::probe, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    return probe;
  }

  private void probe() {
    try {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()))
          .clusterId()
          .get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
      reachability
          .answered(System.nanoTime())
          .ifPresent(
              silence ->
                  LOG.info("The brokers answer again, after {} ms without", silence.toMillis()));
    } catch (ExecutionException e) {
      failed(String.valueOf(e.getCause()));
    } catch (TimeoutException e) {
      failed("no answer within " + TIMEOUT.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // Whatever went wrong, the next probe must still run: an escaping exception ends the
      // schedule.
      failed(e.toString());
    }
  }

  private void failed(String why) {
    if (reachability.failed(why)) {
      LOG.warn(
          "The brokers did not answer a probe ({}); readiness fails after {} s without an answer",
          why,
          UNREACHABLE_AFTER.toSeconds());
    }
  }

  /** Why the brokers count as unreachable now; empty while they answer. */
  Optional<String> problem() {
    return reachability.problem(System.nanoTime());
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    admin.close(Duration.ofSeconds(1));
  }
}
