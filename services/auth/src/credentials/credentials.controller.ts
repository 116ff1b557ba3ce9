import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AUTH_RESOLVE_CREDENTIAL, resolveCredentialRequestSchema, type ResolveCredentialReply } from '@chatgate/contracts';
import { CredentialResolverService } from './credential-resolver.service.js';

@Controller()
export class CredentialsController {
  constructor(private readonly resolver: CredentialResolverService) {}

  @MessagePattern(AUTH_RESOLVE_CREDENTIAL)
  async resolve(@Payload() payload: unknown): Promise<ResolveCredentialReply> {
    const parsed = resolveCredentialRequestSchema.safeParse(payload);
    if (!parsed.success) {
      return { ok: false, failure: { status: 400, error: { message: 'Malformed credential request.', type: 'invalid_request_error', param: null, code: 'invalid_request' } } };
    }
    return this.resolver.resolve(parsed.data);
  }
}
