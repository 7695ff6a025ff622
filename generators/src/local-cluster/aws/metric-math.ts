/**
 * The little of CloudWatch metric math the tree's AnalysisTemplates use, evaluated by the local
 * CloudWatch endpoint: query ids, numbers, `FILL(series, value)` and `+ - * /` with parentheses.
 * Series are per-timestamp values; an operation between two series keeps the timestamps both
 * have (as metric math does), `FILL` first gives a series every timestamp any fetched series has.
 * Anything else is refused (the endpoint answers an error rather than a made-up number).
 */

/** Values by timestamp (ms). */
export type Series = ReadonlyMap<number, number>;

type Value = Series | number;

export class MetricMathError extends Error {}

/** Evaluates `expression` over the fetched series (`ids`), `timestamps` being every fetched timestamp. */
export function evaluateMetricMath(expression: string, ids: ReadonlyMap<string, Series>, timestamps: readonly number[]): Series {
  const tokens = expression.match(/\s*([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[()+\-*/,])/g)?.map((t) => t.trim()) ?? [];
  if (tokens.join('').replace(/\s/g, '') !== expression.replace(/\s/g, '')) throw new MetricMathError(`unsupported metric math: ${expression}`);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const token = tokens[at++];
    if (token === undefined || (expected !== undefined && token !== expected)) throw new MetricMathError(`unsupported metric math: ${expression}`);
    return token;
  };
  const primary = (): Value => {
    const token = take();
    if (token === '(') {
      const inner = sum();
      take(')');
      return inner;
    }
    if (/^\d/.test(token)) return Number(token);
    if (token === 'FILL' && peek() === '(') {
      take('(');
      const series = sum();
      take(',');
      const fill = sum();
      take(')');
      if (typeof series === 'number' || typeof fill !== 'number') throw new MetricMathError(`FILL needs a series and a number: ${expression}`);
      return new Map(timestamps.map((t) => [t, series.get(t) ?? fill]));
    }
    const series = ids.get(token);
    if (!series) throw new MetricMathError(`unknown id ${token} in ${expression}`);
    return series;
  };
  const combine = (left: Value, right: Value, op: string): Value => {
    const apply = (a: number, b: number) => (op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b);
    if (typeof left === 'number' && typeof right === 'number') return apply(left, right);
    if (typeof left === 'number') return new Map([...(right as Series)].map(([t, v]) => [t, apply(left, v)]));
    if (typeof right === 'number') return new Map([...left].map(([t, v]) => [t, apply(v, right)]));
    return new Map([...left].filter(([t]) => right.has(t)).map(([t, v]) => [t, apply(v, right.get(t)!)]));
  };
  const product = (): Value => {
    let value = primary();
    while (peek() === '*' || peek() === '/') {
      const op = take();
      value = combine(value, primary(), op);
    }
    return value;
  };
  const sum = (): Value => {
    let value = product();
    while (peek() === '+' || peek() === '-') {
      const op = take();
      value = combine(value, product(), op);
    }
    return value;
  };
  const result = sum();
  if (at !== tokens.length) throw new MetricMathError(`unsupported metric math: ${expression}`);
  if (typeof result === 'number') throw new MetricMathError(`a metric math expression must yield a series: ${expression}`);
  // Metric math drops points that are not numbers (a division by zero).
  return new Map([...result].filter(([, v]) => Number.isFinite(v)));
}
