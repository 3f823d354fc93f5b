// Structured logging (pino). LOG_LEVEL=debug shows every drop; tests run silent.
import { pino } from 'pino';

export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  base: undefined,
});
