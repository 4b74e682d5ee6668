package io.engagementscorer.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoopTranslator;

/**
 * The regressor's three TorchScript parts, loaded: the image encoder, the text encoder and the head
 * that scores their features with the sentiment features. Their composition is the monolithic
 * regressor (the exporter checks it), so each encoder's output can be kept and reused.
 */
final class RegressorPartModels implements AutoCloseable {
  private final Model imageEncoder;
  private final Model textEncoder;
  private final Model head;

  private RegressorPartModels(Model imageEncoder, Model textEncoder, Model head) {
    this.imageEncoder = imageEncoder;
    this.textEncoder = textEncoder;
    this.head = head;
  }

  static RegressorPartModels load(
      ModelBundle bundle, BundleManifest.RegressorParts parts, Device device) {
    Model image = null;
    Model text = null;
    try {
      image = EngagementModel.loadTorchScript(bundle, parts.imageEncoder(), device);
      text = EngagementModel.loadTorchScript(bundle, parts.textEncoder(), device);
      return new RegressorPartModels(
          image, text, EngagementModel.loadTorchScript(bundle, parts.head(), device));
    } catch (RuntimeException e) {
      if (text != null) {
        text.close();
      }
      if (image != null) {
        image.close();
      }
      throw e;
    }
  }

  /** One worker thread's predictors on the three parts. */
  Predictors newPredictors() {
    return new Predictors(
        imageEncoder.newPredictor(new NoopTranslator()),
        textEncoder.newPredictor(new NoopTranslator()),
        head.newPredictor(new NoopTranslator()));
  }

  /** Predictors on the parts, owned by one thread. */
  record Predictors(
      Predictor<NDList, NDList> imageEncoder,
      Predictor<NDList, NDList> textEncoder,
      Predictor<NDList, NDList> head)
      implements AutoCloseable {
    @Override
    public void close() {
      imageEncoder.close();
      textEncoder.close();
      head.close();
    }
  }

  @Override
  public void close() {
    head.close();
    textEncoder.close();
    imageEncoder.close();
  }
}
