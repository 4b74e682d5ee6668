/**
 * The errors every side shares: input that cannot be scored, with its typed problem (its HTTP
 * status and dead-letter stage), and scoring that is unavailable for now.
 */
package io.engagementscorer.errors;
