/**
 * Structured logging with pino. Personal data (PIPL) never reaches a log
 * line whole: known personal-data fields are masked by key at any depth up to
 * four levels, and resident ID numbers and mobile numbers are masked wherever
 * they appear inside free text (messages, error messages, URLs).
 */
import { hostname } from 'node:os';
import { pino, stdSerializers, stdTimeFunctions, type ChildLoggerOptions, type DestinationStream, type Level, type Logger, type LoggerOptions, type LevelWithSilent } from 'pino';
import { maskAddress, maskFreeText, maskName, maskPhone, maskResidentId } from './masking.ts';

type Masker = (value: string) => string;

const REMOVED = '[REDACTED]';

/** Field names that carry personal data, with how each is masked. */
export const PERSONAL_DATA_FIELDS: Readonly<Record<string, Masker>> = {
  idNumber: maskResidentId,
  idCardNumber: maskResidentId,
  residentId: maskResidentId,
  residentIdNumber: maskResidentId,
  identityNumber: maskResidentId,
  certificateNumber: maskResidentId,
  phone: maskPhone,
  phoneNumber: maskPhone,
  mobile: maskPhone,
  mobilePhone: maskPhone,
  telephone: maskPhone,
  contactPhone: maskPhone,
  address: maskAddress,
  homeAddress: maskAddress,
  residentialAddress: maskAddress,
  mailingAddress: maskAddress,
  deliveryAddress: maskAddress,
  name: maskName,
  fullName: maskName,
  applicantName: maskName,
  contactName: maskName,
  recipientName: maskName,
};

/** Fields removed outright: credentials have no useful masked form. */
const SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'password',
  '*.password',
];

const MAX_DEPTH = 4;

function pathsFor(field: string): string[] {
  const paths: string[] = [];
  for (let depth = 0; depth < MAX_DEPTH; depth++) paths.push([...Array<string>(depth).fill('*'), field].join('.'));
  return paths;
}

/** Every redaction path: each personal-data field at depths 0–3, plus credentials. */
export const REDACT_PATHS: readonly string[] = [...Object.keys(PERSONAL_DATA_FIELDS).flatMap(pathsFor), ...SECRET_PATHS];

/**
 * pino redact censor: masks a personal-data value according to its field
 * name. Values that are not strings or numbers (an address object, say) are
 * removed, since there is no safe partial form of an arbitrary structure.
 */
export function censorPersonalData(value: unknown, path: readonly (string | symbol)[]): unknown {
  const key = path.length > 0 ? String(path[path.length - 1]) : '';
  const mask = PERSONAL_DATA_FIELDS[key];
  if (mask === undefined) return REMOVED;
  if (value === undefined || value === null) return value;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return mask(String(value));
  return REMOVED;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

// Masks ID and mobile numbers in every string of plain objects and arrays
// (bounded depth and width), leaving class instances (errors, requests) to
// their serializers. Returns the input itself when nothing changed.
function maskStringsDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskFreeText(value);
  if (depth >= MAX_DEPTH + 2) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item: unknown, i) => {
      if (i >= 100) return item;
      const masked = maskStringsDeep(item, depth + 1);
      if (masked !== item) changed = true;
      return masked;
    });
    return changed ? out : value;
  }
  if (isPlainObject(value)) {
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const masked = maskStringsDeep(v, depth + 1);
      if (masked !== v) {
        out ??= { ...value };
        out[k] = masked;
      }
    }
    return out ?? value;
  }
  return value;
}

interface SerializedError {
  message?: unknown;
  stack?: unknown;
  [key: string]: unknown;
}

function serializeError(err: unknown): unknown {
  const serialized = stdSerializers.err(err as Error) as SerializedError;
  if (typeof serialized !== 'object' || serialized === null) return serialized;
  return maskStringsDeep({ ...serialized }, 0);
}

