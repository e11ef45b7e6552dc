/**
 * A small HTTP client for the control plane's REST API (JDK {@code HttpClient}, JSON bodies) and
 * the one-line descriptions of its errors that kumactl prints.
 */
package io.meshlite.kumactl.client;
