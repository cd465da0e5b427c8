/** The OpenAPI entries of the correction routes (api/routes/corrections.ts), merged into document.ts. */
export const CORRECTION_PATHS: Record<string, unknown> = {};
export const CORRECTION_SCHEMAS: Record<string, unknown> = {};
