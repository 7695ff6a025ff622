import { createHash } from 'node:crypto';

/**
 * Secret safety for everything `gitops diff` prints. Applied to every object before any diff,
 * flag or format is computed, so no format can leak what the others hide:
 * - every value under `data` / `stringData` of a `Secret`;
 * - the value of every key that names a credential (password, token, secret, api key, private
 *   key, access key, client secret, credentials, connection string, ...), and of `value` next to
 *   a `name` that does (container `env`);
 * - any string that looks like a credential wherever it appears: PEM private keys, AWS access
 *   keys, GitHub / Slack / Stripe / Google tokens, JWTs, passwords in URLs, long random strings.
 *
 * Keys that hold references rather than values (`passwordSecretRef`, `secretName`,
 * `secretStoreRef`, ExternalSecret `secretKey`, ...) are kept: they name where a secret lives.
 */

export const REDACTED = '<redacted>';

/** A redacted object, and a fingerprint per redacted path so a change can still be reported. */
export interface Redacted<T> {
  readonly value: T;
  /** Dotted path → SHA-256 of the hidden value (never printed; compared between base and head). */
  readonly hidden: ReadonlyMap<string, string>;
}

const sensitiveKey =
  /(password|passwd|passphrase|secret|token|apikey|privatekey|accesskey|clientsecret|credential|connectionstring|signingkey|encryptionkey|sessionkey|webhookurl|authorization|bearer|cookie|^auth$|^dsn$|^pwd$|^pin$)/;
/** Keys whose values are names of, or pointers to, secrets: shown. */
const referenceKey = /(ref|refs|name|names|selector|namespace|path|file|arn|kind|store|template|type|policy|enabled|property|version|mountpath|audience|audiences|id|ids)$/;
/**
 * Leaves inside a credential's object that hold the value itself (`password: { value: ... }`);
 * other leaves there (`name`, `key`, `namespace`, `source`) say where the credential comes from.
 */
const valueLeaf = new Set(['value', 'data', 'stringdata', 'content', 'raw', 'plaintext', 'text']);

/** Values that are never secrets: booleans and variable references (`$slack-token`, `${TOKEN}`). */
function harmless(value: string): boolean {
  return /^(true|false|yes|no|on|off|null|~)$/i.test(value.trim()) || /^\$[{(A-Za-z_]/.test(value.trim());
}

function normalize(key: string): string {
  return key.toLowerCase().replace(/[-_. ]/g, '');
}

/** True when a key (`DB_PASSWORD`, `apiKey`, `tls.key`) names a credential value. */
export function isSensitiveKey(key: string): boolean {
  const n = normalize(key);
  if (n === 'tlskey' || n.endsWith('privatekey') || n.endsWith('lastappliedconfiguration')) return true;
  // ExternalSecret `secretKey` names a key of the target Secret; `awsSecretKey` is a credential.
  if (n === 'secretkey') return false;
  if (!sensitiveKey.test(n)) return false;
  return !referenceKey.test(n);
}

interface ValuePattern {
  readonly pattern: RegExp;
  /** Replacement for the match; `REDACTED` by default. */
  readonly replace?: (match: string, ...groups: string[]) => string;
}

const valuePatterns: readonly ValuePattern[] = [
  { pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g },
  { pattern: /\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b/g },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g },
  { pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/g },
  { pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { pattern: /\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]{10,}\b/g },
  { pattern: /\bwhsec_[A-Za-z0-9]{10,}\b/g },
  { pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  // Credentials inside URLs: scheme://user:password@host → keep the user, hide the password.
  { pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)@/gi, replace: (_m, prefix) => `${prefix}${REDACTED}@` },
  // Long random-looking strings (an AWS secret key, a base64 token): 32+ characters of mixed
  // case and digits, few separators, and high entropy (identifiers such as
  // `ELBSecurityPolicy-TLS13-1-2-2021-06` or CamelCase names stay visible).
  {
    pattern: /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{32,}={0,2}(?![A-Za-z0-9+/=_-])/g,
    replace: (match) => (looksRandom(match) ? REDACTED : match),
  },
];

/** Shannon entropy of a string, in bits per character. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / text.length) * Math.log2(count / text.length);
  return bits;
}

function looksRandom(text: string): boolean {
  if (!/[a-z]/.test(text) || !/[A-Z]/.test(text) || !/[0-9]/.test(text)) return false;
  if ((text.match(/[-_/]/g) ?? []).length > 3) return false;
  return entropy(text) >= 4.4;
}

/** Hides every credential-looking part of a string. */
export function redactString(value: string): string {
  let result = value;
  for (const { pattern, replace } of valuePatterns) {
    result = result.replace(pattern, (match: string, ...rest: unknown[]) => (replace ? replace(match, ...(rest.filter((r) => typeof r === 'string') as string[])) : REDACTED));
  }
  return result;
}

function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value) ?? 'undefined').digest('hex');
}

