/** Prometheus metrics for /metrics (prom-client, one registry per server). */
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  requests: Counter<"route" | "method" | "status">;
  duration: Histogram<"route">;
  webhooks: Counter<"platform" | "result">;
  optouts: Counter<"site">;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "spotlight_" });
  return {
    registry,
    requests: new Counter({
      name: "spotlight_http_requests_total",
      help: "HTTP requests served",
      labelNames: ["route", "method", "status"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "spotlight_http_request_duration_seconds",
      help: "HTTP request duration",
      labelNames: ["route"],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    webhooks: new Counter({
      name: "spotlight_webhook_events_total",
      help: "Webhook requests by outcome",
      labelNames: ["platform", "result"],
      registers: [registry],
    }),
    optouts: new Counter({
      name: "spotlight_optouts_total",
      help: "Opt-outs recorded",
      labelNames: ["site"],
      registers: [registry],
    }),
  };
}
