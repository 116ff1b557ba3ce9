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

  static notFound(accountId: string): AdminFailure {
    // The id is the caller's own input, echoed only when it looks like an id (never a pasted token).
    const shown = /^[0-9a-f-]{36}$/i.test(accountId) ? ` ${accountId}` : '';
    return AdminFailure.of(404, 'account_not_found', `No upstream account${shown} in this tenant.`, 'id');
  }
}
