/**
 * A request one dialect cannot say in the other: the caller answers it as a 400 in OpenAI's error
 * envelope, with `param` naming the field (`messages[2].content[0].type`) and `code` one of OpenAI's.
 */
export type DialectErrorCode = 'invalid_value' | 'missing_required_parameter' | 'unsupported_parameter' | 'unsupported_content_type' | 'unsupported_value';

export class DialectError extends Error {
  override readonly name = 'DialectError';

  constructor(
    message: string,
    readonly param: string | null,
    readonly code: DialectErrorCode,
  ) {
    super(message);
  }

  /** The body of the 400 (`{error: …}` is the caller's envelope). */
  toOpenAIError(): { message: string; type: 'invalid_request_error'; param: string | null; code: string } {
    return { message: this.message, type: 'invalid_request_error', param: this.param, code: this.code };
  }
}

/** A field a translation could not carry: the caller decides whether it is a 400 or only worth a log line. */
export interface UncarriedField {
  /** The field as OpenAI names params (`logprobs`, `messages[3].name`). */
  param: string;
  reason: string;
}

