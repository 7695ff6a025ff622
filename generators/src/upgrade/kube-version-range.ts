/**
 * A chart's `kubeVersion` (Chart.yaml), judged against a Kubernetes release as Helm judges it:
 * `chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String())` before an
 * install (helm.sh/helm/v3@v3.19.0 pkg/action/action.go, pkg/chartutil/compatible.go), which parses
 * the field as a github.com/Masterminds/semver/v3 constraint.
 *
 * The subset read here is the one charts write: `||` between alternatives; within one, constraints
 * separated by spaces or commas, all of which must hold; the operators `=`, `!=`, `>`, `<`, `>=`,
 * `<=` (also `=>`, `=<`), `~`, `~>`, `^`; partial versions (`1.19`) and wildcards (`1.x`, `*`);
 * hyphen ranges (`1.19 - 1.36`); a `-0` (or other) pre-release on a bound, which puts the bound
 * just below that release. Anything else is not understood: `undefined`, never "supported".
 */

/** A version or bound: numbers, and whether it carries a pre-release (which sorts it before the release). */
interface Bound {
  readonly parts: readonly [number, number, number];
  /** How many of major.minor.patch were written (a wildcard stops the count). */
  readonly given: 0 | 1 | 2 | 3;
  readonly prerelease: boolean;
}

const VERSION = /^v?(?:(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parseBound(text: string): Bound | undefined {
  const match = VERSION.exec(text);
  if (!match) return undefined;
  const numbers: number[] = [];
  for (const part of [match[1], match[2], match[3]]) {
    if (part === undefined || /^[xX*]$/.test(part)) break;
    numbers.push(Number(part));
  }
  return { parts: [numbers[0] ?? 0, numbers[1] ?? 0, numbers[2] ?? 0], given: numbers.length as Bound['given'], prerelease: match[4] !== undefined };
}

/** Compares a release (no pre-release) with a bound: negative when the release sorts first. */
function compare(version: readonly [number, number, number], bound: Bound): number {
  for (let i = 0; i < 3; i++) if (version[i] !== bound.parts[i]) return version[i]! - bound.parts[i]!;
  return bound.prerelease ? 1 : 0;
}

/** The bound one step above the last written part (`1.19` → `1.20.0`), for ranges. */
function bump(bound: Bound, at: number): Bound {
  const parts: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < at; i++) parts[i] = bound.parts[i]!;
  parts[at] = bound.parts[at]! + 1;
  return { parts, given: 3, prerelease: true };
}

type Check = (version: readonly [number, number, number]) => boolean;

function range(low: Bound, high: Bound | undefined): Check {
  // A range's lower end admits the pre-releases of that release (`1.19` means `>= 1.19.0-0`).
  const lowest: Bound = { ...low, prerelease: true };
  return (v) => compare(v, lowest) >= 0 && (!high || compare(v, high) < 0);
}

function single(op: string, text: string): Check | undefined {
  const bound = parseBound(text);
  if (!bound) return undefined;
  const exactOrRange = (): Check => (bound.given === 3 ? (v) => compare(v, bound) === 0 : bound.given === 0 ? () => true : range(bound, bump(bound, bound.given - 1)));
  switch (op) {
    case '':
    case '=':
      return exactOrRange();
    case '!=': {
      const within = exactOrRange();
      return (v) => !within(v);
    }
    case '>':
      return bound.given === 3 ? (v) => compare(v, bound) > 0 : bound.given === 0 ? () => false : (v) => compare(v, bump(bound, bound.given - 1)) >= 0;
    case '>=':
    case '=>':
      return (v) => compare(v, bound) >= 0;
    case '<':
      return (v) => compare(v, bound) < 0;
    case '<=':
    case '=<':
      return bound.given === 3 || bound.given === 0 ? (v) => bound.given === 0 || compare(v, bound) <= 0 : (v) => compare(v, bump(bound, bound.given - 1)) < 0;
    case '~':
    case '~>':
      // ~1.19.3: >= 1.19.3, < 1.20.0; ~1: >= 1.0.0, < 2.0.0.
      return range(bound, bound.given === 0 ? undefined : bump(bound, bound.given === 1 ? 0 : 1));
    case '^': {
      // ^1.19: >= 1.19.0, < 2.0.0; ^0.3: < 0.4.0; ^0.0.3: < 0.0.4.
      const at = bound.parts[0] > 0 || bound.given <= 1 ? 0 : bound.parts[1] > 0 || bound.given === 2 ? 1 : 2;
      return range(bound, bound.given === 0 ? undefined : bump(bound, at));
    }
    default:
      return undefined;
  }
}

/** The checks of one `||` alternative, or undefined when it holds something not understood. */
function conjunction(text: string): Check[] | undefined {
  const hyphen = /^\s*(\S+)\s+-\s+(\S+)\s*$/.exec(text);
  if (hyphen) {
    const low = parseBound(hyphen[1]!);
    const high = parseBound(hyphen[2]!);
    if (!low || !high) return undefined;
    return [range(low, high.given === 3 ? undefined : bump(high, Math.max(0, high.given - 1))), ...(high.given === 3 ? [(v: readonly [number, number, number]) => compare(v, high) <= 0] : [])];
  }
  // "op version" pairs: an operator may be separated from its version by spaces.
  const tokens = text.replace(/,/g, ' ').trim().split(/\s+/).filter(Boolean);
  const checks: Check[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let token = tokens[i]!;
    if (/^(=|!=|>|<|>=|=>|<=|=<|~|~>|\^)$/.test(token) && i + 1 < tokens.length) token += tokens[++i]!;
    const match = /^(!=|>=|=>|<=|=<|~>|[=><~^])?(.+)$/.exec(token);
    const check = match ? single(match[1] ?? '', match[2]!) : undefined;
    if (!check) return undefined;
    checks.push(check);
  }
  return checks.length > 0 ? checks : undefined;
}

/**
 * Whether `release` (`v1.36.3`) satisfies the chart's `kubeVersion`; `undefined` when the
 * constraint is not understood (never taken as support).
 */
export function kubeVersionAllows(constraint: string, release: string): boolean | undefined {
  const version = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(release);
  if (!version) return undefined;
  const v: [number, number, number] = [Number(version[1]), Number(version[2]), Number(version[3])];
  let allowed = false;
  for (const alternative of constraint.split('||')) {
    const checks = conjunction(alternative);
    if (!checks) return undefined;
    if (checks.every((check) => check(v))) allowed = true;
  }
  return allowed;
}
