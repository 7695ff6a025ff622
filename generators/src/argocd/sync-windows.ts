/**
 * Argo CD's sync windows, evaluated as the pinned Argo CD evaluates them, so that review can say when
 * an automated sync may run and `validate` can judge windows that cannot work.
 *
 * Read at github.com/argoproj/argo-cd/v3@v3.5.3 `pkg/apis/application/v1alpha1/types.go`
 * (`SyncWindow.active`, `SyncWindows.CanSync`, `scheduleOffsetByTimeZone`) and at the cron library it
 * pins, github.com/robfig/cron/v3@v3.0.2-0.20210106135023-bc59245fe10e (`parser.go` `getRange`,
 * `spec.go` `Next`, `dayMatches`):
 * - the schedule is parsed with `cron.NewParser(Minute | Hour | Dom | Month | Dow)`: five fields,
 *   `*` or `?`, numbers, ranges `a-b`, steps `/n`, lists, month and weekday names (case-insensitive),
 *   weekdays 0-6; no `@daily` descriptors;
 * - "now" is taken in UTC and moved by the offset the window's `timeZone` has *now*; a zone Argo CD
 *   cannot load logs a warning and counts as UTC;
 * - a window is active when `schedule.Next(now + offset - duration)` is before `now + offset`: some
 *   trigger t has `now + offset - duration < t < now + offset`;
 * - `Next` gives up after five years and returns Go's zero time, which is before every time: a
 *   schedule that never fires (`0 7 30 2 *`) makes its window active at every moment;
 * - day of month and day of week: when neither is `*`/`?` a day matches either; otherwise both;
 * - `CanSync`: an active deny window blocks (a manual sync passes when every deny window allows
 *   manual syncs); else an active allow window allows; else any allow window (inactive) blocks (a
 *   manual sync passes when one of them allows manual syncs); else the sync runs.
 * Sync overrun (`syncOverrun`) only continues an operation that started earlier: not modelled, the
 * tree does not set it.
 */

/** A sync window as an AppProject holds it (`spec.syncWindows[]`). */
export interface SyncWindowSpec {
  readonly kind: string;
  readonly schedule: string;
  readonly duration: string;
  readonly timeZone?: string;
  readonly manualSync?: boolean;
  readonly applications?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly clusters?: readonly string[];
}

/** `allow "0 7 * * 1-5" for 11h (Europe/Dublin)` */
export function describeWindow(window: SyncWindowSpec): string {
  return `${window.kind} "${window.schedule}" for ${window.duration} (${window.timeZone || 'UTC'})${window.manualSync ? ', manual sync allowed' : ''}`;
}

