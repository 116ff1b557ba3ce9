/** The Node.js options of deploy/Dockerfile's `NODE_OPTIONS`, as command-line arguments. */
export function imageNodeOptions(): string[];
