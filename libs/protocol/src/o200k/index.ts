export { o200k, o200kRanks } from './o200k.js';