/**
 * Returns a redacted deep copy of a Kubernetes object (or any value). `kind` decides the
 * whole-value rules (`Secret`).
 */
export function redactObject<T>(object: T, kind?: string): Redacted<T> {
  const hidden = new Map<string, string>();
  const hide = (at: string, value: unknown): string => {
    hidden.set(at, fingerprint(value));
    return REDACTED;
  };

  const walk = (value: unknown, at: string, key: string, inCredential: boolean, inMetadataMap = false): unknown => {
    if (Array.isArray(value)) return value.map((item, index) => walk(item, `${at}[${index}]`, key, inCredential));
    if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const copy: Record<string, unknown> = {};
      // `{ name: DB_PASSWORD, value: ... }`: the value belongs to a credential.
      const namedCredential = typeof record['name'] === 'string' && isSensitiveKey(record['name']);
      for (const [childKey, child] of Object.entries(record)) {
        const childAt = at ? `${at}.${childKey}` : childKey;
        if (namedCredential && childKey === 'value' && child !== null && typeof child !== 'boolean') {
          copy[childKey] = hide(childAt, child);
          continue;
        }
        // Label and annotation keys describe (`.../aws-credentials: irsa`); only their values' looks count.
        const keyIsCredential = inMetadataMap ? /last-applied-configuration$/.test(childKey) : isSensitiveKey(childKey);
        const metadataMap = (at === 'metadata' || at.endsWith('.metadata')) && (childKey === 'labels' || childKey === 'annotations');
        copy[childKey] = walk(child, childAt, childKey, inCredential || keyIsCredential, metadataMap);
      }
      return copy;
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') {
      const direct = inCredential && (isSensitiveKey(key) || valueLeaf.has(normalize(key)) || /last-applied-configuration$/.test(key));
      if (direct && value !== '' && !(typeof value === 'string' && harmless(value))) return hide(at, value);
      if (typeof value === 'string') {
        const cleaned = redactString(value);
        if (cleaned !== value) hidden.set(at, fingerprint(value));
        return cleaned;
      }
    }
    return value;
  };

  let result: unknown;
  if (kind === 'Secret' && object !== null && typeof object === 'object') {
    const record = object as Record<string, unknown>;
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(record)) {
      if ((key === 'data' || key === 'stringData') && child !== null && typeof child === 'object') {
        copy[key] = Object.fromEntries(Object.entries(child as Record<string, unknown>).map(([name, secret]) => [name, hide(`${key}.${name}`, secret)]));
      } else {
        copy[key] = walk(child, key, key, false);
      }
    }
    result = copy;
  } else {
    result = walk(object, '', '', false);
  }
  return { value: result as T, hidden };
}

/** Paths whose hidden values differ between two redactions (added, removed or changed). */
export function changedHiddenPaths(base: ReadonlyMap<string, string> | undefined, head: ReadonlyMap<string, string> | undefined): string[] {
  const paths = new Set([...(base?.keys() ?? []), ...(head?.keys() ?? [])]);
  return [...paths].filter((at) => base?.get(at) !== head?.get(at)).sort();
}

/** `KEY=value` / `key: value` lines whose key names a credential, in plain text files. */
const credentialAssignment = /^(\s*(?:export\s+)?["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*)(["']?)(.+?)\3\s*$/;

/**
 * Redacts a text file that is not Kubernetes YAML (bootstrap user data, scripts): credential
 * assignments and credential-looking strings.
 */
export function redactText(text: string): Redacted<string> {
  const hidden = new Map<string, string>();
  const pem = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g;
  const withoutKeys = text.replace(pem, (block) => {
    hidden.set(`private key ${hidden.size + 1}`, fingerprint(block));
    return REDACTED;
  });
  const lines = withoutKeys.split('\n').map((line, index) => {
    const assignment = credentialAssignment.exec(line);
    if (assignment && isSensitiveKey(assignment[2]!) && assignment[4] !== REDACTED && !harmless(assignment[4]!)) {
      hidden.set(`line ${index + 1}`, fingerprint(assignment[4]));
      return `${assignment[1]}${assignment[3]}${REDACTED}${assignment[3]}`;
    }
    const cleaned = redactString(line);
    if (cleaned !== line) hidden.set(`line ${index + 1}`, fingerprint(line));
    return cleaned;
  });
  return { value: lines.join('\n'), hidden };
}
