// The wire contract in one import: topics, payload schemas and their codec.
export * from './topics.js';
export * from './messages.js';
export * from './codec.js';
