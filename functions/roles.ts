import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { problem } from "./problem.js";

/** The app roles of the app registration (docs/backfill.md says how to grant them). */
export const APP_ROLES = { read: "LogExport.Read", operate: "LogExport.Operate" } as const;
export type AppRole = (typeof APP_ROLES)[keyof typeof APP_ROLES];

/** The header App Service authentication sets on every request it lets through (and strips from callers). */
const PRINCIPAL_HEADER = "x-ms-client-principal";

interface ClientPrincipal {
  readonly name: string;
  readonly roles: ReadonlySet<string>;
}

interface PrincipalClaims {
  readonly role_typ?: unknown;
  readonly name_typ?: unknown;
  readonly claims?: unknown;
}

/** The caller from the platform's header (base64 JSON with `claims` of `{ typ, val }`); undefined when absent or unreadable. */
export function clientPrincipal(request: HttpRequest): ClientPrincipal | undefined {
  const header = request.headers.get(PRINCIPAL_HEADER);
  if (header === null || header === "") return undefined;
  let parsed: PrincipalClaims;
  try {
    parsed = JSON.parse(Buffer.from(header, "base64").toString("utf8")) as PrincipalClaims;
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || !Array.isArray(parsed.claims)) return undefined;
  const claims = parsed.claims.filter(
    (c): c is { typ: string; val: string } => typeof c === "object" && c !== null && typeof c.typ === "string" && typeof c.val === "string",
  );
  const roleTypes = new Set(["roles", typeof parsed.role_typ === "string" ? parsed.role_typ : "roles"]);
  const nameType = typeof parsed.name_typ === "string" ? parsed.name_typ : "name";
  return {
    name: claims.find((c) => c.typ === nameType)?.val ?? "(unnamed caller)",
    roles: new Set(claims.filter((c) => roleTypes.has(c.typ)).map((c) => c.val)),
  };
}

/** Roles that grant `role`: Operate includes Read. */
function acceptedFor(role: AppRole): readonly AppRole[] {
  return role === APP_ROLES.read ? [APP_ROLES.read, APP_ROLES.operate] : [APP_ROLES.operate];
}

/**
 * Undefined when the caller may go on, else the 401/403 problem naming the role. Operate includes
 * Read. With function keys on, a call without a signed-in caller passed the host's key check.
 * Without the platform's sign-in in front (`principalTrusted` false) the header could come from the
 * caller, so it is ignored: only a key lets a call through then.
 */
export function refuseUnlessRole(request: HttpRequest, role: AppRole, functionKeys: boolean, principalTrusted: boolean): HttpResponseInit | undefined {
  const accepted = acceptedFor(role);
  if (!principalTrusted) {
    if (functionKeys) return undefined;
    return problem(
      401,
      "unauthenticated",
      "Sign-in required",
      `this app has no sign-in in front of it (App Service authentication is off), so no caller can be shown to have the app role ${role}; turn it on (the Terraform module does) or opt in to function keys`,
    );
  }
  const caller = clientPrincipal(request);
  if (caller === undefined) {
    if (functionKeys && request.headers.get(PRINCIPAL_HEADER) === null) return undefined;
    return problem(401, "unauthenticated", "Sign-in required", `sign in with Microsoft Entra ID as a caller with the app role ${role}`, [], {
      "www-authenticate": 'Bearer realm="logexport"',
    });
  }
  if (accepted.some((r) => caller.roles.has(r))) return undefined;
  return problem(
    403,
    "missing-role",
    `Missing role ${role}`,
    `${caller.name} does not have the app role ${role}${caller.roles.size > 0 ? ` (has ${[...caller.roles].sort().join(", ")})` : ""}; an owner of the app registration grants it`,
  );
}

/** Whether a signed-in caller (behind App Service authentication) holds `role`; a key holder without a sign-in does not. */
export function signedInWithRole(request: HttpRequest, role: AppRole, principalTrusted: boolean): boolean {
  if (!principalTrusted) return false;
  const accepted = acceptedFor(role);
  const roles = clientPrincipal(request)?.roles;
  return roles !== undefined && accepted.some((r) => roles.has(r));
}
