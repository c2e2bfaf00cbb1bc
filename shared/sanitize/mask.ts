const VISIBLE = 4;
const MIN_LENGTH_TO_SHOW = 8;

/** Keeps the last few characters of a long value for recognition (`***********.com`), hides short ones entirely. */
export function maskText(text: string): string {
  const visible = text.length >= MIN_LENGTH_TO_SHOW ? VISIBLE : 0;
  return "*".repeat(text.length - visible) + text.slice(text.length - visible);
}

/** A card number with every digit but the last four hidden, separators kept: `****-****-****-1111`. */
export function maskCardNumber(text: string): string {
  let digitsLeft = 0;
  for (let i = 0; i < text.length; i += 1) if (isDigit(text.charCodeAt(i))) digitsLeft += 1;
  let out = "";
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (isDigit(code)) {
      out += digitsLeft > VISIBLE ? "*" : text[i];
      digitsLeft -= 1;
    } else {
      out += text[i];
    }
  }
  return out;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
