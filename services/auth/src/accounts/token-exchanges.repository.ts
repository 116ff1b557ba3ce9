import { Inject, Injectable } from '@nestjs/common';
import { UnitOfWork } from '../persistence/unit-of-work.js';
import { sealedAt } from './sealed-places.js';
import { TokenCipher } from './token-cipher.js';
import { TokenExchangeEntity } from './token-exchange.entity.js';

export interface ExchangedToken {
  kind: 'refresh' | 'session' | 'codex_refresh';
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** What to present next time: the rotated token, or the entered one if the upstream kept it. */
  successor: string;
}

/** Successors of entered tokens, written the moment the upstream answers (see the migration). */
@Injectable()
export class TokenExchangesRepository {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(TokenCipher) private readonly cipher: TokenCipher,
  ) {}

  private get rows() {
    return this.uow.manager.getRepository(TokenExchangeEntity);
  }

  async find(fingerprint: string): Promise<ExchangedToken | null> {
    const row = await this.rows.findOneBy({ fingerprint });
    if (!row) return null;
    return {
      kind: row.kind,
      accessToken: this.cipher.open(row.accessTokenEnc, sealedAt('tokenExchanges', 'access_token_enc', fingerprint)),
      accessTokenExpiresAt: row.accessTokenExpiresAt,
      successor: this.cipher.open(row.successorEnc, sealedAt('tokenExchanges', 'successor_enc', fingerprint)),
    };
  }

  /** One statement, committed at once when no transaction is open (the caller makes sure of that). */
  async save(fingerprint: string, exchanged: ExchangedToken): Promise<void> {
    await this.rows.upsert(
      {
        fingerprint,
        kind: exchanged.kind,
        accessTokenEnc: this.cipher.seal(exchanged.accessToken, sealedAt('tokenExchanges', 'access_token_enc', fingerprint)),
        accessTokenExpiresAt: exchanged.accessTokenExpiresAt,
        successorEnc: this.cipher.seal(exchanged.successor, sealedAt('tokenExchanges', 'successor_enc', fingerprint)),
      },
      ['fingerprint'],
    );
  }

  async forget(fingerprint: string): Promise<void> {
    await this.rows.delete({ fingerprint });
  }
}
