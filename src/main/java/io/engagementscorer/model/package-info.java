/**
 * The model bundle and its engine: manifest parsing and verification, DJL/PyTorch loading, and the
 * per-thread inference sessions that run the regressor and the sentiment classifier.
 */
package io.engagementscorer.model;
