/**
 * Structured logs and metrics for the handlers. Lambda gets Powertools' Logger and Metrics (JSON
 * lines, metrics as EMF on stdout); tests and local mode pass their own {@link Log} and
 * {@link MetricsSink}.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";

/** Where a handler writes its log lines. Each call is one structured line. */
export interface Log {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** Where a handler counts what it did. */
export interface MetricsSink {
  count(name: string, value?: number): void;
  milliseconds(name: string, value: number): void;
  bytes(name: string, value: number): void;
  /** Writes what was counted since the last flush (end of an invocation). */
  flush(): void;
}

/** The metrics namespace of every bucketwarden handler. */
export const METRICS_NAMESPACE = "Bucketwarden";

/** A handler's log on Lambda: every line after `addContext` carries the invocation's context. */
export interface LambdaLog extends Log {
  /**
   * Puts the invocation's request id (`function_request_id`), function name, ARN, memory and the
   * cold-start marker (`cold_start`: true on the environment's first invocation only) on every line
   * that follows. Call it first thing in each invocation.
   */
  addContext(context: Context): void;
}

/**
 * Powertools' JSON logger for `service`, created once per execution environment (the cold-start
 * marker counts invocations of this logger); the level comes from `POWERTOOLS_LOG_LEVEL`.
 */
export function powertoolsLog(service: string): LambdaLog {
  const logger = new Logger({ serviceName: service });
  return {
    addContext: (context) => logger.addContext(context),
    debug: (m, a) => logger.debug(m, a ?? {}),
    info: (m, a) => logger.info(m, a ?? {}),
    warn: (m, a) => logger.warn(m, a ?? {}),
    error: (m, a) => logger.error(m, a ?? {}),
  };
}

/** Powertools' EMF metrics for `service`, in the {@link METRICS_NAMESPACE} namespace. */
export function powertoolsMetrics(service: string): MetricsSink {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });
  return {
    count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
    milliseconds: (name, value) => metrics.addMetric(name, MetricUnit.Milliseconds, value),
    bytes: (name, value) => metrics.addMetric(name, MetricUnit.Bytes, value),
    flush: () => metrics.publishStoredMetrics(),
  };
}

/** A log that drops everything. */
export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

/** Metrics that go nowhere. */
export const noMetrics: MetricsSink = { count() {}, milliseconds() {}, bytes() {}, flush() {} };

/** An error as log attributes: name, message, cause chain. */
export function errorAttributes(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const attrs: Record<string, unknown> = { error: error.message, errorName: error.name };
  if (error.cause !== undefined) attrs.cause = errorAttributes(error.cause);
  return attrs;
}
