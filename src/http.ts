/**
 * The HTTP client every adapter uses: absolute URLs from a base, per-call headers (never
 * process-wide), a per-site request budget, timeouts, and the retry rules of CONVENTIONS.md:
 * 429 waits as the response says (Retry-After, else extras.wait_seconds), 5xx/timeouts/network
 * errors retry with exponential backoff, everything else is final. Errors name their place:
 * `[spotlight] [<platform>] GET /u/alice.json: 403 invalid_access`.
 */

import { getOrInsertComputed } from "./collections.js";
import { type ErrorKind, SpotlightError } from "./errors.js";
import { type Logger, silentLogger } from "./log.js";

export interface HttpClientOptions {
  /** Platform name used in error messages and logs. */
  platform: string;
  baseUrl: string;
  /** Sent with every request (credentials). Never logged. */
  headers: Record<string, string>;
  /** Budget shared by every client of the same baseUrl in this process. */
  requestsPerMinute: number;
  /**
   * A budget shared beyond this process (worker mode: every worker's requests to one site draw
   * from one budget in Redis, src/queue/budget.ts); the process's own when absent.
   */
  sharedBudget?: RequestBudget;
  /** Told of every answer (its HTTP status) or failure to get one ("error"): metrics. */
  observe?: (outcome: number | "error") => void;
  timeoutMs: number;
  /** Retries for 5xx, timeouts and network errors. */
  maxRetries: number;
  /** The largest response body read, in bytes (default 32 MiB): a larger one is refused, never buffered. */
  maxResponseBytes?: number;
  /** Give up when one 429 asks us to wait longer than this (default 15 minutes). */
  maxRateLimitWaitMs?: number;
  /** Give up after this many 429s for one request (default 10). */
  maxRateLimitWaits?: number;
  /** First backoff step (default 500 ms); doubles each retry, with jitter. */
  backoffMs?: number;
  logger?: Logger;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Monotonic milliseconds for the request budget (default performance.now); injectable for tests. */
  elapsed?: () => number;
  /**
   * Sends one request and returns the platform's response, whatever its status (default: Node's
   * fetch). An adapter may plug its platform's own client library in here; the policy above stays ours.
   */
  transport?: (url: URL, init: RequestInit) => Promise<Response>;
}

/** Query parameters; an array repeats its parameter (Rails' `post_ids[]=1&post_ids[]=2`). */
export type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined | null>;

