import type { HttpRequest, HttpResponseInit } from "@azure/functions";

/** App Service authentication's login endpoint for the Entra ID provider. */
const LOGIN_PATH = "/.auth/login/aad";

/** A browser navigating to a page (its Accept names HTML), not an API client or a script's fetch. */
export function wantsHtml(request: HttpRequest): boolean {
  return /(^|,)\s*text\/html\s*(;|,|$)/i.test(request.headers.get("accept") ?? "");
}

/**
 * A 302 to the platform's sign-in that comes back to the same page: only the path and query are passed,
 * so the redirect after sign-in stays on this app (App Service allows relative targets only, unless told otherwise).
 */
export function signInRedirect(request: HttpRequest): HttpResponseInit {
  const url = new URL(request.url);
  const back = `${url.pathname}${url.search}`;
  return { status: 302, headers: { location: `${LOGIN_PATH}?post_login_redirect_uri=${encodeURIComponent(back)}`, "cache-control": "no-store" } };
}
