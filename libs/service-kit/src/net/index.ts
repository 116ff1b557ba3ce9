export * from './address-policy.js';
export * from './allow-hosts.js';
export * from './host-vetting.js';
