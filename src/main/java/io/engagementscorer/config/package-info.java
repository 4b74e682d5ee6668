/**
 * The service's configuration: one immutable record read from the environment and an optional
 * {@code .env} file, validated once at start-up with errors that name the variable.
 */
package io.engagementscorer.config;
