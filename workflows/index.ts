// The worker's workflow bundle: every workflow type the service runs.
export { parsePdf } from './parse-pdf';
export { bulkCategorize } from './bulk-categorize';
export { generateReport } from './generate-report';
export { previewCategorize } from './preview-categorize';
export { cleanupOldResults } from './cleanup-old-results';
export { deliverTaskWebhooks } from './task-webhooks';
