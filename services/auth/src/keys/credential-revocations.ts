import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { AUTH_CREDENTIAL_REVOKED, type CredentialRevokedEvent } from '@chatgate/contracts';
import { encodeJson, NATS_CONNECTION } from '@chatgate/service-kit';

/** Stable, non-secret credential ids: the gateway's cache and usage attribution key on them. */
export const keyCredentialId = (keyId: string) => `key_${keyId}`;
export const mirrorCredentialId = (tokenId: string) => `mt_${tokenId}`;

/**
 * Tells every gateway replica to forget credentials at once (fan-out), instead of at cache expiry.
 * Called after the change is committed, so a replica that re-resolves sees the new state.
 */
@Injectable()
export class CredentialRevocations {
  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async publish(credentialIds: string[]): Promise<void> {
    if (!credentialIds.length) return;
    for (const credentialId of credentialIds) this.nc.publish(AUTH_CREDENTIAL_REVOKED, encodeJson({ credentialId } satisfies CredentialRevokedEvent));
    // Out of the client's buffer now: the one-second promise should not wait on batching.
    await this.nc.flush();
  }
}
