export { startGateway } from './gateway.app.js';
export { ADMIN_FAILURES_PREFIX } from './admin/admin-authenticator.js';
