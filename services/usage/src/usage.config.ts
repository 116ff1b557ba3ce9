import type { UsageConfig } from '@chatgate/config';

export const USAGE_CONFIG = Symbol('USAGE_CONFIG');
export const USAGE_LOGGER = Symbol('USAGE_LOGGER');
/** The price table (libs/config's loadPriceTable), loaded and validated at boot. */
export const USAGE_PRICES = Symbol('USAGE_PRICES');
export type { UsageConfig };
