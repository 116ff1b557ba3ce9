import type { GatewayFeature } from '../shared/feature.js';
import { ModelsController } from './models.controller.js';

/** `/v1/models`: the models the caller's upstream offers. */
export const MODELS_FEATURE: GatewayFeature = { controllers: [ModelsController] };
