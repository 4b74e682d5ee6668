package io.engagementscorer.stream.serde;

import java.util.ArrayList;
import java.util.Collection;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * The Avro model the deserializer reads with: a generated class's model (its logical-type
 * conversions, such as timestamp-millis to {@code Instant}) that reads arrays into {@link
 * ArrayList}s. Avro's own {@code GenericData.Array} compares and hashes its items with a model that
 * has no conversions, so {@code equals} on a decoded record whose list items hold an {@code
 * Instant} in a union (a {@code Comment}'s {@code createdAt}) would throw "Unknown datum type
 * java.time.Instant". Avro's fast reader always builds {@code GenericData.Array}, so it is off.
 */
final class PlainListSpecificData extends SpecificData {

  private PlainListSpecificData(ClassLoader classLoader) {
    super(classLoader);
  }

  static SpecificData forClass(Class<?> type) {
    PlainListSpecificData model = new PlainListSpecificData(type.getClassLoader());
    SpecificData.getForClass(type).getConversions().forEach(model::addLogicalTypeConversion);
    model.setFastReaderEnabled(false);
    return model;
  }

  @Override
  public Object newArray(Object old, int size, Schema schema) {
    if (old instanceof Collection<?> reused) {
      reused.clear();
      return reused;
    }
    return new ArrayList<>(size);
  }
}
