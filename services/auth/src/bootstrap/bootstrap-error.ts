import { ConfigError } from '@chatgate/config';

/**
 * A bootstrap fault as one line through the ConfigError path (runService prints it and exits 1):
 * the file, the line and the field. Messages never carry a value from the file, so never a secret.
 */
export function bootstrapFault(file: string, line: number | null, field: string | null, message: string): ConfigError {
  const where = [line === null ? null : `line ${line}`, field === null ? null : `field ${field}`].filter(Boolean).join(', ');
  return new ConfigError([`CHATGATE_BOOTSTRAP ${file}${where ? ` ${where}` : ''}: ${message.replace(/\s+/g, ' ').trim()}`]);
}
