export { startGateway } from './gateway.app.js';
