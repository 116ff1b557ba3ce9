import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { AUTH_CREDENTIAL_REVOKED, type CredentialRevokedEvent } from '@chatgate/contracts';
import { encodeJson, NATS_CONNECTION } from '@chatgate/service-kit';
import { UnitOfWork } from '../persistence/unit-of-work.js';

/** Stable, non-secret credential ids: the gateway's cache and usage attribution key on them. */
export const keyCredentialId = (keyId: string) => `key_${keyId}`;
export const mirrorCredentialId = (tokenId: string) => `mt_${tokenId}`;

/**
 * Tells every gateway replica to forget credentials at once (fan-out), instead of at cache expiry.
 * Sent once the change is committed (at once outside a transaction), so a replica that
 * re-resolves sees the new state, and a rolled-back change evicts nothing.
 */
@Injectable()
export class CredentialRevocations {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly uow: UnitOfWork,
  ) {}

  async publish(credentialIds: string[]): Promise<void> {
    if (!credentialIds.length) return;
    await this.uow.afterCommit(async () => {
      for (const credentialId of new Set(credentialIds)) this.nc.publish(AUTH_CREDENTIAL_REVOKED, encodeJson({ credentialId } satisfies CredentialRevokedEvent));
      // Out of the client's buffer now: the one-second promise should not wait on batching.
      await this.nc.flush();
    });
  }
}
