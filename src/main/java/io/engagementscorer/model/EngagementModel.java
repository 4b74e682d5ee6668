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
 * A loaded bundle: its TorchScript models on one device (the sentiment classifier, and the
 * regressor's parts when the bundle has them, the whole regressor otherwise) and both tokenizers.
 * Thread-safe; each thread that runs inference takes its own {@link #newSession() session}.
 */
public final class EngagementModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EngagementModel.class);
  private static final String ENGINE = "PyTorch";

  private final ModelBundle bundle;
  private final Device device;
  private final Model regressor;
  private final Model sentiment;
  private final RegressorPartModels parts;
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
      RegressorPartModels parts,
      TokenEncoder textEncoder,
      TokenEncoder sentimentEncoder,
      Duration loadTime) {
    this.bundle = bundle;
    this.device = device;
    this.regressor = regressor;
    this.sentiment = sentiment;
    this.parts = parts;
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
    RegressorPartModels parts = null;
    TokenEncoder textEncoder = null;
    try {
      sentiment = loadTorchScript(bundle, "sentiment.pt", device);
      // With parts the whole regressor is not loaded: the parts compose it, at half the memory.
      if (manifest.hasRegressorParts()) {
        parts = RegressorPartModels.load(bundle, manifest.regressorParts(), device);
      } else {
        regressor = loadTorchScript(bundle, "regressor.pt", device);
      }
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
          "Loaded model {} {} from {} on {} in {} ms ({})",
          manifest.name(),
          manifest.version(),
          bundle.directory(),
          device,
          loadTime.toMillis(),
          parts == null
              ? "monolithic regressor: every score runs both CLIP encoders"
              : "regressor in parts: unchanged images, texts and comments are not encoded again");
      return new EngagementModel(
          bundle, device, regressor, sentiment, parts, textEncoder, sentimentEncoder, loadTime);
    } catch (RuntimeException e) {
      closeQuietly(textEncoder);
      closeQuietly(parts);
      closeQuietly(sentiment);
      closeQuietly(regressor);
      throw e;
    }
  }

  /** Loads the bundle's TorchScript file {@code file} (for example {@code regressor.pt}). */
  static Model loadTorchScript(ModelBundle bundle, String file, Device device) {
    String name = file.substring(0, file.length() - ".pt".length());
    Model model = Model.newInstance(name, device, ENGINE);
    try {
      model.load(bundle.directory(), name, Map.of("mapLocation", "true"));
      return model;
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new ModelException(
          "Cannot load " + bundle.file(file) + " as TorchScript on " + device, e);
    }
  }

  /** A new set of predictors for the calling worker thread. */
  public InferenceSession newSession() {
    return new InferenceSession(
        this,
        regressor == null ? null : regressor.newPredictor(new NoopTranslator()),
        sentiment.newPredictor(new NoopTranslator()),
        parts == null ? null : parts.newPredictors());
  }

  /** Whether the regressor is loaded in parts, so encoder outputs can be reused. */
  public boolean hasRegressorParts() {
    return parts != null;
  }

  /**
   * What identifies this model's outputs: the version and the manifest's sha256, which changes with
   * any file of the bundle. Reused features are keyed by it, so none crosses bundles.
   */
  public String featureKey() {
    return manifest().version() + "@" + bundle.manifestSha256().substring(0, 16);
  }

  NDManager newBatchManager() {
    return sentiment.getNDManager().newSubManager();
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
    closeQuietly(parts);
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
