/** The Node.js options of deploy/Dockerfile's `NODE_OPTIONS`, as command-line arguments. */
export function imageNodeOptions(): string[];
/** The environment deploy/Dockerfile sizes memory with (`MALLOC_ARENA_MAX`). */
export function imageMemoryEnv(): Record<string, string>;
