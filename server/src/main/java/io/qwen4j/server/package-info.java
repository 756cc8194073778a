/** The OpenAI-compatible HTTP server: routes, request scheduling with continuous batching, metrics, the web page. */
package io.qwen4j.server;