/** A parsed five-field schedule: one bit per allowed value, and whether the day fields were `*`. */
export interface CronSchedule {
  readonly minute: bigint;
  readonly hour: bigint;
  readonly dom: bigint;
  readonly month: bigint;
  readonly dow: bigint;
  /** robfig's starBit: the field was `*` or `?` (without a step > 1). */
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTHS: Bounds = { min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } };
const WEEKDAYS: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };
const FIELDS: readonly Bounds[] = [{ min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, MONTHS, WEEKDAYS];

/** Parses a schedule as Argo CD's cron parser does; a string is the reason it is refused. */
export function parseSchedule(spec: string): CronSchedule | string {
  const fields = spec.trim().split(/\s+/);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: ${spec}`;
  const bits: { bits: bigint; star: boolean }[] = [];
  for (const [index, field] of fields.entries()) {
    let union = 0n;
    let star = false;
    for (const part of field.split(',')) {
      const range = parseRange(part, FIELDS[index]!);
      if (typeof range === 'string') return range;
      union |= range.bits;
      star ||= range.star;
    }
    bits.push({ bits: union, star });
  }
  const [minute, hour, dom, month, dow] = bits as [typeof bits[0], typeof bits[0], typeof bits[0], typeof bits[0], typeof bits[0]];
  return { minute: minute.bits, hour: hour.bits, dom: dom.bits, month: month.bits, dow: dow.bits, domStar: dom.star, dowStar: dow.star };
}

function parseRange(expr: string, bounds: Bounds): { bits: bigint; star: boolean } | string {
  const [rangePart = '', stepPart, ...extraSlashes] = expr.split('/');
  if (extraSlashes.length) return `too many slashes: ${expr}`;
  const lowAndHigh = rangePart.split('-');
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    if (lowAndHigh.length > 2) return `too many hyphens: ${expr}`;
    const low = valueOf(lowAndHigh[0]!, bounds);
    if (typeof low === 'string') return low;
    start = low;
    end = low;
    if (lowAndHigh.length === 2) {
      const high = valueOf(lowAndHigh[1]!, bounds);
      if (typeof high === 'string') return high;
      end = high;
    }
  }
  let step = 1;
  if (stepPart !== undefined) {
    if (!/^\d+$/.test(stepPart)) return `failed to parse int from ${stepPart}`;
    step = Number(stepPart);
    // "N/step" means "N-max/step".
    if (lowAndHigh.length === 1) end = bounds.max;
    if (step > 1) star = false;
  }
  if (start < bounds.min) return `beginning of range (${start}) below minimum (${bounds.min}): ${expr}`;
  if (end > bounds.max) return `end of range (${end}) above maximum (${bounds.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0) return `step of range should be a positive number: ${expr}`;
  let bits = 0n;
  for (let value = start; value <= end; value += step) bits |= 1n << BigInt(value);
  return { bits, star };
}

function valueOf(text: string, bounds: Bounds): number | string {
  const named = bounds.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text)) return `failed to parse int from ${text}`;
  return Number(text);
}

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Go's `time.ParseDuration`, in milliseconds; a string is the reason it is refused. */
export function parseGoDuration(text: string): number | string {
  if (text === '0') return 0;
  const match = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(text);
  if (!match) return `time: invalid duration "${text}"`;
  let total = 0;
  for (const part of match[2]!.matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) total += Number(part[1]) * UNIT_MS[part[2]!]!;
  return match[1] === '-' ? -total : total;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat | undefined>();

function zoneFormat(zone: string): Intl.DateTimeFormat | undefined {
  if (!zoneFormats.has(zone)) {
    let format: Intl.DateTimeFormat | undefined;
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    } catch {
      format = undefined;
    }
    zoneFormats.set(zone, format);
  }
  return zoneFormats.get(zone);
}

/** True when the IANA zone can be loaded (Argo CD falls back to UTC, with a warning, otherwise). */
export function canLoadTimeZone(zone: string | undefined): boolean {
  return !zone || zone === 'UTC' || zone === 'Local' || zoneFormat(zone) !== undefined;
}

