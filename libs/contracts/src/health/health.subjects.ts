import type { ServiceName } from '../common/service-names.js';

/** Request/reply: any replica of the service answers (queue group = service name). */
export const healthPingSubject = (service: ServiceName) => `chatgate.${service}.health.ping.v1` as const;
