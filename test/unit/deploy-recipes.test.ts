/**
 * The deployment recipes under deploy/ (and the commands in docs/deployment.md) checked against the code,
 * without a container engine or a cluster: every YAML parses; Kubernetes objects are well formed and
 * probe the ports and paths the processor serves; every environment variable a recipe hands to the
 * speed-layer process is one the code (or Node itself) reads; every CLI flag exists on its subcommand;
 * the image, the systemd unit and the stop timeouts fit what `run` does on SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { generateCommand } from '../../src/cli/generate-command.ts';
import { ingestCommand } from '../../src/cli/ingest-command.ts';
import { queryCommand } from '../../src/cli/query-command.ts';
import { runCommand } from '../../src/cli/run-command.ts';
import { JOBS, TOPICS } from '../../src/events/topics.ts';
import { VIEW_NAMES } from '../../src/events/view-catalog.ts';
import { PERMANENT_FAILURE_EXIT } from '../../src/processor/runner/process-supervisor.ts';
import { SETTING_DEFS } from '../../src/processor/runtime/settings.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const DEPLOY = join(ROOT, 'deploy');
/** The production image, and the one with every dependency (Dockerfile target `tools`). */
const IMAGE_NAMES = ['lms-speed-layer', 'lms-speed-layer-tools'];
const HEALTH_PATH = '/healthz';
const READY_PATH = '/readyz';

type Json = Record<string, unknown>;

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const repoPath = (path: string) => relative(ROOT, path);

function filesUnder(directory: string, keep: (path: string) => boolean): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter(keep)
    .sort();
}

