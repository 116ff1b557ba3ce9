export { startVoice } from './voice.app.js';
