export * from './addresses';
export * from './outcome';
export * from './payload';
export * from './signature';
export * from './url';
