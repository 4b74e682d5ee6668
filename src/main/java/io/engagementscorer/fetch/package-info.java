/**
 * Turns an image reference URI from a post ({@code s3://}, {@code https://}, {@code file://} under
 * a configured root) into image bytes, with size caps, timeouts, retries and SSRF protection.
 */
package io.engagementscorer.fetch;
