export * from './files.subjects.js';
export * from './files.schemas.js';
export * from './file-download.protocol.js';
