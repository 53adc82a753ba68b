// The subset of pino the runtime uses, so tests can record log lines without pino.
export interface Logger {
  child(bindings: Record<string, unknown>): Logger;
  debug(obj: Record<string, unknown> | string, msg?: string): void;
  info(obj: Record<string, unknown> | string, msg?: string): void;
  warn(obj: Record<string, unknown> | string, msg?: string): void;
  error(obj: Record<string, unknown> | string, msg?: string): void;
}

/** A logger that drops everything (defaults in library code and tests that do not look). */
export const silentLogger: Logger = {
  child: () => silentLogger,
  debug: () => {}, info: () => {}, warn: () => {}, error: () => {},
};
