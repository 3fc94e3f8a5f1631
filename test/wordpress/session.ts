/**
 * A wp-admin session as a person has one: logged in through wp-login.php with cookies, pages
 * fetched, forms posted with the nonces the pages carry. No browser: the forms are plain HTML.
 */
export interface WpSession {
  get(path: string): Promise<{ status: number; html: string; location: string | null }>;
  post(
    path: string,
    form: Record<string, string> | FormData,
  ): Promise<{ status: number; html: string; location: string | null }>;
}

/** The value of a form field named `name` on a page (e.g. a nonce). */
export function field(html: string, name: string): string {
  const m =
    new RegExp(`name="${name.replace(/[[\]]/g, "\\$&")}"[^>]*value="([^"]*)"`).exec(html) ??
    new RegExp(`value="([^"]*)"[^>]*name="${name.replace(/[[\]]/g, "\\$&")}"`).exec(html);
  if (!m) throw new Error(`no field ${name} on the page`);
  return m[1]!.replace(/&amp;/g, "&");
}

export async function wpLogin(baseUrl: string, login: string, password: string): Promise<WpSession> {
  const jar = new Map<string, string>([["wordpress_test_cookie", "WP%20Cookie%20check"]]);
  const send = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(new URL(path, `${baseUrl}/`), {
      ...init,
      redirect: "manual",
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(";")[0]!;
      const at = pair.indexOf("=");
      if (/expires=[^;]*1970/i.test(c)) jar.delete(pair.slice(0, at));
      else jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return { status: res.status, html: await res.text(), location: res.headers.get("location") };
  };
  const r = await send("wp-login.php", {
    method: "POST",
    body: new URLSearchParams({ log: login, pwd: password, "wp-submit": "Log In", testcookie: "1" }),
  });
  if (r.status !== 302) throw new Error(`wp-login.php as ${login}: ${r.status}`);
  return {
    get: (path) => send(path),
    post: (path, form) =>
      send(path, { method: "POST", body: form instanceof FormData ? form : new URLSearchParams(form) }),
  };
}
