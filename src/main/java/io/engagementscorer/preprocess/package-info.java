/**
 * Turns raw post content into model inputs: text cleaning, image decoding and CLIP image
 * preprocessing. Knows neither Kafka nor Javalin, and no inference engine.
 */
package io.engagementscorer.preprocess;
