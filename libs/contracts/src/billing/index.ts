export * from './budget.schema.js';
export * from './billing.schemas.js';
export * from './billing.subjects.js';
export * from './image-order.js';
