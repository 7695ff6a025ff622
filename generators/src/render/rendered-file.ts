/** One file of a cluster's rendered tree. */
export interface RenderedFile {
  /** Path relative to `clusters/<cluster>/rendered/`, forward slashes (`apps/user-service/deployment.user-service.yaml`). */
  readonly path: string;
  /** Full file content, header included. */
  readonly content: string;
  /** Git blob id of the content, when the renderer computed it already (`blobId`). */
  readonly hash?: string;
}

/**
 * A file of a chart served from the render cache: the tree on disk (or the cache's spare tree)
 * already holds exactly this content, named by its Git blob id, so nothing is synthesized.
 */
export interface ReusedFile {
  readonly path: string;
  readonly content?: undefined;
  /** Git blob id of the content (`blobId`). */
  readonly hash: string;
}

/** What a render yields for one path: the content, or the blob id of a file the tree already holds. */
export type TreeFile = RenderedFile | ReusedFile;
