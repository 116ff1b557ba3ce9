import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import { sealedAt } from '../accounts/sealed-places.js';
import { TokenCipher } from '../accounts/token-cipher.js';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { MirrorTokenEntity } from './mirror-token.entity.js';

const tokenAt = (id: string) => sealedAt('mirrorTokens', 'token_enc', id);

/** All reads and writes of ChatGPT-Mirror's tokens: hashed to be found, sealed (bound to the row) to be answered again. */
@Injectable()
export class MirrorTokensRepository {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(TokenCipher) private readonly cipher: TokenCipher,
  ) {}

  private get rows() {
    return this.uow.manager.getRepository(MirrorTokenEntity);
  }

  liveByHash(hash: string): Promise<MirrorTokenEntity | null> {
    return this.rows.findOneBy({ hash, revokedAt: IsNull() });
  }

  /** The live token of a (user, account), locked until the transaction ends. */
  liveFor(userId: string, accountId: string): Promise<MirrorTokenEntity | null> {
    return this.rows.findOne({ where: { userId, accountId, revokedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
  }

  liveOfUser(userId: string): Promise<MirrorTokenEntity[]> {
    return this.rows.findBy({ userId, revokedAt: IsNull() });
  }

  /** The token in clear; throws when it cannot be opened (sealed under another key, or moved from another row). */
  open(row: MirrorTokenEntity): string {
    return this.cipher.open(row.tokenEnc, tokenAt(row.id));
  }

  async insert(values: { tenantId: string; userId: string; accountId: string; hash: string; token: string }): Promise<void> {
    const id = randomUUID();
    const { token, ...rest } = values;
    await this.rows.insert({ ...rest, id, tokenEnc: this.cipher.seal(token, tokenAt(id)), revokedAt: null });
  }

  async revoke(ids: string[]): Promise<void> {
    if (ids.length) await this.rows.update({ id: In(ids) }, { revokedAt: new Date() });
  }

  async liveIdsOfUsers(userIds: string[]): Promise<string[]> {
    if (!userIds.length) return [];
    return (await this.rows.find({ select: { id: true }, where: { userId: In(userIds), revokedAt: IsNull() } })).map((t) => t.id);
  }

  async liveIdsOfTenant(tenantId: string): Promise<string[]> {
    return (await this.rows.find({ select: { id: true }, where: { tenantId, revokedAt: IsNull() } })).map((t) => t.id);
  }
}
