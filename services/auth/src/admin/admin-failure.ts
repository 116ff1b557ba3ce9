import type { BusError } from '@chatgate/contracts';

/** A refusal the admin should see as is: status and OpenAI-style body, travelling back over the bus. */
export class AdminFailure extends Error {
  constructor(readonly failure: BusError) {
    super(failure.error.message);
  }

  static of(status: number, code: string, message: string, param: string | null = null): AdminFailure {
    const type = status >= 500 ? 'server_error' : 'invalid_request_error';
    return new AdminFailure({ status, error: { message, type, param, code } });
  }
}
