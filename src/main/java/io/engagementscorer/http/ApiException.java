package io.engagementscorer.http;

/**
 * A request the API answers with an error status and a JSON body {@code {"error": ..., "detail":
 * ...}}.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;

  ApiException(int status, String error, String detail) {
    super(detail);
    this.status = status;
    this.error = error;
  }

  int status() {
    return status;
  }

  String error() {
    return error;
  }
}
