import type { AuthConfig } from '@chatgate/config';

export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
export const AUTH_LOGGER = Symbol('AUTH_LOGGER');
/** The Postgres schema this service owns. No other service reads or writes it. */
export const AUTH_SCHEMA = 'auth';
export type { AuthConfig };
