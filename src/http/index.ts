export {
  createHttpServer,
  isLoopbackHost,
  sendJson,
  type HttpServer,
  type HttpServerOptions,
  type Method,
  type Mount,
  type Route,
  type RouteContext,
  type RouteHandler,
} from './server.ts';
export { createMetrics, type Metrics, type MetricsOptions, type QueueProbe, type SandboxProbe } from './metrics.ts';
export { healthHandler, type HealthSources } from './health.ts';
