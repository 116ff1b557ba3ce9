export { startAuth } from './auth.app.js';
export { AccountsService } from './accounts/accounts.service.js';
export { TokenCipher } from './accounts/token-cipher.js';
export { AccountPoolService } from './pool/account-pool.service.js';