/** The zone's offset from UTC at an instant, in ms (0 for UTC, an empty zone or one that cannot be loaded). */
export function zoneOffset(zone: string | undefined, at: number): number {
  const format = zone && zone !== 'UTC' ? zoneFormat(zone) : undefined;
  if (!format) return 0;
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(at)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts['year']!, parts['month']! - 1, parts['day']!, parts['hour']!, parts['minute']!, parts['second']!);
  return wall - Math.floor(at / 1000) * 1000;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Whether a schedule fires at a wall-clock minute (a UTC timestamp standing for the zone's wall clock). */
export function firesAt(schedule: CronSchedule, wall: number): boolean {
  const date = new Date(wall);
  return hasBit(schedule.minute, date.getUTCMinutes()) && hasBit(schedule.hour, date.getUTCHours()) && hasBit(schedule.month, date.getUTCMonth() + 1) && dayMatches(schedule, date);
}

function dayMatches(schedule: CronSchedule, date: Date): boolean {
  const domMatch = hasBit(schedule.dom, date.getUTCDate());
  const dowMatch = hasBit(schedule.dow, date.getUTCDay());
  return schedule.domStar || schedule.dowStar ? domMatch && dowMatch : domMatch || dowMatch;
}

function hasBit(bits: bigint, value: number): boolean {
  return ((bits >> BigInt(value)) & 1n) === 1n;
}

/**
 * The first trigger strictly after the wall-clock time `after` (whole minutes), or undefined when
 * none comes within five years (robfig's `Next` then returns the zero time).
 */
export function nextTrigger(schedule: CronSchedule, after: number): number | undefined {
  const start = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  const limitYear = new Date(start).getUTCFullYear() + 5;
  for (let day = Math.floor(start / DAY) * DAY; new Date(day).getUTCFullYear() <= limitYear; day += DAY) {
    const date = new Date(day);
    if (!hasBit(schedule.month, date.getUTCMonth() + 1) || !dayMatches(schedule, date)) continue;
    for (let hour = 0; hour < 24; hour++) {
      if (!hasBit(schedule.hour, hour)) continue;
      for (let minute = 0; minute < 60; minute++) {
        const at = day + hour * 3_600_000 + minute * MINUTE;
        if (at >= start && hasBit(schedule.minute, minute)) return at;
      }
    }
  }
  return undefined;
}

/** A window ready to evaluate: its schedule and duration parsed (or the reason it cannot be). */
export interface PreparedWindow {
  readonly window: SyncWindowSpec;
  readonly schedule?: CronSchedule;
  readonly durationMs?: number;
  /** Why Argo CD refuses the window (and with it every sync of the project's Applications). */
  readonly error?: string;
  /** The schedule matches no time within five years: Argo CD counts the window active always. */
  readonly neverFires: boolean;
}

export function prepareWindow(window: SyncWindowSpec): PreparedWindow {
  const schedule = parseSchedule(window.schedule);
  if (typeof schedule === 'string') return { window, error: `cannot parse schedule '${window.schedule}': ${schedule}`, neverFires: false };
  const durationMs = parseGoDuration(window.duration);
  if (typeof durationMs === 'string') return { window, schedule, error: `cannot parse duration '${window.duration}': ${durationMs}`, neverFires: false };
  return { window, schedule, durationMs, neverFires: nextTrigger(schedule, Date.UTC(2027, 0, 1)) === undefined };
}

/**
 * `SyncWindow.active` at an instant (ms since the epoch), for the window [trigger, trigger + duration).
 * Argo CD's comparison is strict at both ends, which differs only at the exact nanosecond of a
 * trigger: a measure-zero instant no controller sees, and one that would make a deny window that
 * covers every hour look open on the hour.
 */
export function windowActive(prepared: PreparedWindow, at: number): boolean {
  if (!prepared.schedule || prepared.durationMs === undefined) return false;
  if (prepared.neverFires) return true;
  const wall = at + zoneOffset(prepared.window.timeZone, at);
  const next = nextTrigger(prepared.schedule, wall - prepared.durationMs);
  return next === undefined || next <= wall;
}

/** `SyncWindows.CanSync(isManual)` at an instant: undefined when a window cannot be parsed (Argo CD then refuses). */
export function canSync(windows: readonly PreparedWindow[], at: number, manual: boolean): boolean | undefined {
  if (windows.length === 0) return true;
  if (windows.some((w) => w.error)) return undefined;
  const active = windows.filter((w) => windowActive(w, at));
  const activeDeny = active.filter((w) => w.window.kind === 'deny');
  if (activeDeny.length) return manual && activeDeny.every((w) => w.window.manualSync === true);
  if (active.some((w) => w.window.kind === 'allow')) return true;
  const inactiveAllows = windows.filter((w) => w.window.kind === 'allow' && !active.includes(w));
  if (inactiveAllows.length) return manual && inactiveAllows.some((w) => w.window.manualSync === true);
  return true;
}

/**
 * The first minute from `from` (included) at which an automated sync may run, looking `days` ahead;
 * undefined when there is none in that time (or a window cannot be parsed).
 */
export function nextAutomatedSync(windows: readonly PreparedWindow[], from: number, days = 366): number | undefined {
  // Nothing changes between two triggers or ends of a window: jump from one such moment to the next,
  // at most an hour at a time.
  for (let at = from; at <= from + days * DAY; at = nextChange(windows, at)) {
    if (canSync(windows, at, false)) return at;
  }
  return undefined;
}

/** The earliest instant after `at` at which some window may start or stop being active (at most an hour on). */
function nextChange(windows: readonly PreparedWindow[], at: number): number {
  let earliest = at + 3_600_000; // a time zone's offset may change (summer time) at any hour
  for (const w of windows) {
    if (!w.schedule || w.durationMs === undefined || w.neverFires) continue;
    const offset = zoneOffset(w.window.timeZone, at);
    const wall = at + offset;
    // Opens at its next trigger; closes `duration` after the earliest trigger still inside it.
    const opens = nextTrigger(w.schedule, wall);
    const inside = nextTrigger(w.schedule, wall - w.durationMs);
    for (const change of [opens, inside === undefined ? undefined : inside + w.durationMs]) {
      if (change !== undefined && change - offset > at) earliest = Math.min(earliest, change - offset);
    }
  }
  return earliest;
}
