/** The Luhn check digit of a card number's body (every digit but the last). */
export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** `body` with its Luhn check digit appended: a number that passes the card checksum. */
export function withCheckDigit(body: string): string {
  return `${body}${luhnCheckDigit(body)}`;
}
