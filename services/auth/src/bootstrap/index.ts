export { BootstrapService } from './bootstrap.service.js';
export { loadBootstrapFile, type BootstrapPlan } from './bootstrap-file.js';
export type { BootstrapSummary } from './bootstrap-summary.js';
