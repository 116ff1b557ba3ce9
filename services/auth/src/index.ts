export { startAuth } from './auth.app.js';
