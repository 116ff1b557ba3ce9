import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';

/** One built file of the console, held in memory. */
export interface ConsoleFile {
  body: Buffer;
  contentType: string;
  /** Vite names assets by their content hash: such a file never changes under its name. */
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Where the console's build is: `dist/` of the `@chatgate/console` workspace (null when the package is not installed). */
export function consoleDistDir(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@chatgate/console/package.json')), 'dist');
  } catch {
    return null;
  }
}

/**
 * The console's files by their path under `/console/` (`index.html`, `assets/index-1a2b.js`). Read
 * once at start: the build is a handful of files of a few hundred kilobytes, and serving them from
 * memory needs no file-system path handling per request (so no traversal to guard against).
 */
export function loadConsoleFiles(dir: string | null): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  if (!dir || !existsSync(join(dir, 'index.html'))) return files;
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const name = relative(dir, path).split(sep).join('/');
        files.set(name, { body: readFileSync(path), contentType: TYPES[extname(name)] ?? 'application/octet-stream', immutable: name.startsWith('assets/') });
      }
    }
  };
  walk(dir);
  return files;
}
