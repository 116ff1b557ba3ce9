import type { GatewayFeature } from '../shared/feature.js';
import { consoleDistDir, loadConsoleFiles } from './console-assets.js';
import { CONSOLE_FILES, ConsoleController } from './console.controller.js';

/** The admin console's static files at `/console/` (the page; what it shows comes from the admin API). */
export const CONSOLE_FEATURE: GatewayFeature = {
  controllers: [ConsoleController],
  providers: [{ provide: CONSOLE_FILES, useFactory: () => loadConsoleFiles(consoleDistDir()) }],
};
