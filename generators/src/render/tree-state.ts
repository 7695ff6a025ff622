import { readdirSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { blobId } from './blob-id.js';

/**
 * What the render cache knows of a file: its Git blob id (`''` when not known) and the stat that
 * proves it unchanged since (size, mtime in ns, inode), as Git's index does.
 */
export type FileRecord = readonly [hash: string, size: number, mtimeNs: string, ino: string];
/** A folder's stat (mtime in ns, inode): while it holds, the folder has the entries recorded beneath it. */
export type DirRecord = readonly [mtimeNs: string, ino: string];

/** A tree's files and folders as a previous run left them (paths relative to the tree, `''` its root). */
export interface TreeRecord {
  readonly files: Readonly<Record<string, FileRecord>>;
  readonly dirs: Readonly<Record<string, DirRecord>>;
}

export const emptyTreeRecord: TreeRecord = { files: {}, dirs: {} };

type Stamp = readonly [size: number, mtimeNs: string, ino: string];

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
   * Scans `dir` (a tree that need not exist). `racyFrom`: when the record was written (ns); a
   * file or folder changed since then is not trusted, whatever its stat. `linked`: a tree scanned
   * before whose files this one shares by hard link: where a folder of this tree is unchanged (so
   * its entries still name the recorded inodes) and a file's record is the stat `linked` just
   * verified for the same path, the file is that inode, unchanged, and is not stat'ed again.
   */
  static scan(dir: string, record: TreeRecord, racyFrom: bigint, linked?: TreeState): TreeState {
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
      const stats = statSync(folder ? path.join(dir, folder) : dir, { bigint: true, throwIfNoEntry: false });
      if (!stats) return;
      // The root must be a folder (or absent): fail before anything is written or swapped.
      if (!stats.isDirectory()) {
        if (folder === '') throw new Error(`${dir} is not a folder`);
        return;
      }
      const stamp: DirRecord = [String(stats.mtimeNs), String(stats.ino)];
      dirStamps.set(folder, stamp);
      const known = Object.hasOwn(record.dirs, folder) ? record.dirs[folder] : undefined;
      let listed: { files: string[]; dirs: string[] };
      const unchanged = known !== undefined && known[0] === stamp[0] && known[1] === stamp[1] && stats.mtimeNs < racyFrom;
      if (unchanged) {
        listed = children.get(folder) ?? { files: [], dirs: [] };
      } else {
        listed = { files: [], dirs: [] };
        for (const entry of readdirSync(folder ? path.join(dir, folder) : dir, { withFileTypes: true })) {
          const child = folder ? `${folder}/${entry.name}` : entry.name;
          if (entry.isDirectory()) listed.dirs.push(child);
          else if (entry.isFile()) listed.files.push(child);
        }
      }
      for (const file of listed.files) {
        const recorded = Object.hasOwn(record.files, file) ? record.files[file] : undefined;
        const shared = unchanged && recorded ? linked?.entries.get(file) : undefined;
        if (shared?.hash !== undefined && shared.hash === recorded![0] && shared.stamp[0] === recorded![1] && shared.stamp[1] === recorded![2] && shared.stamp[2] === recorded![3]) {
          entries.set(file, { stamp: shared.stamp, hash: shared.hash });
          continue;
        }
        const fileStats = statSync(path.join(dir, file), { bigint: true, throwIfNoEntry: false });
        if (!fileStats?.isFile()) continue;
        const fileStamp = stampOf(fileStats);
        const trusted = recorded && recorded[0] !== '' && recorded[1] === fileStamp[0] && recorded[2] === fileStamp[1] && recorded[3] === fileStamp[2] && fileStats.mtimeNs < racyFrom;
        entries.set(file, trusted ? { stamp: fileStamp, hash: recorded[0] } : { stamp: fileStamp });
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
    entry.hash ??= blobId(readFileSync(path.join(this.dir, file)));
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
    return entry && [entry.hash ?? '', ...entry.stamp];
  }

  /** The record of the whole tree as scanned. */
  toRecord(): TreeRecord {
    const files: Record<string, FileRecord> = {};
    for (const file of this.entries.keys()) files[file] = this.recordOf(file)!;
    return { files, dirs: Object.fromEntries(this.dirStamps) };
  }
}

/** The record of a file from its stat. */
export function fileRecord(hash: string, stats: BigIntStats): FileRecord {
  return [hash, ...stampOf(stats)];
}

/** The record of a folder from its stat. */
export function dirRecord(stats: BigIntStats): DirRecord {
  return [String(stats.mtimeNs), String(stats.ino)];
}

function stampOf(stats: BigIntStats): Stamp {
  return [Number(stats.size), String(stats.mtimeNs), String(stats.ino)];
}

/** `a/b` of `a/b/c`, `''` of `c`. */
export function parentOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}
