/** A usage or input problem: printed as one line, exit code 2. */
export class CliError extends Error {
  override readonly name = "CliError";

  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
  }
}
