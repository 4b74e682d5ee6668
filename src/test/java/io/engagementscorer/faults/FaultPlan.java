package io.engagementscorer.faults;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a fault-injection run does: how many posts and events it produces over how long, which
 * faults it injects when, and the service settings both instances run with.
 *
 * @param name a short name for the report
 * @param preloadPosts posts produced and scored before production starts, so that the stores hold
 *     that much state when the faults come (ids {@code pre-<n>}, one event each)
 * @param posts distinct posts; each post's first event creates it, each later one adds a comment
 * @param events events in all, produced at an even rate
 * @param production how long producing takes
 * @param partitions partitions of the input topic
 * @param faults what is killed when, in order
 * @param settle how long the run waits after production for every post's newest state to be scored
 * @param serviceEnvironment variables both instances get, on top of the run's own
 * @param brokerConfig lines added to the broker's {@code server.properties}
 */
public record FaultPlan(
    String name,
    int preloadPosts,
    int posts,
    int events,
    Duration production,
    int partitions,
    List<Fault> faults,
    Duration settle,
    Map<String, String> serviceEnvironment,
    Map<String, String> brokerConfig) {

  /** The instances of a run. */
  public static final List<String> INSTANCES = List.of("a", "b");

  /** The name of the broker as a fault's target. */
  public static final String BROKER = "broker";

  /**
   * One fault: {@code target} (an instance name or {@link #BROKER}) is killed with SIGKILL at
   * {@code at} after production starts and started again {@code down} later, on the same state
   * directory or log directory.
   */
  public record Fault(String target, Duration at, Duration down) {
    @Override
    public String toString() {
      return "kill " + target + " at " + at.toSeconds() + " s";
    }
  }

  /**
   * The settings operators tested with: a transaction timeout of 10 s and a consumer session
   * timeout of 6 s, so that a dead member leaves the group and its open transaction is aborted
   * within seconds.
   */
  public static Map<String, String> operatorsSettings() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("TRANSACTION_TIMEOUT_MS", "10000");
    env.put("KAFKA_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "6000");
    env.put("KAFKA_STREAMS_CONSUMER_HEARTBEAT_INTERVAL_MS", "1000");
    return env;
  }

  /**
   * The operators' run: 600 posts, 1,956 events over 3 minutes on 6 partitions, instance a, b and a
   * again killed and restarted after 10 s, then the broker.
   */
  public static FaultPlan operators() {
    return new FaultPlan(
        "operators",
        0,
        600,
        1956,
        Duration.ofMinutes(3),
        6,
        List.of(
            new Fault("a", Duration.ofSeconds(30), Duration.ofSeconds(10)),
            new Fault("b", Duration.ofSeconds(70), Duration.ofSeconds(10)),
            new Fault("a", Duration.ofSeconds(110), Duration.ofSeconds(10)),
            new Fault(BROKER, Duration.ofSeconds(145), Duration.ofSeconds(10))),
        Duration.ofMinutes(3),
        operatorsSettings(),
        Map.of());
  }

  /** A shorter run for CI: one instance killed, then the broker, in 70 s of production. */
  public static FaultPlan quick() {
    return new FaultPlan(
        "quick",
        0,
        150,
        450,
        Duration.ofSeconds(70),
        6,
        List.of(
            new Fault("a", Duration.ofSeconds(15), Duration.ofSeconds(10)),
            new Fault(BROKER, Duration.ofSeconds(45), Duration.ofSeconds(10))),
        Duration.ofMinutes(3),
        operatorsSettings(),
        Map.of());
  }

  /**
   * Recovery with state: {@code preloadPosts} posts (images by reference) scored first, then 60 s
   * of production during which instance a is killed and restarted after 10 s.
   */
  public static FaultPlan recovery(String name, int preloadPosts) {
    return new FaultPlan(
        name,
        preloadPosts,
        120,
        360,
        Duration.ofSeconds(60),
        6,
        List.of(new Fault("a", Duration.ofSeconds(15), Duration.ofSeconds(10))),
        Duration.ofMinutes(5),
        operatorsSettings(),
        Map.of());
  }

  /**
   * Fail-over alone: instance a is killed 15 s into 150 s of production (20 events a second, so
   * that it dies with a transaction open) and stays down for 2 minutes, longer than the default
   * transaction timeout and session timeout, so that b takes over its partitions rather than a
   * restarted a taking them back.
   */
  public static FaultPlan failover() {
    return new FaultPlan(
        "failover",
        0,
        300,
        3000,
        Duration.ofSeconds(150),
        6,
        List.of(new Fault("a", Duration.ofSeconds(15), Duration.ofMinutes(2))),
        Duration.ofMinutes(3),
        operatorsSettings(),
        Map.of());
  }

  /**
   * The plan called {@code name}: {@code operators}, {@code quick}, {@code failover} (one instance
   * killed and kept down), {@code recovery-10k} or {@code recovery-100k}.
   */
  public static FaultPlan named(String name) {
    return switch (name) {
      case "operators" -> operators();
      case "quick" -> quick();
      case "failover" -> failover();
      case "recovery-10k" -> recovery(name, 10_000);
      case "recovery-100k" -> recovery(name, 100_000);
      default ->
          throw new IllegalArgumentException(
              "unknown plan "
                  + name
                  + "; the plans are operators, quick, failover, recovery-10k and recovery-100k");
    };
  }

  /** This plan with {@code overrides} added to the instances' environment. */
  public FaultPlan withServiceEnvironment(Map<String, String> overrides) {
    Map<String, String> env = new LinkedHashMap<>(serviceEnvironment);
    env.putAll(overrides);
    return new FaultPlan(
        name,
        preloadPosts,
        posts,
        events,
        production,
        partitions,
        faults,
        settle,
        env,
        brokerConfig);
  }

  /** This plan with {@code config} added to the broker's configuration. */
  public FaultPlan withBrokerConfig(Map<String, String> config) {
    Map<String, String> broker = new LinkedHashMap<>(brokerConfig);
    broker.putAll(config);
    return new FaultPlan(
        name,
        preloadPosts,
        posts,
        events,
        production,
        partitions,
        faults,
        settle,
        serviceEnvironment,
        broker);
  }
}
