/**
 * A local directory as an object store (`file://` roots, local development and unit tests). Writes go to a
 * hidden temp file in the target directory and are renamed into place, so a reader listing `*.parquet`
 * never sees a partial file; putIfAbsent links the temp file to the key, which fails atomically if the key
 * exists, so it is a real create-if-absent even between processes.
 */
import { randomBytes } from 'node:crypto';
import {
  copyFile,
  link,
  mkdir,
  readFile,
  readdir,
  rename,
  rmdir,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertValidKey, type CopyResult, type ObjectStore, type PutIfAbsentResult } from './object-store.ts';
import { StorageError } from './storage-error.ts';

const TEMP_SUFFIX = '.tmp';

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

export class FileObjectStore implements ObjectStore {
  readonly url: string;
  readonly rootDir: string;

  constructor(rootDir: string) {
    this.rootDir = rootDir;
    this.url = pathToFileURL(rootDir.endsWith(sep) ? rootDir : rootDir + sep).href;
  }

  private path(key: string): string {
    assertValidKey(key);
    return join(this.rootDir, ...key.split('/'));
  }

  /** Writes a hidden temp file next to `path` (creating directories, retrying if a delete removed them). */
  private async writeTemp(key: string, path: string, body: Uint8Array): Promise<string> {
    const dir = dirname(path);
    const temp = join(dir, `.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    for (let attempt = 0; ; attempt += 1) {
      await mkdir(dir, { recursive: true });
      try {
        await writeFile(temp, body);
        return temp;
      } catch (error) {
        // A concurrent deleteMany may have removed the (then empty) directory between mkdir and write.
        if (errno(error) !== 'ENOENT' || attempt >= 3) throw this.wrap('put', key, error);
      }
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.path(key);
    const temp = await this.writeTemp(key, path, body);
    await rename(temp, path).catch((error: unknown) => {
      throw this.wrap('put', key, error);
    });
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<PutIfAbsentResult> {
    const path = this.path(key);
    const temp = await this.writeTemp(key, path, body);
    try {
      await link(temp, path);
      return 'created';
    } catch (error) {
      if (errno(error) === 'EEXIST') return 'exists';
      throw this.wrap('putIfAbsent', key, error);
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if (errno(error) === 'ENOENT') return undefined;
      throw this.wrap('get', key, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.path(key))).isFile();
    } catch (error) {
      if (errno(error) === 'ENOENT') return false;
      throw this.wrap('exists', key, error);
    }
  }

  async copy(fromKey: string, toKey: string): Promise<CopyResult> {
    const to = this.path(toKey);
    const temp = join(dirname(to), `.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
    await mkdir(dirname(to), { recursive: true });
    try {
      await copyFile(this.path(fromKey), temp);
    } catch (error) {
      if (errno(error) === 'ENOENT') return 'missing';
      throw this.wrap('copy', fromKey, error);
    }
    await rename(temp, to);
    return 'copied';
  }

  async list(prefix: string): Promise<string[]> {
    // Start at the deepest directory the prefix names, then filter by the full prefix.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const start = dirPart === '' ? this.rootDir : join(this.rootDir, ...dirPart.split('/'));
    const keys: string[] = [];
    await this.walk(start, keys);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  private async walk(dir: string, into: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return;
      throw this.wrap('list', dir, error);
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await this.walk(path, into);
      else if (entry.isFile() && !isTempName(entry.name))
        into.push(relative(this.rootDir, path).split(sep).join('/'));
    }
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const key of keys) {
      const path = this.path(key);
      await unlink(path).catch((error: unknown) => {
        if (errno(error) !== 'ENOENT') throw this.wrap('delete', key, error);
      });
      dirs.add(dirname(path));
    }
    // Object stores have no directories: drop the ones left empty so staging does not pile up folders.
    for (const dir of dirs) await this.removeEmptyParents(dir);
  }

  private async removeEmptyParents(dir: string): Promise<void> {
    for (let current = dir; current.startsWith(this.rootDir + sep); current = dirname(current)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
    }
  }

  private wrap(operation: string, key: string, error: unknown): StorageError {
    const code = errno(error);
    const what = `${operation} ${this.url}${key}`;
    if (code === 'EACCES' || code === 'EPERM')
      return new StorageError('access_denied', `${what}: ${code}`, { cause: error });
    return new StorageError('request_failed', `${what}: ${code ?? String(error)}`, { cause: error });
  }
}
