/**
 * A refusal a domain module explains in its own terms: a code from the module's own union, a
 * message an admin can act on (never a secret), and the field it is about. What it becomes for a
 * caller (an admin API status, a bootstrap line) is decided where the call came in.
 */
export abstract class DomainError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** For exhaustive switches: a code added to a union and not handled fails to compile here. */
export function unhandled(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}
