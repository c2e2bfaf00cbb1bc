/** The `x-ms-client-principal` header App Service authentication sets for a signed-in caller with these app roles. */
export function clientPrincipalHeader(roles: readonly string[], name = "operator@example.com"): string {
  const principal = {
    auth_typ: "aad",
    name_typ: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
    role_typ: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
    claims: [{ typ: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", val: name }, ...roles.map((val) => ({ typ: "roles", val }))],
  };
  return Buffer.from(JSON.stringify(principal)).toString("base64");
}

/** Headers of a caller who may do everything (LogExport.Operate). */
export const OPERATOR_HEADERS: Readonly<Record<string, string>> = { "x-ms-client-principal": clientPrincipalHeader(["LogExport.Operate"]) };
