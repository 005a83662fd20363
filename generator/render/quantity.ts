/**
 * Kubernetes resource quantities ("500m", "2Gi", "100G", "1.5Ti") as plain numbers: bytes
 * for memory and storage, millicores for CPU. The spec's schema has already checked the
 * syntax.
 */
const SUFFIX: Readonly<Record<string, number>> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

function value(quantity: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(quantity);
  if (match === null) throw new Error(`not a Kubernetes quantity: ${quantity}`);
  return Number(match[1]) * (SUFFIX[match[2] ?? ''] ?? 1);
}

export const bytes = (quantity: string): number => value(quantity);
export const millicores = (quantity: string): number => Math.round(value(quantity) * 1000);