/** Every document of a YAML file as plain data; a syntax error fails with the file and the reason. */
function yamlDocuments(path: string): Json[] {
  const documents = parseAllDocuments(read(path), { merge: true });
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0]!.message}`);
  }
  return documents.map((document) => document.toJS() as Json).filter((value) => value !== null);
}

// --- what the code reads -------------------------------------------------------------------------------

/** The hard stop deadline of `run` (the `stopDeadline` setting's default): recipes must give it longer. */
function stopDeadlineMs(): number {
  return SETTING_DEFS.stopDeadline.default;
}

/**
 * Environment variables the code reads: every setting's variable (settings.ts), the stack's variables
 * (stack-env.ts), and any `env.NAME` / `env['NAME']` read elsewhere in src/.
 */
function codeEnvNames(): Set<string> {
  const names = new Set<string>(Object.values(SETTING_DEFS).map((setting) => setting.env));
  for (const file of filesUnder(join(ROOT, 'src'), (path) => path.endsWith('.ts'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\benv(?:\.|\[')([A-Z][A-Z0-9_]*)/g)) names.add(match[1]!);
  }
  for (const match of read('src/stack/stack-env.ts').matchAll(/'([A-Z][A-Z0-9_]+)'/g)) names.add(match[1]!);
  return names;
}

/** Read by Node or its libraries rather than by our code; the only others a recipe may set. */
const RUNTIME_ENV_NAMES = new Set([
  'NODE_OPTIONS', // Node: heap size below the memory limit
  'HOME', // Node's os.homedir(), called at start by the AWS SDK and the CLI
]);

const ALLOWED_ENV_NAMES = new Set([...codeEnvNames(), ...RUNTIME_ENV_NAMES]);

function unknownEnvNames(names: Iterable<string>): string[] {
  return [...names].filter((name) => !ALLOWED_ENV_NAMES.has(name));
}

const COMMANDS: Record<string, () => Command> = {
  run: runCommand,
  generate: generateCommand,
  query: queryCommand,
  ingest: ingestCommand,
};

/** Why a `speed-layer` command line (without the program) is wrong, or [] when its flags all exist. */
function commandProblems(argv: readonly string[]): string[] {
  const [name, ...rest] = argv;
  const factory = name === undefined ? undefined : COMMANDS[name];
  if (factory === undefined) return [`unknown subcommand ${name ?? '(none)'}`];
  const options = factory().options;
  const problems: string[] = [];
  const positionals: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const token = rest[index]!;
    if (!token.startsWith('--')) {
      positionals.push(token);
      continue;
    }
    const flag = token.split('=')[0]!;
    const option = options.find((candidate) => candidate.long === flag);
    if (option === undefined) problems.push(`${name}: no flag ${flag}`);
    else if (option.required && !token.includes('=')) index++;
  }
  if (name === 'run') {
    const unknown = positionals.filter((job) => !(JOBS as readonly string[]).includes(job));
    if (unknown.length > 0) problems.push(`run: no job ${unknown.join(', ')}`);
  }
  if (name === 'query' && !(positionals.length === 1 && VIEW_NAMES.includes(positionals[0]!)))
    problems.push(`query: expects one view name, got ${positionals.join(' ')}`);
  if ((name === 'generate' || name === 'ingest') && positionals.length > 0)
    problems.push(`${name}: takes no arguments, got ${positionals.join(' ')}`);
  return problems;
}

// --- the recipes --------------------------------------------------------------------------------------

const yamlFiles = filesUnder(DEPLOY, (path) => /\.ya?ml$/.test(path));
const k8sFiles = filesUnder(join(DEPLOY, 'k8s'), (path) => path.endsWith('.yaml'));
const k8sObjects = k8sFiles
  .filter((path) => !path.endsWith('kustomization.yaml'))
  .flatMap((path) => yamlDocuments(repoPath(path)).map((object) => ({ file: repoPath(path), object })));
const compose = yamlDocuments('deploy/compose/compose.yaml')[0]!;
const composeServices = compose.services as Record<string, Json>;

interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Json;
  readinessProbe?: Json;
  startupProbe?: Json;
}

interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}

const podSpecOf = (object: Json) => (object.spec as { template: { spec: PodSpec } }).template.spec;
const isOurImage = (image: string) => IMAGE_NAMES.includes(image.split('/').at(-1)!.split(':')[0]!);
const ofKind = (kind: string) => k8sObjects.filter(({ object }) => object.kind === kind);

function k8sNamed(kind: string, name: string): Json | undefined {
  return ofKind(kind).find(({ object }) => (object.metadata as Json).name === name)?.object;
}

/** The variables a k8s container gets: its env, and the keys of the ConfigMaps and Secrets it loads. */
function containerEnv(container: Container): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    const object = k8sNamed(kind, ref!.name);
    if (object === undefined) throw new Error(`${container.name}: no ${kind} ${ref!.name} under deploy/k8s`);
    const data = (object.data ?? object.stringData) as Record<string, string>;
    for (const [key, value] of Object.entries(data)) env.set(key, value);
  }
  for (const { name, value } of container.env ?? []) env.set(name, value);
  return env;
}

/** A compose service's environment, whether written as a map or as `NAME=value` lines. */
function serviceEnv(service: Json): Map<string, string> {
  const environment = service.environment ?? {};
  const pairs = Array.isArray(environment)
    ? (environment as string[]).map((line) => line.split(/=(.*)/s, 2) as [string, string])
    : Object.entries(environment as Record<string, unknown>).map(([key, value]) => [key, String(value)]);
  return new Map(pairs as [string, string][]);
}

/** A Dockerfile's instructions, continuation lines joined and comments dropped. */
function dockerInstructions(text: string): { keyword: string; rest: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword!.toUpperCase(), rest: rest.join(' ') };
    });
}

/** A systemd unit as section → key → values (a key may repeat). */
function systemdUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const line of text.split('\n').map((raw) => raw.trim())) {
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section !== null) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const [key, value] = line.split(/=(.*)/s, 2) as [string, string];
    current!.set(key, [...(current!.get(key) ?? []), value]);
  }
  return sections;
}

/** `NAME=value` lines of an environment file (systemd EnvironmentFile=). */
function envFileNames(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split('=')[0]!);
}

/** Seconds of a duration as compose and systemd write them: `15s`, `1min`, `90`. */
function seconds(text: string): number {
  const match = /^(\d+)\s*(s|sec|m|min)?$/.exec(text.trim());
  if (match === null) throw new Error(`not a duration in seconds: ${text}`);
  return Number(match[1]) * (match[2]?.startsWith('m') ? 60 : 1);
}

const unit = systemdUnit(read('deploy/systemd/speed-layer@.service'));
const service = unit.get('Service')!;
const one = (section: Map<string, string[]> | undefined, key: string) => section?.get(key)?.at(-1);
const dockerfile = dockerInstructions(read('deploy/docker/Dockerfile'));
const finalStage = dockerfile.slice(dockerfile.findLastIndex(({ keyword }) => keyword === 'FROM'));
const dockerInstruction = (keyword: string) => finalStage.filter((line) => line.keyword === keyword);

/** JSON exec form, e.g. `["node", "/app/bin/speed-layer.js"]`; undefined for shell form. */
function execForm(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

const dockerEnv = new Map(
  dockerInstruction('ENV').flatMap(({ rest }) =>
    rest.split(/\s+/).map((pair) => pair.split(/=(.*)/s, 2) as [string, string]),
  ),
);

// --- tests --------------------------------------------------------------------------------------------

describe('the YAML under deploy/', () => {
  it('parses, every file and every document', () => {
    expect(yamlFiles.map(repoPath)).toEqual(
      expect.arrayContaining(['deploy/compose/compose.yaml', 'deploy/k8s/kustomization.yaml']),
    );
    for (const file of yamlFiles) expect(() => yamlDocuments(repoPath(file)), repoPath(file)).not.toThrow();
  });
});

describe('the Kubernetes manifests', () => {
  it('are objects with apiVersion, kind and metadata.name', () => {
    expect(k8sObjects.length).toBeGreaterThan(0);
    for (const { file, object } of k8sObjects) {
      expect(object.apiVersion, file).toMatch(/^[a-z0-9.]*\/?v\d+/);
      expect(object.kind, file).toMatch(/^[A-Z][A-Za-z]+$/);
      expect((object.metadata as Json | undefined)?.name, file).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });

  it('are all listed in kustomization.yaml, except the example Secret', () => {
    const kustomization = yamlDocuments('deploy/k8s/kustomization.yaml')[0]!;
    const listed = kustomization.resources as string[];
    const present = k8sFiles
      .map((path) => relative(join(DEPLOY, 'k8s'), path))
      .filter((name) => name !== 'kustomization.yaml' && name !== 'secret.example.yaml');
    expect([...listed].sort()).toEqual(present.sort());
    expect(listed).not.toContain('secret.example.yaml');
  });

  it('run one Deployment per job', () => {
    const jobs = ofKind('Deployment').map(({ object }) => {
      const [container] = podSpecOf(object).containers.filter((candidate) => isOurImage(candidate.image));
      const argv = container!.args ?? [];
      expect(argv[0], (object.metadata as Json).name as string).toBe('run');
      return argv.slice(1);
    });
    expect(jobs.flat().sort()).toEqual([...JOBS].sort());
    expect(jobs.every((list) => list.length === 1)).toBe(true);
  });

  it('probe /healthz for liveness and /readyz for readiness, on the port the process listens on', () => {
    for (const { file, object } of ofKind('Deployment')) {
      for (const container of podSpecOf(object).containers.filter((candidate) =>
        isOurImage(candidate.image),
      )) {
        const env = containerEnv(container);
        expect(env.get('HTTP_HOST'), `${file}: HTTP_HOST`).toBe('0.0.0.0');
        const listenPort = Number(env.get('HTTP_PORT') ?? SETTING_DEFS.httpPort.default);
        const [port] = container.ports ?? [];
        expect(port?.containerPort, file).toBe(listenPort);
        const probePort = (probe: Json | undefined) => (probe?.httpGet as Json | undefined)?.port;
        const probePath = (probe: Json | undefined) => (probe?.httpGet as Json | undefined)?.path;
        expect(probePath(container.livenessProbe), `${file}: liveness`).toBe(HEALTH_PATH);
        expect(probePath(container.readinessProbe), `${file}: readiness`).toBe(READY_PATH);
        expect(probePath(container.startupProbe), `${file}: startup`).toBe(HEALTH_PATH);
        for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
          expect([port?.name, port?.containerPort], file).toContain(probePort(probe));
        }
      }
    }
  });

  it('give a pod longer to stop than the processor takes, and run it as non-root', () => {
    for (const { file, object } of ofKind('Deployment')) {
      const pod = podSpecOf(object);
      expect((pod.terminationGracePeriodSeconds ?? 30) * 1000, file).toBeGreaterThan(stopDeadlineMs());
      expect(pod.securityContext?.runAsNonRoot, file).toBe(true);
      expect(pod.securityContext?.runAsUser, file).toBeGreaterThan(0);
      for (const container of pod.containers) {
        const resources = (container as Container & { resources?: Json }).resources as
          { requests?: Json; limits?: Json } | undefined;
        expect(resources?.requests?.memory, `${file}: memory request`).toBeDefined();
        expect(resources?.limits?.memory, `${file}: memory limit`).toBeDefined();
      }
    }
  });

  it('set only environment variables the code reads', () => {
    for (const { file, object } of [...ofKind('Deployment'), ...ofKind('Job')]) {
      for (const container of podSpecOf(object).containers.filter((candidate) =>
        isOurImage(candidate.image),
      )) {
        expect(unknownEnvNames(containerEnv(container).keys()), file).toEqual([]);
      }
    }
    for (const { file, object } of [...ofKind('ConfigMap'), ...ofKind('Secret')]) {
      const data = (object.data ?? object.stringData) as Record<string, string>;
      const names = Object.keys(data).filter((key) => /^[A-Z][A-Z0-9_]*$/.test(key));
      expect(unknownEnvNames(names), file).toEqual([]);
    }
  });

  it('create the six contract topics with LogAppendTime in the topics Job', () => {
    const [job] = ofKind('Job');
    const [container] = podSpecOf(job!.object).containers;
    const topics = container!.env!.find(({ name }) => name === 'TOPICS')!.value!.split(/\s+/);
    expect(topics.sort()).toEqual([...TOPICS].sort());
    expect(container!.args!.join('\n')).toContain('--config message.timestamp.type=LogAppendTime');
  });
});

describe('the compose demo', () => {
  /** `${NAME:-default}` as compose resolves it with NAME unset. */
  const interpolated = (text: string) => text.replace(/\$\{[A-Z_][A-Z0-9_]*:?-([^}]*)\}/g, '$1');
  const ours = Object.entries(composeServices).filter(([, entry]) =>
    isOurImage(interpolated(String(entry.image))),
  );

  it('runs the processor, the generator, and creates the topics and the bucket', () => {
    expect(ours.map(([name]) => name).sort()).toEqual(['generator', 'processor']);
    expect(Object.keys(composeServices)).toEqual(
      expect.arrayContaining(['kafka', 'kafka-topics', 'minio', 'minio-bucket']),
    );
    const topicsEnv = serviceEnv(composeServices['kafka-topics']!);
    expect(topicsEnv.get('TOPICS')!.split(/\s+/).sort()).toEqual([...TOPICS].sort());
    expect(String((composeServices['kafka-topics']!.command as string[])[0])).toContain(
      '--config message.timestamp.type=LogAppendTime',
    );
  });

  it('passes only flags that exist and environment variables the code reads', () => {
    expect(ours.length).toBeGreaterThan(0);
    for (const [name, entry] of ours) {
      expect(commandProblems(entry.command as string[]), name).toEqual([]);
      expect(unknownEnvNames(serviceEnv(entry).keys()), name).toEqual([]);
    }
  });

  it('publishes the processor port it binds on all interfaces, and waits for it to commit on stop', () => {
    const processor = composeServices.processor!;
    const env = serviceEnv(processor);
    expect(env.get('HTTP_HOST')).toBe('0.0.0.0');
    expect((processor.ports as string[])[0]).toMatch(new RegExp(`:${env.get('HTTP_PORT')}$`));
    expect(seconds(String(processor.stop_grace_period)) * 1000).toBeGreaterThan(stopDeadlineMs());
  });
});

describe('the Dockerfile', () => {
  it('runs node directly as a non-root user, with a health check on /healthz', () => {
    const user = dockerInstruction('USER').at(-1)?.rest;
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
    const [entrypoint] = dockerInstruction('ENTRYPOINT');
    expect(execForm(entrypoint!.rest)?.slice(0, 2)).toEqual(['node', '/app/bin/speed-layer.js']);
    expect(execForm(dockerInstruction('CMD').at(-1)!.rest)).toEqual(['run']);
    const [healthcheck] = dockerInstruction('HEALTHCHECK');
    expect(healthcheck?.rest).toContain(HEALTH_PATH);
    expect(execForm(healthcheck!.rest.slice(healthcheck!.rest.indexOf('CMD ') + 4))?.[0]).toBe('node');
    expect(dockerInstruction('STOPSIGNAL')[0]?.rest).toBe('SIGTERM');
  });

  it('installs only production dependencies in the image it ships, and listens outside itself', () => {
    const installs = dockerInstruction('RUN').map(({ rest }) => rest);
    expect(installs.some((command) => /npm ci .*--omit=dev/.test(command))).toBe(true);
    expect(dockerEnv.get('HTTP_HOST')).toBe('0.0.0.0');
    expect(dockerInstruction('EXPOSE')[0]?.rest).toBe(dockerEnv.get('HTTP_PORT'));
    expect(unknownEnvNames(dockerEnv.keys())).toEqual([]);
  });
});

describe('the production install the image makes', () => {
  it('needs no install script (the image runs `npm ci --omit=dev --ignore-scripts`)', () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }>;
    };
    const production = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript === true && entry.dev !== true)
      .map(([path]) => path);
    expect(production).toEqual([]);
  });
});

describe('the systemd unit', () => {
  const execStart = one(service, 'ExecStart')!.split(/\s+/);

  it('runs `speed-layer run <instance>` as a non-root user with the required keys', () => {
    expect(execStart.slice(-2)).toEqual(['run', '%i']);
    expect(execStart[1]).toMatch(/bin\/speed-layer\.js$/);
    for (const job of JOBS) expect(commandProblems(['run', job])).toEqual([]);
    expect(service.get('EnvironmentFile')?.length).toBeGreaterThan(0);
    expect(one(service, 'Restart')).toBe('on-failure');
    expect(Number(one(service, 'RestartPreventExitStatus'))).toBe(PERMANENT_FAILURE_EXIT);
    expect(one(unit.get('Unit'), 'StartLimitIntervalSec')).toBeDefined();
    expect(Number(one(unit.get('Unit'), 'StartLimitBurst'))).toBeGreaterThan(0);
    expect(
      one(service, 'DynamicUser') === 'yes' || !['', 'root', '0'].includes(one(service, 'User') ?? ''),
    ).toBe(true);
    expect(one(service, 'NoNewPrivileges')).toBe('yes');
    expect(one(service, 'ProtectSystem')).toBe('strict');
    expect(one(service, 'KillSignal')).toBe('SIGTERM');
    expect(seconds(one(service, 'TimeoutStopSec')!) * 1000).toBeGreaterThan(stopDeadlineMs());
    // V8's JIT writes executable code.
    expect(one(service, 'MemoryDenyWriteExecute')).not.toBe('yes');
  });

  it('sets only environment variables the code reads, in the unit and in its environment files', () => {
    const assigned = (service.get('Environment') ?? []).flatMap((line) =>
      line.split(/\s+/).map((pair) => pair.split('=')[0]!),
    );
    const envFiles = filesUnder(join(DEPLOY, 'systemd'), (path) => /\.env(\.example)?$/.test(path));
    expect(envFiles.length).toBeGreaterThan(1);
    expect(unknownEnvNames(assigned)).toEqual([]);
    for (const file of envFiles) {
      expect(unknownEnvNames(envFileNames(readFileSync(file, 'utf8'))), repoPath(file)).toEqual([]);
    }
    const perJob = envFiles.filter((file) => file.includes('/env/'));
    expect(perJob.map((file) => file.split('/').at(-1)!.replace('.env', '')).sort()).toEqual(
      [...JOBS].sort(),
    );
  });

  const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((path) => existsSync(path));
  it.skipIf(analyze === undefined)('passes `systemd-analyze verify` (where systemd is installed)', () => {
    const directory = mkdtempSync(join(tmpdir(), 'unit-'));
    try {
      // This machine's node, so the check does not depend on where Node is installed.
      const text = read('deploy/systemd/speed-layer@.service').replace(
        /^ExecStart=\S+/m,
        `ExecStart=${process.execPath}`,
      );
      const template = join(directory, 'speed-layer@.service');
      writeFileSync(template, text);
      symlinkSync(template, join(directory, 'speed-layer@video.service'));
      const { stdout, stderr } = spawnSync(
        analyze!,
        ['verify', '--man=no', join(directory, 'speed-layer@video.service')],
        { encoding: 'utf8' },
      );
      // Findings about our unit name its file; lines about the host's own units are not ours to judge.
      const findings = `${stdout}${stderr}`.split('\n').filter((line) => line.includes(directory));
      expect(findings).toEqual([]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('the commands in the deployment docs', () => {
  /** `speed-layer <subcommand> ...` lines inside fenced code blocks, continuation lines joined. */
  function commandLines(markdown: string): string[][] {
    const blocks = [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((match) => match[1]!);
    return blocks
      .flatMap((block) => block.replace(/\\\n\s*/g, ' ').split('\n'))
      .flatMap((line) => {
        const match = /speed-layer(?:\.js)? (run|generate|query|ingest)\b(.*)/.exec(line);
        if (match === null) return [];
        const rest = match[2]!.split(/\s(?:#|\||&&|;)|[`"')]/)[0]!;
        return [[match[1]!, ...rest.split(/\s+/).filter((token) => token !== '')]];
      });
  }

  it.each(['docs/deployment.md'])('%s uses only flags that exist', (file) => {
    const lines = commandLines(read(file));
    expect(lines.length, `${file}: no speed-layer command found`).toBeGreaterThan(0);
    for (const argv of lines) {
      // `<job>` and similar placeholders stand for a value.
      const concrete = argv.filter((token) => !/^<.*>$|^\$|%i/.test(token));
      expect(commandProblems(concrete), `${file}: speed-layer ${argv.join(' ')}`).toEqual([]);
    }
  });
});
