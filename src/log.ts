/**
 * Structured logs (pino) with stable event names: alerts and tests match on `event`, never on text.
 * Secrets are redacted wherever they might appear.
 */
import { type Logger, pino } from "pino";

export const REDACT = [
  "headers['api-key']",
  "headers['Api-Key']",
  "headers.authorization",
  "headers.Authorization",
  "*.headers['api-key']",
  "*.headers['Api-Key']",
  "*.headers.authorization",
  "apiKey",
  "*.apiKey",
  "password",
  "*.password",
  "secret",
  "*.secret",
];

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.SPOTLIGHT_LOG_LEVEL ?? "info",
      base: undefined,
      redact: { paths: REDACT, censor: "[redacted]" },
      messageKey: "msg",
    },
    (options.destination ?? process.stderr) as pino.DestinationStream,
  );
}

/** A logger that writes nothing (tests, library use). */
export const silentLogger: Logger = pino({ level: "silent" });

export type { Logger };
