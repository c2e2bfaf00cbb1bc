/** The part of randexp (no bundled types) the secret-sample tests use. */
declare module "randexp" {
  export default class RandExp {
    constructor(pattern: RegExp);
    /** The most repetitions for `*`, `+` and `{n,}`. */
    max: number;
    randInt(from: number, to: number): number;
    gen(): string;
  }
}
