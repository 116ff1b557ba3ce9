/** The Node.js options of deploy/Dockerfile's `NODE_OPTIONS`, as command-line arguments. */
export function imageNodeOptions(): string[];
/** The environment deploy/Dockerfile sizes memory with (glibc's `MALLOC_*` variables). */
export function imageMemoryEnv(): Record<string, string>;
