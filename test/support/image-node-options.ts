/** The image's Node.js options (deploy/Dockerfile), for tests that start a service as a process of its own. */
export { imageNodeOptions } from '../../tools/image-node-options.mjs';
