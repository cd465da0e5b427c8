/** The OpenAPI entries of the webhook routes (api/routes/webhooks.ts), merged into document.ts. */
export const WEBHOOK_PATHS: Record<string, unknown> = {};
export const WEBHOOK_SCHEMAS: Record<string, unknown> = {};