interface RequestLike {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

// The request serializer fastify would use, but with personal data masked
// out of the URL (an ID number in a path or query string).
function serializeRequest(req: RequestLike): Record<string, unknown> {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? maskFreeText(req.url) : req.url,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export interface LoggingSettings {
  readonly serviceName: string;
  readonly level: LevelWithSilent;
}

/**
 * pino options for every govsvc process: ISO timestamps, level labels, the
 * service name on every line, personal-data redaction that masks (not
 * removes) known fields, and free-text masking of ID and mobile numbers in
 * messages, string fields and errors.
 */
export function loggerOptions(settings: LoggingSettings): LoggerOptions {
  return {
    level: settings.level,
    base: { service: settings.serviceName, pid: process.pid, hostname: hostname() },
    timestamp: stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => maskStringsDeep(object, 0) as Record<string, unknown>,
    },
    serializers: { err: serializeError, error: serializeError, req: serializeRequest },
    redact: { paths: [...REDACT_PATHS], censor: censorPersonalData },
    hooks: {
      logMethod(args, method) {
        // Interpolation arguments and the message itself are free text.
        const masked: unknown[] = args.map((arg: unknown) => (typeof arg === 'string' ? maskFreeText(arg) : arg));
        // Without a message pino copies the error's message into `msg`
        // unserialized; supply it masked instead.
        const [first, second] = masked;
        if (typeof second !== 'string' && typeof first === 'object' && first !== null) {
          const err = first instanceof Error ? first : (first as { err?: unknown }).err;
          if (err instanceof Error && (first as { msg?: unknown }).msg === undefined) {
            masked.splice(1, 0, maskFreeText(err.message));
          }
        }
        return method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
}

/** Creates the process logger; `destination` defaults to stdout (tests pass a capture stream). */
export function createLogger(settings: LoggingSettings, destination?: DestinationStream): Logger {
  return destination === undefined ? pino(loggerOptions(settings)) : pino(loggerOptions(settings), destination);
}

/**
 * The per-request logger, made only when a line is logged (issue 8). fastify
 * gives every request a child logger bound to its correlation id; pino builds
 * a child by running the bindings through the redaction (the wildcard paths
 * match every key), which cost as much as the rest of a cached read. Most
 * requests log nothing at the configured level (`warn` under load: the
 * per-request lines are `info`), so the child is built on the first line at an
 * enabled level and used from then on, the same logger with the same bindings,
 * serializers and masking as before. Levels are decided as the child would: a
 * child takes its parent's level when made.
 */
export class RequestLogger {
  #child: Logger | undefined;

  constructor(
    readonly parent: Logger,
    private readonly childBindings: Record<string, unknown>,
    private readonly childOptions: ChildLoggerOptions | undefined,
  ) {}

  /** The real child logger (made now if not yet). */
  get logger(): Logger {
    return (this.#child ??= this.parent.child(this.childBindings, this.childOptions));
  }

  get level(): string {
    return this.#child?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  get msgPrefix(): string | undefined {
    return this.#child?.msgPrefix ?? this.parent.msgPrefix;
  }

  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.parent).isLevelEnabled(level);
  }

  #log(level: Level, args: unknown[]): void {
    if (this.#child === undefined && !this.parent.isLevelEnabled(level)) return;
    (this.logger[level] as (...a: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]): void {
    this.#log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#log('error', args);
  }
  warn(...args: unknown[]): void {
    this.#log('warn', args);
  }
  info(...args: unknown[]): void {
    this.#log('info', args);
  }
  debug(...args: unknown[]): void {
    this.#log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#log('trace', args);
  }
  silent(): void {}

  child(bindings: Record<string, unknown>, options?: ChildLoggerOptions): Logger {
    return this.logger.child(bindings, options);
  }

  bindings(): Record<string, unknown> {
    return this.logger.bindings();
  }
}

/** fastify `childLoggerFactory`: a `RequestLogger` in place of an eagerly built pino child. */
export function lazyChildLoggerFactory(logger: Logger, bindings: Record<string, unknown>, options: ChildLoggerOptions | undefined): RequestLogger {
  return new RequestLogger(logger, bindings, options);
}
