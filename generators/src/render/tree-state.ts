import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { blobId } from './blob-id.js';

/**
 * What the render cache knows of a file, `<blob id> <stamp>`: its Git blob id (empty when not
 * known) and the stat that proves it unchanged since (`<size>:<mtime ms>:<inode>`, the mtime to the
 * microsecond), as Git's
 * index does. One string a file keeps the index small and quick to read.
 */
export type FileRecord = string;
/** A folder's stat, `<mtime ms>:<inode>`: while it holds, the folder has the entries recorded beneath it. */
export type DirRecord = string;

/** A tree's files and folders as a previous run left them (paths relative to the tree, `''` its root). */
export interface TreeRecord {
  readonly files: Readonly<Record<string, FileRecord>>;
  readonly dirs: Readonly<Record<string, DirRecord>>;
}

export const emptyTreeRecord: TreeRecord = { files: {}, dirs: {} };

/** `<size>:<mtime ms>:<inode>` of a file. */
type Stamp = string;

interface Entry {
  readonly stamp: Stamp;
  /** Blob id: from the record when the stat matches it, or computed from the content when asked. */
  hash?: string;
}

/**
 * A tree on disk as found now, checked against its record: a file whose stat matches its record
 * (and is older than the record itself, so no edit within the same timestamp tick can hide) keeps
 * its recorded blob id; any other file is read and hashed when its content matters. A folder whose
 * stat matches is not listed again. So a render trusts what it wrote before, and notices an edit,
 * an added or removed file, a `git checkout`, or a corrupt record: those only cost a read.
 */
export class TreeState {
  private constructor(
    readonly dir: string,
    private readonly entries: Map<string, Entry>,
    private readonly dirStamps: Map<string, DirRecord>,
  ) {}

  /**
   * Scans `dir` (a tree that need not exist). `racyFrom`: when the record was written (mtime, ms); a
   * file or folder changed since then is not trusted, whatever its stat. `linked`: a tree scanned
   * before whose files this one shares by hard link: where a folder of this tree is unchanged (so
   * its entries still name the recorded inodes) and a file's record is the stat `linked` just
   * verified for the same path, the file is that inode, unchanged, and is not stat'ed again.
   */
  static scan(dir: string, record: TreeRecord, racyFrom: number, linked?: TreeState): TreeState {
    const children = new Map<string, { files: string[]; dirs: string[] }>();
    const childrenOf = (folder: string) => {
      let found = children.get(folder);
      if (!found) children.set(folder, (found = { files: [], dirs: [] }));
      return found;
    };
    for (const file of Object.keys(record.files)) childrenOf(parentOf(file)).files.push(file);
    for (const folder of Object.keys(record.dirs)) if (folder !== '') childrenOf(parentOf(folder)).dirs.push(folder);

    const entries = new Map<string, Entry>();
    const dirStamps = new Map<string, DirRecord>();
    const walk = (folder: string) => {
      const stats = statSync(folder ? `${dir}/${folder}` : dir, { throwIfNoEntry: false });
      if (!stats) return;
      // The root must be a folder (or absent): fail before anything is written or swapped.
      if (!stats.isDirectory()) {
        if (folder === '') throw new Error(`${dir} is not a folder`);
        return;
      }
      const stamp = dirRecord(stats);
      dirStamps.set(folder, stamp);
      let listed: { files: string[]; dirs: string[] };
      const unchanged = Object.hasOwn(record.dirs, folder) && record.dirs[folder] === stamp && stats.mtimeMs < racyFrom;
      if (unchanged) {
        listed = children.get(folder) ?? { files: [], dirs: [] };
      } else {
        listed = { files: [], dirs: [] };
        for (const entry of readdirSync(folder ? `${dir}/${folder}` : dir, { withFileTypes: true })) {
          const child = folder ? `${folder}/${entry.name}` : entry.name;
          if (entry.isDirectory()) listed.dirs.push(child);
          else if (entry.isFile()) listed.files.push(child);
        }
      }
      for (const file of listed.files) {
        const recorded = Object.hasOwn(record.files, file) ? record.files[file] : undefined;
        const shared = unchanged && recorded ? linked?.entries.get(file) : undefined;
        if (shared?.hash !== undefined && recorded === `${shared.hash} ${shared.stamp}`) {
          entries.set(file, { stamp: shared.stamp, hash: shared.hash });
          continue;
        }
        const fileStats = statSync(`${dir}/${file}`, { throwIfNoEntry: false });
        if (!fileStats?.isFile()) continue;
        const fileStamp = stampOf(fileStats);
        const hash = recorded === undefined ? '' : recorded.slice(0, recorded.indexOf(' '));
        const trusted = hash !== '' && recorded === `${hash} ${fileStamp}` && fileStats.mtimeMs < racyFrom;
        entries.set(file, trusted ? { stamp: fileStamp, hash } : { stamp: fileStamp });
      }
      for (const child of listed.dirs) walk(child);
    };
    walk('');
    return new TreeState(dir, entries, dirStamps);
  }

  /** An empty tree at `dir` (which does not exist yet). */
  static empty(dir: string): TreeState {
    return new TreeState(dir, new Map(), new Map());
  }

  get size(): number {
    return this.entries.size;
  }

  paths(): IterableIterator<string> {
    return this.entries.keys();
  }

  has(file: string): boolean {
    return this.entries.has(file);
  }

  isDir(folder: string): boolean {
    return this.dirStamps.has(folder);
  }

  /** The blob id of a file when known without reading it. */
  knownHash(file: string): string | undefined {
    return this.entries.get(file)?.hash;
  }

  /** The blob id of a file, read and hashed if its record did not vouch for it; undefined when absent. */
  hashOf(file: string): string | undefined {
    const entry = this.entries.get(file);
    if (!entry) return undefined;
    entry.hash ??= blobId(readFileSync(`${this.dir}/${file}`));
    return entry.hash;
  }

  /** Records a blob id found by reading the file elsewhere (its stat is the one the scan saw). */
  learn(file: string, hash: string): void {
    const entry = this.entries.get(file);
    if (entry) entry.hash = hash;
  }

  /** The record of a file: its blob id (`''` if never read) and its stat. */
  recordOf(file: string): FileRecord | undefined {
    const entry = this.entries.get(file);
    return entry && `${entry.hash ?? ''} ${entry.stamp}`;
  }

  /** The record of the whole tree as scanned. */
  toRecord(): TreeRecord {
    const files: Record<string, FileRecord> = {};
    for (const file of this.entries.keys()) files[file] = this.recordOf(file)!;
    return { files, dirs: Object.fromEntries(this.dirStamps) };
  }
}

/** The record of a file from its stat. */
export function fileRecord(hash: string, stats: Stats): FileRecord {
  return `${hash} ${stampOf(stats)}`;
}

/** The blob id a file record holds (`''` when not known). */
export function recordedHash(record: FileRecord): string {
  return record.slice(0, record.indexOf(' '));
}

/** The record of a folder from its stat. */
export function dirRecord(stats: Stats): DirRecord {
  return `${stats.mtimeMs}:${stats.ino}`;
}

function stampOf(stats: Stats): Stamp {
  return `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
}

/** `a/b` of `a/b/c`, `''` of `c`. */
export function parentOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}
