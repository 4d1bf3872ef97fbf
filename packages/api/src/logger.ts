/** The logging the API needs; a pino logger satisfies it. The API never writes emails or tokens to it. */
export interface Logger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

/** A logger that drops everything (createCaller tests, scripts). */
export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
};
