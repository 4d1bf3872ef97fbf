export type { TestTemplate } from './template.js';
export { createTestDatabase, type TestDatabase } from './test-database.js';