export interface RequestOptions {
  query?: Query;
  /** JSON body. */
  body?: unknown;
  /** Safe to repeat after a timeout or 5xx (default: true for GET/PUT/DELETE, false for POST). */
  idempotent?: boolean;
  /** Extra headers for this request only (e.g. acting as another user). */
  headers?: Record<string, string>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** The response body as text, refusing it (and stopping the transfer) past `max` bytes. */
async function readCapped(res: Response, max: number, controller: AbortController): Promise<string> {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) {
    controller.abort();
    throw new SpotlightError(
      `${res.status} response of ${declared} bytes is larger than the ${max} bytes accepted`,
      "bad_response",
      { status: res.status },
    );
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      controller.abort();
      await reader.cancel().catch(() => {});
      throw new SpotlightError(`${res.status} response is larger than the ${max} bytes accepted`, "bad_response", {
        status: res.status,
      });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A failed fetch's cause in words ("ECONNREFUSED 127.0.0.1:9", not "[object Object]"). */
function describeCause(err: unknown): string {
  const seen = new Set<unknown>();
  const parts: string[] = [];
  for (let e: unknown = err; e && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if (typeof e === "string") parts.push(e);
    else if (typeof e === "object") {
      const { code, message } = e as { code?: unknown; message?: unknown };
      const words = [
        typeof code === "string" ? code : null,
        typeof message === "string" && message !== "fetch failed" ? message : null,
      ]
        .filter(Boolean)
        .join(": ");
      if (words) parts.push(words);
    }
  }
  // Each thing said once ("X" and "fetch_error: X" are one).
  const said = [...new Set(parts)];
  return said.filter((p) => !said.some((q) => q !== p && q.includes(p))).join("; ") || "no answer";
}

/**
 * A per-minute budget per base URL, spread evenly: requests start at least 60 s / perMinute apart,
 * so a run at 50 a minute goes at a steady pace instead of a burst of 50 and a minute idle (which
 * would take the whole site's allowance from every other integration at once).
 */
class MinuteBudget {
  private next = -Infinity;
  constructor(private perMinute: number) {}
  setLimit(perMinute: number) {
    this.perMinute = Math.min(this.perMinute, perMinute);
  }
  async take(sleep: (ms: number) => Promise<void>, elapsed: () => number): Promise<void> {
    const now = elapsed();
    // The slot is claimed before sleeping, so concurrent callers queue behind each other; time
    // left unused while idle is not saved up for a burst.
    const at = Math.max(now, this.next);
    this.next = at + 60_000 / this.perMinute;
    if (at - now >= 1) await sleep(at - now); // below a millisecond is no budget worth a timer
  }
}
const budgets = new Map<string, MinuteBudget>();

/** Where a request's turn comes from: resolves when it may start. */
export interface RequestBudget {
  take(sleep: (ms: number) => Promise<void>): Promise<void>;
}

/**
 * Parse Retry-After (seconds or HTTP date) into milliseconds. An HTTP date is compared with the
 * real clock: the server's date is real whatever a test or the demo's --now pretends.
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export class HttpClient {
  /** Requests sent (including retries): the cost the README talks about. */
  requests = 0;
  private readonly budget: MinuteBudget;
  private readonly shared?: RequestBudget;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly log: Logger;
  readonly base: URL;

  constructor(readonly options: HttpClientOptions) {
    this.base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    const key = this.base.origin + this.base.pathname;
    const known = budgets.get(key);
    known?.setLimit(options.requestsPerMinute);
    this.budget = getOrInsertComputed(budgets, key, () => new MinuteBudget(options.requestsPerMinute));
    this.shared = options.sharedBudget;
    this.sleep = options.sleep ?? defaultSleep;
    this.log = options.logger ?? silentLogger;
  }

  url(path: string, query?: Query): URL {
    const u = new URL(path.replace(/^\//, ""), this.base);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (Array.isArray(v)) for (const x of v) u.searchParams.append(k, String(x));
      else if (v !== undefined && v !== null) u.searchParams.set(k, String(v));
    }
    return u;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>("GET", path, { query });
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    return (await this.requestWithHeaders<T>(method, path, opts)).body;
  }

  /** The same, with the response headers (paging headers, for example). */
  async requestWithHeaders<T>(
    method: string,
    path: string,
    opts: RequestOptions = {},
  ): Promise<{ body: T; headers: Headers }> {
    const url = this.url(path, opts.query);
    const place = `[spotlight] [${this.options.platform}] ${method} ${url.pathname}`;
    const idempotent = opts.idempotent ?? method !== "POST";
    const maxWaitMs = this.options.maxRateLimitWaitMs ?? 15 * 60_000;
    const maxWaits = this.options.maxRateLimitWaits ?? 10;
    let retries = 0;
    let waits = 0;
    for (;;) {
      if (this.shared) await this.shared.take(this.sleep);
      else await this.budget.take(this.sleep, this.options.elapsed ?? (() => performance.now()));
      this.requests++;
      // One deadline for the headers and the whole body: a site that drips or never ends its
      // response is cut off at timeoutMs, and a body past maxResponseBytes is refused unread.
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new DOMException(`timed out after ${this.options.timeoutMs} ms`, "TimeoutError")),
        this.options.timeoutMs,
      );
      let res: Response;
      let text: string;
      try {
        res = await (this.options.transport ?? fetch)(url, {
          method,
          headers: {
            Accept: "application/json",
            ...(opts.body !== undefined ? { "Content-Type": "application/json" } : {}),
            ...this.options.headers,
            ...opts.headers,
          },
          body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
          signal: controller.signal,
          redirect: "error",
        });
        text = await readCapped(res, this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, controller);
      } catch (err) {
        if (err instanceof SpotlightError)
          throw new SpotlightError(`${place}: ${err.message}`, err.kind, { cause: err.cause });
        this.options.observe?.("error");
        const timedOut = controller.signal.aborted || (err as Error).name === "TimeoutError";
        const why = timedOut ? `timed out after ${this.options.timeoutMs} ms` : `network error (${describeCause(err)})`;
        if (idempotent && retries < this.options.maxRetries) {
          await this.backoff(++retries, place, why);
          continue;
        }
        throw new SpotlightError(`${place}: ${why}${retries ? ` after ${retries} retries` : ""}`, "transient", {
          cause: err,
        });
      } finally {
        clearTimeout(timer);
      }
      this.options.observe?.(res.status);
      if (res.ok) {
        if (!text) return { body: undefined as T, headers: res.headers };
        try {
          return { body: JSON.parse(text) as T, headers: res.headers };
        } catch (err) {
          throw new SpotlightError(`${place}: ${res.status} response is not JSON`, "bad_response", {
            cause: err,
            status: res.status,
          });
        }
      }
      const body = text;
      let json: {
        errors?: unknown;
        error_type?: string;
        code?: string;
        message?: string;
        extras?: { wait_seconds?: number };
      } | null = null;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      // The shapes platforms answer errors in: {error_type, errors: [...]} or {code, message}.
      const detail = [
        json?.error_type ?? json?.code,
        Array.isArray(json?.errors) ? json!.errors.join("; ") : json?.message,
      ]
        .filter(Boolean)
        .join(": ");
      const summary = `${place}: ${res.status}${detail ? ` ${detail}` : ""}`;
      if (res.status === 429) {
        const wait =
          retryAfterMs(res.headers.get("retry-after")) ??
          (json?.extras?.wait_seconds != null ? json.extras.wait_seconds * 1000 : null) ??
          this.backoffDelay(waits + 1);
        if (waits >= maxWaits || wait > maxWaitMs)
          throw new SpotlightError(
            `${summary} (asked to wait ${Math.round(wait / 1000)} s; gave up after ${waits} waits)`,
            "rate_limit",
            { status: 429 },
          );
        waits++;
        this.log.warn(
          { event: "spotlight.http.rate_limited", platform: this.options.platform, path: url.pathname, waitMs: wait },
          "rate limited",
        );
        await this.sleep(wait);
        continue;
      }
      if (res.status >= 500 && idempotent && retries < this.options.maxRetries) {
        await this.backoff(++retries, place, `${res.status}`);
        continue;
      }
      const kind: ErrorKind =
        res.status === 401 || res.status === 403
          ? "auth"
          : res.status === 404
            ? "not_found"
            : res.status >= 500
              ? "transient"
              : "http";
      throw new SpotlightError(`${summary}${res.status >= 500 && retries ? ` after ${retries} retries` : ""}`, kind, {
        status: res.status,
      });
    }
  }

