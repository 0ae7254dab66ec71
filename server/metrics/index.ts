// Prometheus metrics of the server (issue 7): see server-metrics.ts for what is measured and
// http.ts for GET /metrics and who may scrape it.
export { ServerMetrics, METRIC_PREFIX, UNMATCHED_ROUTE, type MetricsSources } from './server-metrics.js';
export { httpMetricsPlugin, metricsRoute, isLoopback } from './http.js';
export { fleetCounts, type FleetCounts } from './fleet.js';
