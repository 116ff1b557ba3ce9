import type { GatewayFeature } from '../shared/feature.js';
import { FilesController } from './files.controller.js';

/** `/v1/files/…`: the links to generated files the chat replies carry. */
export const FILES_FEATURE: GatewayFeature = { controllers: [FilesController] };
