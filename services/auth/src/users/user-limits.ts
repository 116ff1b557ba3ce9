import type { ModelLimit, WireLimit } from '@chatgate/contracts';

/** ChatGPT-Mirror's names on the wire, the principal's names inside: mapped only here. */
export function fromWireLimits(limits: WireLimit[]): ModelLimit[] {
  return limits.map((l) => ({ model: l.model_name, everyMinutes: l.every_minute, count: l.limit_count }));
}

export function toWireLimits(limits: ModelLimit[]): WireLimit[] {
  return limits.map((l) => ({ model_name: l.model, every_minute: l.everyMinutes, limit_count: l.count }));
}
