/** CPU quantity ("250m", "1", "0.5") in millicores. */
export function cpuMillis(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);
}

const binaryUnits: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Memory quantity ("256Mi", "1Gi") in bytes. */
export function memoryBytes(quantity: string): number {
  const match = /^([0-9]+)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  if (!match) return Number.NaN;
  return Number(match[1]) * binaryUnits[match[2]!]!;
}
