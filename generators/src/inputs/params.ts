import { z } from 'zod';
import type { InputIssue } from '../errors.js';
import { parseYamlText, readYamlFile } from './yaml-file.js';
import { zodIssues } from './zod-issues.js';

/** Parameter values by name: a String is a string, a StringList a list of strings. */
export type Params = Readonly<Record<string, string | readonly string[]>>;

/** `clusters/<c>/params.yaml`, written by `gitops params pull` from SSM Parameter Store. */
export const paramsFileSchema = z.strictObject({
  source: z.string().regex(/^ssm:\//, 'must be "ssm:/<path>"').describe('SSM path the parameters were read from.'),
  parameters: z
    .record(z.string().regex(/^[A-Za-z0-9_.\-/]+$/, 'must be an SSM parameter name relative to the source path'), z.union([z.string(), z.array(z.string())]))
    .describe('Parameters by name relative to the source path: String as a string, StringList as a list.'),
});

/** Parses the text of a params file into located issues or the validated content. */
export function parseParamsFile(file: string, text: string): { data?: z.infer<typeof paramsFileSchema>; issues: InputIssue[] } {
  const read = parseYamlText(file, text);
  if (read.issues.length) return { issues: read.issues };
  const parsed = paramsFileSchema.safeParse(read.file.data ?? {});
  return parsed.success ? { data: parsed.data, issues: [] } : { issues: zodIssues(parsed.error, [read.file], paramsFileSchema) };
}

/** Reads a params file; a missing file is an empty set of parameters. */
export async function readParamsFile(root: string, file: string): Promise<{ values: Params; issues: InputIssue[] }> {
  const read = await readYamlFile(root, file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!read) return { values: {}, issues: [] };
  if (read.issues.length) return { values: {}, issues: read.issues };
  const parsed = paramsFileSchema.safeParse(read.file.data ?? {});
  if (!parsed.success) return { values: {}, issues: zodIssues(parsed.error, [read.file], paramsFileSchema) };
  return { values: parsed.data.parameters, issues: [] };
}
