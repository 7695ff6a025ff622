import { createHash } from 'node:crypto';

/**
 * Git's object id of a file with this content (`git hash-object`: SHA-1 of `blob <bytes>\0<content>`).
 * The render cache names file contents by it, and `diff` compares working-tree files with a base
 * commit's blobs by it.
 */
export function blobId(content: string | Buffer): string {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
