/**
 * The processor's settings, declared once: each has a default (the original design's where it had one),
 * an environment variable, a key in the optional JSON config file and a CLI flag. Precedence:
 * flag > environment > config file > default. Secrets are masked whenever settings are printed or logged.
 */
import { readFileSync } from 'node:fs';
import { parseDurationMs } from '../../shared/durations.ts';
import type { StorageLayout } from '../../storage/layout.ts';

/** `int` is a whole number >= 0, `count` one >= 1. */
type Kind = 'string' | 'int' | 'count' | 'duration' | 'bool' | 'list';

interface SettingDef {
  kind: Kind;
  default: string | number | boolean | string[] | undefined;
  env: string;
  description: string;
  secret?: boolean;
}

// Generic so each setting keeps its literal kind and default type (Settings derives value types from them).
function def<K extends Kind, D extends SettingDef['default']>(
  kind: K,
  defaultValue: D,
  env: string,
  description: string,
  secret = false,
): SettingDef & { kind: K; default: D } {
  return { kind, default: defaultValue, env, description, secret };
}

export const SETTING_DEFS = {
  kafkaBrokers: def(
    'list',
    undefined,
    'KAFKA_BROKERS',
    'Kafka bootstrap servers (host:port,...); unset: local stack',
  ),
  kafkaSsl: def('bool', false, 'KAFKA_SSL', 'TLS to the brokers'),
  kafkaSaslMechanism: def(
    'string',
    undefined,
    'KAFKA_SASL_MECHANISM',
    'plain | scram-sha-256 | scram-sha-512',
  ),
  kafkaSaslUsername: def('string', undefined, 'KAFKA_SASL_USERNAME', 'SASL user name'),
  kafkaSaslPassword: def('string', undefined, 'KAFKA_SASL_PASSWORD', 'SASL password', true),
  s3Endpoint: def('string', undefined, 'S3_ENDPOINT', 'S3-compatible endpoint URL; unset: local stack'),
  s3Region: def('string', 'us-east-1', 'S3_REGION', 'S3 region'),
  s3Bucket: def('string', 'bucket-0', 'S3_BUCKET', 'bucket holding views, checkpoints and dead letters'),
  s3AccessKeyId: def(
    'string',
    undefined,
    'S3_ACCESS_KEY_ID',
    'S3 access key (unset: AWS default chain)',
    true,
  ),
  s3SecretAccessKey: def('string', undefined, 'S3_SECRET_ACCESS_KEY', 'S3 secret key', true),
  viewsPrefix: def(
    'string',
    'realtime_views/',
    'VIEWS_PREFIX',
    'prefix of the views tree: complete rows only, each once (what readers read)',
  ),
  partialsPrefix: def(
    'string',
    'realtime_partials/',
    'PARTIALS_PREFIX',
    'prefix of the partial rows each commit writes (input of completion; not for readers)',
  ),
  checkpointsPrefix: def('string', 'checkpoints/speed/', 'CHECKPOINTS_PREFIX', 'prefix of job checkpoints'),
  deadLetterPrefix: def('string', 'dead_letter/', 'DEAD_LETTER_PREFIX', 'prefix of rejected records'),
  rawPrefix: def('string', 'raw/', 'RAW_PREFIX', 'prefix of the raw archive (every validated record)'),
  batchPrefix: def('string', 'batch_views/', 'BATCH_PREFIX', 'prefix of the batch views (speed-layer batch)'),
  reconciliationPrefix: def(
    'string',
    'reconciliation/',
    'RECONCILIATION_PREFIX',
    'prefix of the speed-against-batch reports (speed-layer reconcile)',
  ),
  partitions: def('count', 6, 'PARTITIONS', 'partitions per topic (the same for all six)'),
  topicPrefix: def('string', '', 'TOPIC_PREFIX', 'prefix of the six topic names (shared clusters, tests)'),
  sessionTimeout: def(
    'duration',
    30_000,
    'KAFKA_SESSION_TIMEOUT',
    'consumer-group session timeout: how soon partitions of a dead instance move',
  ),
  groupIdPrefix: def('string', 'speed-layer-', 'GROUP_ID_PREFIX', 'consumer group of a job: <prefix><job>'),
  maxOffsetsPerTrigger: def('count', 10_000, 'MAX_OFFSETS_PER_TRIGGER', 'records per micro-batch at most'),
  triggerInterval: def('duration', 1000, 'TRIGGER_INTERVAL', 'wait for new records when caught up'),
  commitInterval: def('duration', 1000, 'COMMIT_INTERVAL', 'time between checkpoints'),
  commitLogRate: def(
    'int',
    4,
    'COMMIT_LOG_RATE',
    'commits/s of all instances of a job together; more instances commit less often (0: no limit)',
  ),
  stopDeadline: def(
    'duration',
    9500,
    'STOP_DEADLINE',
    'a stop (SIGTERM) not done by then exits 1 and the work is redone; keep it below the grace period',
  ),
  provisional: def(
    'bool',
    true,
    'PROVISIONAL',
    'publish the open windows’ current values to the provisional topic for `serve`',
  ),
  provisionalInterval: def(
    'duration',
    250,
    'PROVISIONAL_INTERVAL',
    'changed provisional values are published at most this often',
  ),
  flushInterval: def(
    'duration',
    60_000,
    'FLUSH_INTERVAL',
    'complete session rows wait up to this to share a file; completeness moves at least this often',
  ),
  rawArchive: def(
    'bool',
    true,
    'RAW_ARCHIVE',
    'archive every validated record under rawPrefix (the batch layer input); false saves its cost',
  ),
  watermarkDelay: def('duration', 120_000, 'WATERMARK_DELAY', 'allowed lateness D'),
  sessionGap: def('duration', 600_000, 'SESSION_GAP', 'session window gap'),
  idleTimeout: def('duration', 30_000, 'IDLE_TIMEOUT', 'quiet time before a caught-up partition is idle'),
  keepCheckpoints: def('int', 5, 'KEEP_CHECKPOINTS', 'committed checkpoints kept per job'),
  commitGroups: def(
    'count',
    1,
    'COMMIT_GROUPS',
    'partition groups with a commit log each (p mod N): instances race less; fixed per job',
  ),
  httpHost: def('string', '127.0.0.1', 'HTTP_HOST', 'address of /healthz, /readyz, /metrics'),
  httpPort: def('int', 9464, 'HTTP_PORT', 'port of /healthz, /readyz, /metrics (0: any free port)'),
  logLevel: def('string', 'info', 'LOG_LEVEL', 'trace | debug | info | warn | error'),
  logFormat: def('string', 'auto', 'LOG_FORMAT', 'json | pretty | auto (pretty on a terminal)'),
  resetOnGap: def('bool', false, 'RESET_ON_GAP', 'resume after retention deleted checkpointed offsets'),
  stalledAfter: def(
    'duration',
    120_000,
    'STALLED_AFTER',
    '/healthz is 503 when a behind job has not committed for this long',
  ),
  commitTimeout: def(
    'duration',
    10_000,
    'COMMIT_TIMEOUT',
    '/healthz is 503 while a commit has been in flight this long (a hung store)',
  ),
  maxRestarts: def(
    'int',
    10,
    'MAX_RESTARTS',
    'failures of a job in a row without a commit before the run exits non-zero (0: never)',
  ),
} as const;

