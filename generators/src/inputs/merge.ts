/**
 * Deep-merges a per-cluster override onto a service input. Maps merge key by key; lists and
 * scalars in the override replace the base. One exception keeps image references honest:
 * `image.tag` and `image.digest` are taken together from the override when it sets either.
 */
export function mergeServiceOverride(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  const merged = deepMerge(base, override);
  const overrideImage = isRecord(override) && isRecord(override['image']) ? override['image'] : undefined;
  if (overrideImage && ('tag' in overrideImage || 'digest' in overrideImage) && isRecord(merged) && isRecord(merged['image'])) {
    const image: Record<string, unknown> = { ...merged['image'] };
    delete image['tag'];
    delete image['digest'];
    if ('tag' in overrideImage) image['tag'] = overrideImage['tag'];
    if ('digest' in overrideImage) image['digest'] = overrideImage['digest'];
    return { ...merged, image };
  }
  return merged;
}

export function deepMerge(base: unknown, override: unknown): unknown {
  if (isRecord(base) && isRecord(override)) {
    const result: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
      result[key] = key in base ? deepMerge(base[key], value) : value;
    }
    return result;
  }
  return override === undefined ? base : override;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
