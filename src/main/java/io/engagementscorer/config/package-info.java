/**
 * The service's configuration: one immutable record read from the environment and an optional
 * {@code .env} file, validated once at start-up with errors that name the variable. The settings of
 * other packages (S3, image fetches) are read here into their own records, whose defaults stay with
 * them.
 */
package io.engagementscorer.config;