export type SettingName = keyof typeof SETTING_DEFS;

type ValueOf<K extends Kind> = K extends 'int' | 'count' | 'duration'
  ? number
  : K extends 'bool'
    ? boolean
    : K extends 'list'
      ? string[]
      : string;

export type Settings = {
  [N in SettingName]: (typeof SETTING_DEFS)[N]['default'] extends undefined
    ? ValueOf<(typeof SETTING_DEFS)[N]['kind']> | undefined
    : ValueOf<(typeof SETTING_DEFS)[N]['kind']>;
};

export const SETTING_NAMES = Object.keys(SETTING_DEFS) as SettingName[];

/** `kafkaBrokers` → `--kafka-brokers`. */
export function flagOf(name: SettingName): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function parse(name: SettingName, raw: unknown, source: string): unknown {
  const { kind } = SETTING_DEFS[name];
  const fail = (why: string) =>
    new Error(`setting ${name} from ${source}: ${why} (got ${JSON.stringify(raw)})`);
  if (kind === 'list') {
    const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
    const list = items.map((item) => item.trim()).filter((item) => item !== '');
    if (list.length === 0) throw fail('must list at least one value');
    return list;
  }
  if (kind === 'bool') {
    if (typeof raw === 'boolean') return raw;
    if (/^(true|1|yes)$/i.test(String(raw))) return true;
    if (/^(false|0|no)$/i.test(String(raw))) return false;
    throw fail('must be true or false');
  }
  if (kind === 'int' || kind === 'count') {
    const value = Number(raw);
    const least = kind === 'count' ? 1 : 0;
    if (!Number.isSafeInteger(value) || value < least) throw fail(`must be a whole number >= ${least}`);
    return value;
  }
  if (kind === 'duration') {
    if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return raw;
    try {
      return parseDurationMs(String(raw));
    } catch (error) {
      throw fail((error as Error).message);
    }
  }
  return String(raw);
}

export interface SettingSources {
  /** Values given as CLI flags, already keyed by setting name (strings as typed). */
  flags?: Partial<Record<SettingName, unknown>>;
  env?: NodeJS.ProcessEnv;
  /** Path of a JSON config file whose keys are setting names. */
  configFile?: string;
}

/** Resolves every setting; throws one clear error naming the setting and its source on bad input. */
export function resolveSettings({ flags = {}, env = process.env, configFile }: SettingSources): Settings {
  const file: Record<string, unknown> = configFile ? JSON.parse(readFileSync(configFile, 'utf8')) : {};
  for (const key of Object.keys(file)) {
    if (!Object.hasOwn(SETTING_DEFS, key))
      throw new Error(`config file ${configFile}: unknown setting "${key}"`);
  }
  const settings: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const { env: variable, default: fallback } = SETTING_DEFS[name];
    if (flags[name] !== undefined) settings[name] = parse(name, flags[name], `flag ${flagOf(name)}`);
    else if (env[variable] !== undefined && env[variable] !== '')
      settings[name] = parse(name, env[variable], `$${variable}`);
    else if (file[name] !== undefined) settings[name] = parse(name, file[name], `config file ${configFile}`);
    else settings[name] = fallback;
  }
  return settings as Settings;
}

/** The effective settings for people: secrets replaced by `****` (or `(unset)`). */
export function maskedSettings(settings: Settings): Record<string, unknown> {
  const masked: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const value = settings[name];
    masked[name] = SETTING_DEFS[name].secret && value !== undefined ? '****' : (value ?? '(unset)');
  }
  return masked;
}

/** Where everything lives under the store root, as the settings say. */
export function layoutOf(settings: Settings): StorageLayout {
  const { viewsPrefix, partialsPrefix, checkpointsPrefix, deadLetterPrefix, rawPrefix } = settings;
  return { viewsPrefix, partialsPrefix, checkpointsPrefix, deadLetterPrefix, rawPrefix };
}
