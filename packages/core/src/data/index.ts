/**
 * `@modelship/core/data`: columnar tables, schemas and row validation, and the seeded random
 * source.
 *
 * @module @modelship/core/data
 */
export { Table, numericColumn, categoricalColumn, cellValue } from './table.js';
export type { Column, NumericColumn, CategoricalColumn, RowValue } from './table.js';
export { defineSchema, schemaToJSON, schemaFromJSON, schemaZ, validateRow, columnsWithRole } from './schema.js';
export type { Schema, ColumnSpec, ValidateRowOptions } from './schema.js';
export { createRandom, mulberry32 } from './random.js';
export type { Random } from './random.js';
