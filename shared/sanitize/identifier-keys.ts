import { keyWords } from "./secret-keys.js";

/**
 * Key names that name a user (seed 002 hashes `user_id` out of the box): the key's last words, joined, are one
 * of these (`user_id`, `userId`, `remote_user`, `UserPrincipalName`, `upn`, `email`), so `user_agent`,
 * `superuser` and `users_total` are not.
 */
const IDENTIFIER_NAMES = new Set([
  "user",
  "userid",
  "username",
  "userprincipalname",
  "userdisplayname",
  "useremail",
  "upn",
  "email",
  "emailaddress",
  "mail",
  "login",
  "loginname",
]);

/** Keys that name a user only inside an object that does (`user.id`, `initiatedBy.user.displayName`). */
const NESTED_IDENTIFIER_NAMES = new Set(["id", "name", "displayname", "principalname", "uid"]);

/** Whether a key names a user; `underIdentifier`: its object sits under a key that does. */
export function isIdentifierKey(key: string, underIdentifier: boolean): boolean {
  const words = keyWords(key);
  if (underIdentifier && NESTED_IDENTIFIER_NAMES.has(words.join(""))) return true;
  let tail = "";
  for (let at = words.length - 1; at >= 0; at -= 1) {
    tail = (words[at] as string) + tail;
    if (IDENTIFIER_NAMES.has(tail)) return true;
  }
  return false;
}
