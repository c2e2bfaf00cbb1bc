/**
 * The ` key:"value"` fields Pulp's access-log formats end with (`x_forwarded_for:"…"`, `cache:"…"`,
 * `request_time:"…"`, and whatever field the next format change appends). Read from the right, so a
 * user agent that holds quotes (pip's holds JSON) never swallows them.
 */
export interface TrailingFields {
  /** The text before the first field. */
  readonly rest: string;
  /** Values by key; a key that appears twice keeps its leftmost value. */
  readonly fields: ReadonlyMap<string, string>;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The field that ends at `end` (exclusive): its key, value and where its leading space is; undefined when there is none. */
function fieldEndingAt(text: string, end: number): { readonly key: string; readonly value: string; readonly start: number } | undefined {
  if (end < 5 || text[end - 1] !== '"') return undefined;
  const open = text.lastIndexOf('"', end - 2);
  if (open < 2 || text[open - 1] !== ":") return undefined;
  const space = text.lastIndexOf(" ", open - 2);
  const key = text.slice(space + 1, open - 1);
  if (space < 0 || !KEY.test(key)) return undefined;
  return { key, value: text.slice(open + 1, end - 1), start: space };
}

export function splitTrailingFields(text: string): TrailingFields {
  const fields = new Map<string, string>();
  let end = text.length;
  for (let field = fieldEndingAt(text, end); field !== undefined; field = fieldEndingAt(text, end)) {
    fields.set(field.key, field.value);
    end = field.start;
  }
  return { rest: text.slice(0, end), fields };
}
