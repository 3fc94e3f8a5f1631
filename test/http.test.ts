import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SpotlightError } from "../src/errors.js";
import { HttpClient, type HttpClientOptions, retryAfterMs } from "../src/http.js";
import { freePort } from "./redis-server.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_req, res) => res.end("{}");
let hits = 0;
const server = createServer((req, res) => {
  hits++;
  handler(req, res);
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let port = 0;
function client(extra: Partial<HttpClientOptions> = {}) {
  const waits: number[] = [];
  hits = 0;
  // A distinct path per client keeps request budgets apart.
  const c = new HttpClient({
    platform: "test",
    baseUrl: `${base}/c${port++}/`,
    headers: { "Api-Key": "secret-key" },
    requestsPerMinute: 1e9, // the budget's pacing has a test of its own
    timeoutMs: 200,
    maxRetries: 3,
    backoffMs: 1,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  return { c, waits };
}

/** Answer with `responses` in turn, then 200 {"ok":true}. */
function script(...responses: Array<[number, Record<string, string>, string] | "hang">) {
  let i = 0;
  handler = (_req, res) => {
    const r = responses[i++];
    if (r === "hang") return; // never answers: the client times out
    if (!r) return void res.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
    res.writeHead(r[0], r[1]).end(r[2]);
  };
}

describe("HttpClient", () => {
  it("sends the credentials as headers on every request", async () => {
    let seen: string | undefined;
    handler = (req, res) => {
      seen = req.headers["api-key"] as string;
      res.end("{}");
    };
    await client().c.get("/x.json");
    expect(seen).toBe("secret-key");
  });

  it("waits as a 429's Retry-After says, then goes on", async () => {
    script([
      429,
      { "Retry-After": "7" },
      '{"errors":["slow down"],"error_type":"rate_limit","extras":{"wait_seconds":60}}',
    ]);
    const { c, waits } = client();
    expect(await c.get("/x.json")).toEqual({ ok: true });
    expect(waits).toEqual([7000]);
    expect(hits).toBe(2);
  });

  it("falls back to extras.wait_seconds when a 429 has no Retry-After", async () => {
    script([429, {}, '{"error_type":"rate_limit","extras":{"wait_seconds":12}}']);
    const { c, waits } = client();
    await c.get("/x.json");
    expect(waits).toEqual([12000]);
  });

  it("does not spend retries on 429s, but gives up on a wait longer than allowed", async () => {
    script(
      ...Array.from(
        { length: 5 },
        () => [429, { "Retry-After": "1" }, "{}"] as [number, Record<string, string>, string],
      ),
    );
    const ok = client({ maxRetries: 0 });
    await expect(ok.c.get("/x.json")).resolves.toEqual({ ok: true });
    script([429, { "Retry-After": "3600" }, "{}"]);
    const err = (await client({ maxRateLimitWaitMs: 60_000 })
      .c.get("/x.json")
      .catch((e: unknown) => e)) as SpotlightError;
    expect(err).toBeInstanceOf(SpotlightError);
    expect(err.kind).toBe("rate_limit");
    expect(err.message).toMatch(/^\[spotlight\] \[test\] GET \/c\d+\/x\.json: 429/);
  });

  it("retries 5xx with growing backoff, then fails naming the place", async () => {
    script(
      ...Array.from(
        { length: 9 },
        () => [502, {}, "<html>bad gateway</html>"] as [number, Record<string, string>, string],
      ),
    );
    const { c, waits } = client({ backoffMs: 100 });
    const err = (await c.get("/x.json").catch((e: unknown) => e)) as SpotlightError;
    expect(err.kind).toBe("transient");
    expect(err.message).toMatch(/GET \/c\d+\/x\.json: 502 after 3 retries/);
    expect(hits).toBe(4);
    expect(waits).toHaveLength(3);
    expect(waits[2]!).toBeGreaterThan(waits[0]!);
  });

  it("retries a timeout and succeeds", async () => {
    script("hang");
    const { c } = client({ timeoutMs: 100 });
    expect(await c.get("/x.json")).toEqual({ ok: true });
    expect(hits).toBe(2);
  });

  it("never retries an auth error and says which request failed", async () => {
    script([
      403,
      {},
      '{"errors":["You are not permitted to view the requested resource."],"error_type":"invalid_access"}',
    ]);
    const err = (await client()
      .c.get("/admin/x.json")
      .catch((e: unknown) => e)) as SpotlightError;
    expect(err.kind).toBe("auth");
    expect(err.final).toBe(true);
    expect(err.message).toMatch(/GET \/c\d+\/admin\/x\.json: 403 invalid_access: You are not permitted/);
    expect(hits).toBe(1);
  });

  it("does not repeat a POST after a 5xx (it may have been applied)", async () => {
    script([500, {}, "oops"]);
    const err = (await client()
      .c.request("POST", "/posts.json", { body: { raw: "hi" } })
      .catch((e: unknown) => e)) as SpotlightError;
    expect(err.kind).toBe("transient");
    expect(hits).toBe(1);
  });

  it("reports a 200 that is not JSON as a bad response", async () => {
    script([200, { "Content-Type": "text/html" }, "<html>login</html>"]);
    const err = (await client()
      .c.get("/x.json")
      .catch((e: unknown) => e)) as SpotlightError;
    expect(err.kind).toBe("bad_response");
  });

  it("cuts off a response that never ends at the timeout, and names the request", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write("[");
      const drip = setInterval(() => res.write('"x",'), 5);
      res.on("close", () => clearInterval(drip));
    };
    const started = performance.now();
    const err = (await client({ maxRetries: 1, timeoutMs: 300 })
      .c.get("/endless.json")
      .catch((e: unknown) => e)) as SpotlightError;
    expect(err.message).toBe(
      `[spotlight] [test] GET /c${port - 1}/endless.json: timed out after 300 ms after 1 retries`,
    );
    expect(err.kind).toBe("transient");
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it("refuses a response larger than the cap without reading it all, and does not retry it", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, "a");
    let served = 0;
    handler = (_req, res) => {
      served++;
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": String(big.length) });
      res.end(big);
    };
    const err = (await client({ maxResponseBytes: 1024 * 1024 })
      .c.get("/huge.json")
      .catch((e: unknown) => e)) as SpotlightError;
    expect(err.kind).toBe("bad_response");
    expect(err.message).toMatch(
      /^\[spotlight\] \[test\] GET \/c\d+\/huge\.json: 200 response of 3145728 bytes is larger than the 1048576 bytes accepted$/,
    );
    expect(served).toBe(1);
    // Without a length announced (chunked), the cap holds while reading.
    handler = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(big.subarray(0, 700_000));
      res.end(big.subarray(0, 700_000));
    };
    const chunked = (await client({ maxResponseBytes: 1024 * 1024 })
      .c.get("/chunked.json")
      .catch((e: unknown) => e)) as SpotlightError;
    expect(chunked.message).toMatch(
      /GET \/c\d+\/chunked\.json: 200 response is larger than the 1048576 bytes accepted$/,
    );
  });

  it("names the request and the cause when the site does not answer at all", async () => {
    const closed = await freePort(); // nothing listens there
    const c = new HttpClient({
      platform: "test",
      baseUrl: `http://127.0.0.1:${closed}/`,
      headers: {},
      requestsPerMinute: 1000,
      timeoutMs: 500,
      maxRetries: 0,
    });
    const err = (await c.get("/x.json").catch((e: unknown) => e)) as SpotlightError;
    expect(err.message).toBe(
      `[spotlight] [test] GET /x.json: network error (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${closed})`,
    );
  });

  it("keeps to the per-minute budget, spread evenly over the minute", async () => {
    handler = (_req, res) => res.end("{}");
    let now = 0;
    // The sleep advances the budget's clock, as time would.
    const { c, waits } = client({
      requestsPerMinute: 2,
      elapsed: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    // Spread evenly: one every 30 s, not two at once and then a minute idle.
    await c.get("/a.json");
    expect(waits).toEqual([]);
    await c.get("/b.json");
    await c.get("/c.json");
    expect(waits).toEqual([30_000, 30_000]);
    // Idle time is not saved up for a burst.
    now += 600_000;
    await c.get("/d.json");
    await c.get("/e.json");
    expect(waits).toEqual([30_000, 30_000, 30_000]);
  });

  it("parses Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterMs("5")).toBe(5000);
    expect(retryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(30_000);
    expect(retryAfterMs("soon")).toBeNull();
  });
});
