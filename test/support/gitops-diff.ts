/**
 * What Argo CD's default comparison would show for an applied object: the rendered object
 * against the live one read back from the apiserver, the way a client-side apply diff
 * normalises them. Only fields the rendered object sets are compared (the apiserver's
 * additions elsewhere are not drift); lists whose items Kubernetes merges by a key
 * (containers, env, volumes, ports: `name`, or `containerPort`) are matched item by item;
 * any other list is replaced whole on apply, so it must equal the live list exactly, every
 * default the apiserver fills in included. That last case is the StatefulSet's
 * `volumeClaimTemplates` (argo-cd #11143, #16707).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: Json | undefined): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

function mergeKey(items: Json[]): string | undefined {
  for (const key of ['name', 'containerPort']) {
    if (items.length > 0 && items.every((i) => isObject(i) && i[key] !== undefined)) return key;
  }
  return undefined;
}

/** The paths where `live` differs from what `rendered` sets. */
export function drift(rendered: Json, live: Json | undefined, path = ''): string[] {
  if (Array.isArray(rendered)) {
    if (!Array.isArray(live)) return [`${path}: not a list in the live object`];
    const key = mergeKey(rendered);
    if (key === undefined) return JSON.stringify(rendered) === JSON.stringify(live) ? [] : [`${path}: the list differs (replaced whole on apply): rendered ${JSON.stringify(rendered)}, live ${JSON.stringify(live)}`];
    return rendered.flatMap((item) => {
      const id = isObject(item) ? item[key] : undefined;
      const match = live.find((l) => isObject(l) && l[key] === id);
      return drift(item, match, `${path}[${key}=${JSON.stringify(id ?? null)}]`);
    });
  }
  if (isObject(rendered)) {
    if (!isObject(live)) return [`${path}: missing in the live object`];
    return Object.entries(rendered).flatMap(([k, v]) => drift(v, live[k], `${path}.${k}`));
  }
  return rendered === live ? [] : [`${path}: rendered ${JSON.stringify(rendered)}, live ${JSON.stringify(live ?? null)}`];
}

export type { Json };
