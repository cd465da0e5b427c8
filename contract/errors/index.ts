export * from './app-error';
export * from './http-errors';
export * from './task-errors';
