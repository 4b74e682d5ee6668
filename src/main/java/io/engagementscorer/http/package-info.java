/**
 * The HTTP sidecar (Javalin): the predict, health and model-info endpoints, OpenAPI documentation,
 * and Prometheus metrics. Handlers only translate HTTP to and from the scoring core.
 */
package io.engagementscorer.http;
