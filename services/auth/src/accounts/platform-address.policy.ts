import { Inject, Injectable } from '@nestjs/common';
import { isAddressRefused, parseAllowHosts, vetUrlHost, type HostVetting, type Logger } from '@chatgate/service-kit';
import { AUTH_CONFIG, AUTH_LOGGER, type AuthConfig } from '../auth.config.js';
import { AccountError } from './account-error.js';

/**
 * Where an API key's base URL may point, checked when the key is entered (admin import, bootstrap):
 * a tenant admin chooses the URL and reads the answers back, so an internal or metadata address
 * would be a way in. The same policy as for users' upload URLs (service-kit `net`); the conversation
 * worker checks again on every connection (the name may resolve elsewhere later).
 */
@Injectable()
export class PlatformAddressPolicy {
  private readonly vetting: HostVetting;

  constructor(@Inject(AUTH_CONFIG) config: AuthConfig, @Inject(AUTH_LOGGER) logger: Logger) {
    this.vetting = { allowHosts: parseAllowHosts(config.PLATFORM_ALLOW_HOSTS, 'PLATFORM_ALLOW_HOSTS') };
    if (this.vetting.allowHosts.size) logger.warn({ hosts: [...this.vetting.allowHosts] }, 'PLATFORM_ALLOW_HOSTS: API keys may reach these hosts although they are private');
  }

  /** Refuses (AccountError `base_url_refused`) a base URL that is or resolves to an address chatgate never calls. */
  async check(baseUrl: string): Promise<void> {
    try {
      await vetUrlHost(new URL(baseUrl), this.vetting);
    } catch (err) {
      if (isAddressRefused(err)) throw AccountError.baseUrlRefused(err.message);
      throw err;
    }
  }
}
