/** One file of a cluster's rendered tree. */
export interface RenderedFile {
  /** Path relative to `clusters/<cluster>/rendered/`, forward slashes (`apps/user-service/deployment.user-service.yaml`). */
  readonly path: string;
  /** Full file content, header included. */
  readonly content: string;
}
