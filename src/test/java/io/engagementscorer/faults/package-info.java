/**
 * The fault-injection run: a broker, a registry and two service instances in processes of their
 * own, a producer that records what it sent, SIGKILLs during production, and a verifier of what
 * {@code read_committed} consumers saw ({@code ops/fault-run.sh}, and {@code FaultInjectionIT} in
 * CI).
 */
package io.engagementscorer.faults;
