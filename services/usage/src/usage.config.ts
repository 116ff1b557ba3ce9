import type { UsageConfig } from '@chatgate/config';

export const USAGE_CONFIG = Symbol('USAGE_CONFIG');
export const USAGE_LOGGER = Symbol('USAGE_LOGGER');
export type { UsageConfig };
