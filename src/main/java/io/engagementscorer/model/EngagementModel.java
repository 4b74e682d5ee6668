package io.engagementscorer.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.NoopTranslator;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded bundle: both TorchScript models on one device and both tokenizers. Thread-safe; each
 * thread that runs inference takes its own {@link #newSession() session}.
 */
public final class EngagementModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EngagementModel.class);
  private static final String ENGINE = "PyTorch";

  private final ModelBundle bundle;
  private final Device device;
  private final Model regressor;
  private final Model sentiment;
  private final TokenEncoder textEncoder;
  private final TokenEncoder sentimentEncoder;
  private final Instant loadedAt;
  private final Duration loadTime;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EngagementModel(
      ModelBundle bundle,
      Device device,
      Model regressor,
      Model sentiment,
      TokenEncoder textEncoder,
      TokenEncoder sentimentEncoder,
      Duration loadTime) {
    this.bundle = bundle;
    this.device = device;
    this.regressor = regressor;
    this.sentiment = sentiment;
    this.textEncoder = textEncoder;
    this.sentimentEncoder = sentimentEncoder;
    this.loadedAt = Instant.now();
    this.loadTime = loadTime;
  }

  /**
   * The device inference runs on: the engine's default (a GPU when DJL finds one) unless {@code
   * forceCpu}.
   */
  public static Device selectDevice(boolean forceCpu) {
    return forceCpu ? Device.cpu() : Engine.getEngine(ENGINE).defaultDevice();
  }

  /**
   * Loads both models and tokenizers of a verified bundle onto {@code device}.
   *
   * @throws ModelException when a file does not load as what the manifest says it is
   */
  public static EngagementModel load(ModelBundle bundle, Device device) {
    long start = System.nanoTime();
    BundleManifest manifest = bundle.manifest();
    Model regressor = null;
    Model sentiment = null;
    TokenEncoder textEncoder = null;
    try {
      regressor = loadTorchScript(bundle, "regressor", device);
      sentiment = loadTorchScript(bundle, "sentiment", device);
      textEncoder =
          TokenEncoder.load(
              bundle.file(manifest.text().tokenizer()),
              manifest.text().specialTokens(),
              manifest.text().maxTokens());
      TokenEncoder sentimentEncoder =
          TokenEncoder.load(
              bundle.file(manifest.sentiment().tokenizer()),
              manifest.sentiment().specialTokens(),
              manifest.sentiment().maxTokens());
      Duration loadTime = Duration.ofNanos(System.nanoTime() - start);
      LOG.info(
          "Loaded model {} {} from {} on {} in {} ms",
          manifest.name(),
          manifest.version(),
          bundle.directory(),
          device,
          loadTime.toMillis());
      return new EngagementModel(
          bundle, device, regressor, sentiment, textEncoder, sentimentEncoder, loadTime);
    } catch (RuntimeException e) {
      closeQuietly(textEncoder);
      closeQuietly(sentiment);
      closeQuietly(regressor);
      throw e;
    }
  }

  private static Model loadTorchScript(ModelBundle bundle, String name, Device device) {
    Model model = Model.newInstance(name, device, ENGINE);
    try {
      model.load(bundle.directory(), name, Map.of("mapLocation", "true"));
      return model;
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new ModelException(
          "Cannot load " + bundle.file(name + ".pt") + " as TorchScript on " + device, e);
    }
  }

  /** A new set of predictors for the calling worker thread. */
  public InferenceSession newSession() {
    return new InferenceSession(
        this,
        regressor.newPredictor(new NoopTranslator()),
        sentiment.newPredictor(new NoopTranslator()));
  }

  NDManager newBatchManager() {
    return regressor.getNDManager().newSubManager();
  }

  /** The bundle this model was loaded from. */
  public ModelBundle bundle() {
    return bundle;
  }

  /** The bundle's manifest. */
  public BundleManifest manifest() {
    return bundle.manifest();
  }

  /** The CLIP text tokenizer. */
  public TokenEncoder textEncoder() {
    return textEncoder;
  }

  /** The sentiment classifier's tokenizer. */
  public TokenEncoder sentimentEncoder() {
    return sentimentEncoder;
  }

  /** The device inference runs on. */
  public Device device() {
    return device;
  }

  /** {@code "gpu"} or {@code "cpu"}, as the health endpoint reports it. */
  public String deviceKind() {
    return device.isGpu() ? "gpu" : "cpu";
  }

  /** When loading finished. */
  public Instant loadedAt() {
    return loadedAt;
  }

  /** How long loading took. */
  public Duration loadTime() {
    return loadTime;
  }

  /** Closes both models and tokenizers; a second call does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(textEncoder);
    closeQuietly(sentimentEncoder);
    closeQuietly(sentiment);
    closeQuietly(regressor);
  }

  private static void closeQuietly(AutoCloseable resource) {
    if (resource == null) {
      return;
    }
    try {
      resource.close();
    } catch (Exception e) {
      LOG.warn("Failed to close {}", resource, e);
    }
  }
}
