package io.engagementscorer.http;

/**
 * The JSON body of every error answer.
 *
 * @param error a short stable code, such as {@code invalid_image}
 * @param detail what exactly was wrong, for a person
 */
record ErrorBody(String error, String detail) {}
