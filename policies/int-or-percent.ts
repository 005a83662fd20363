/**
 * Kubernetes' IntOrString counts (`maxUnavailable: 1`, `minAvailable: "50%"`) scaled to a
 * number of pods the way apimachinery's GetScaledValueFromIntOrPercent does: a percentage
 * of `total`, rounded up or down as the caller's controller does it.
 */

/** The count, or undefined when the value is neither a whole number nor a percentage. */
export function scaled(value: unknown, total: number, roundUp: boolean): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  const percent = percentOf(value);
  if (percent === undefined) return undefined;
  const exact = (percent * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** 66 for "66%", undefined for anything that is not a percentage. */
export function percentOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+)%$/.exec(value);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
