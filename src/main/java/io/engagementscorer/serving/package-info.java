/**
 * Serving models: the loader that turns a fetched bundle into a self-checked served model, and the
 * reloader that swaps new versions into the scorer while it runs.
 */
package io.engagementscorer.serving;
