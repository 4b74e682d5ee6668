package io.engagementscorer.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft broker in a JVM of its own ({@code kafka.Kafka} on the test classpath),
 * on fixed loopback ports, so that a test can kill it and start it again at the same address with
 * the same data. ({@link EmbeddedKafka} is faster to start, but Kafka's in-JVM test kit can neither
 * restart a broker nor keep its port.) Its output goes to {@code target/kafka-broker-process.log}.
 */
public final class KafkaBrokerProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Path LOG = Path.of("target", "kafka-broker-process.log");

  private final Path config;
  private final int port;
  private Process process;

  private KafkaBrokerProcess(Path config, int port) {
    this.config = config;
    this.port = port;
  }

  /** Formats a fresh log directory, starts the broker and waits until it serves. */
  public static KafkaBrokerProcess start() throws Exception {
    return start(Map.of());
  }

  /**
   * Like {@link #start()}, with {@code extraConfig} added to (or replacing lines of) the broker's
   * {@code server.properties}.
   */
  public static KafkaBrokerProcess start(Map<String, String> extraConfig) throws Exception {
    Path dir = Files.createTempDirectory("kafka-broker-process");
    int port = freePort();
    int controllerPort = freePort();
    Path config = dir.resolve("server.properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + dir.resolve("logs"),
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=4",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=4",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=false",
            extraConfig.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining("\n")),
            ""));
    Process format =
        javaProcess(
            "kafka.tools.StorageTool",
            "format",
            "-t",
            Uuid.randomUuid().toString(),
            "-c",
            config.toString());
    if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
      throw new IllegalStateException("formatting the broker's storage failed; see " + LOG);
    }
    KafkaBrokerProcess broker = new KafkaBrokerProcess(config, port);
    broker.launch();
    return broker;
  }

  /** The {@code bootstrap.servers} of the broker: the same across restarts. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** Creates a topic with {@code partitions} partitions and one replica. */
  public void createTopic(String name, int partitions) throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty())))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  /** Kills the broker at once (SIGKILL), as a crash or a lost machine would. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** Starts the killed broker again on the same ports and data, and waits until it serves. */
  public void restart() throws Exception {
    launch();
  }

  private void launch() throws Exception {
    process = javaProcess("kafka.Kafka", config.toString());
    long end = System.nanoTime() + START_TIMEOUT.toNanos();
    try (Admin admin = admin()) {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the broker exited; see " + LOG);
        }
        try {
          admin.describeCluster(new DescribeClusterOptions().timeoutMs(1000)).clusterId().get();
          return;
        } catch (Exception notYet) {
          if (System.nanoTime() > end) {
            throw new IllegalStateException("the broker did not start; see " + LOG, notYet);
          }
          Thread.sleep(200);
        }
      }
    }
  }

  private Admin admin() {
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            30_000,
            // Reconnect at once, not after a backoff growing to 1 s, so that restart() returns
            // within a poll of the broker answering: the fault run times recovery from then.
            AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG,
            50,
            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG,
            100));
  }

  private static Process javaProcess(String mainClass, String... arguments) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
    command.addAll(List.of(arguments));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(LOG.toFile()))
        .start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Kills the broker; its temporary data stays for a look after a failed run. */
  @Override
  public void close() {
    if (process != null) {
      process.destroyForcibly();
    }
  }
}
