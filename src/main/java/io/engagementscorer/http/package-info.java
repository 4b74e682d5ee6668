/**
 * The HTTP sidecar (Javalin): the predict, health, model-info and score-lookup endpoints, OpenAPI
 * documentation, and Prometheus metrics. Handlers only translate HTTP to and from the core.
 */
package io.engagementscorer.http;
