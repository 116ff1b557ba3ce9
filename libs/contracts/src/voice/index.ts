export * from './voice.subjects.js';
export * from './voice-catalogue.js';
export * from './speech.schemas.js';
export * from './speech.protocol.js';