  private backoffDelay(attempt: number): number {
    const base = this.options.backoffMs ?? 500;
    const exp = Math.min(base * 2 ** (attempt - 1), 60_000);
    return exp / 2 + Math.random() * (exp / 2);
  }

  private async backoff(attempt: number, place: string, why: string) {
    const ms = this.backoffDelay(attempt);
    this.log.warn({ event: "spotlight.http.retry", place, attempt, why, waitMs: Math.round(ms) }, "retrying");
    await this.sleep(ms);
  }
}

/** What of an adapter's options a site's client is made from (adapters/types.ts AdapterOptions). */
export interface SiteClientOptions {
  site: { baseUrl: string; requestsPerMinute: number; timeoutMs: number; maxRetries: number };
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
  sharedBudget?: RequestBudget;
  observeRequest?: (outcome: number | "error") => void;
}

/**
 * The client for one configured site: its budget, timeout and retries from the site's settings,
 * the worker's shared budget and metrics when there are; the platform adds its credentials (and
 * where its API lives, and its own transport, when it has them).
 */
export function siteClient(
  platform: string,
  o: SiteClientOptions,
  own: Pick<HttpClientOptions, "headers"> & Partial<Pick<HttpClientOptions, "baseUrl" | "transport">>,
): HttpClient {
  return new HttpClient({
    platform,
    baseUrl: own.baseUrl ?? o.site.baseUrl,
    headers: own.headers,
    requestsPerMinute: o.site.requestsPerMinute,
    timeoutMs: o.site.timeoutMs,
    maxRetries: o.site.maxRetries,
    logger: o.logger,
    sleep: o.sleep,
    sharedBudget: o.sharedBudget,
    observe: o.observeRequest,
    ...(own.transport ? { transport: own.transport } : {}),
  });
}
