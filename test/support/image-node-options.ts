/** How the image runs a service (deploy/Dockerfile), for tests that start one as a process of its own. */
export { imageMemoryEnv, imageNodeOptions } from '../../tools/image-node-options.mjs';
