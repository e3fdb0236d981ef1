/**
 * Fast histogram gradient boosting and random forests in TypeScript, with compiled inference and LightGBM/XGBoost import.
 *
 * @module
 */
