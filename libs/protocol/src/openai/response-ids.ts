import { randomBytes } from 'node:crypto';

/**
 * Ids in the shapes api.openai.com uses: `resp_`, `msg_`, `rs_`, `fc_` and 48 hex digits; tool call
 * ids `call_` and 24 url-safe characters. Injectable so tests (and replays) can be deterministic.
 */
export interface ResponseIdFactory {
  response(): string;
  message(): string;
  reasoning(): string;
  functionCall(): string;
  callId(): string;
}

const hex = () => randomBytes(24).toString('hex');

export const randomResponseIds: ResponseIdFactory = {
  response: () => `resp_${hex()}`,
  message: () => `msg_${hex()}`,
  reasoning: () => `rs_${hex()}`,
  functionCall: () => `fc_${hex()}`,
  callId: () => `call_${randomBytes(18).toString('base64url')}`,
};
