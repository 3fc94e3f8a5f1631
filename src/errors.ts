/**
 * A small error taxonomy that drives retries (CONVENTIONS: options and errors).
 * final errors (auth, not found, bad config, malformed responses) are never retried;
 * rate limits wait as told; transient errors (5xx, timeouts, network) retry with backoff.
 */
export type ErrorKind = "config" | "auth" | "not_found" | "rate_limit" | "transient" | "bad_response" | "http";

export class SpotlightError extends Error {
  override name = "SpotlightError";
  constructor(
    message: string,
    readonly kind: ErrorKind,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }
  readonly status?: number;
  /** Retrying cannot help. */
  get final(): boolean {
    return this.kind !== "rate_limit" && this.kind !== "transient";
  }
}

/**
 * A read stopped because its process must stop (SIGTERM): what it read so far is kept (its last
 * checkpoint), and its job is handed to the next worker. Not a failure.
 */
export class StoppedError extends SpotlightError {
  override name = "StoppedError";
  constructor(message = "[spotlight] the read stopped at a checkpoint: the process is stopping") {
    super(message, "transient");
  }
}

/** Bad configuration: every problem at once, each starting with its path. Exit code 2. */
export class ConfigError extends SpotlightError {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`, "config");
  }
}

/** Bad command-line usage. Exit code 2. */
export class UsageError extends SpotlightError {
  override name = "UsageError";
  constructor(message: string) {
    super(message, "config");
  }
}
