/**
 * Reads what an audit judges from a live cluster: every object of the audited kinds in
 * every namespace (pages of 500, so a large cluster is never one huge response), and the
 * ConfigMaps that Galera-looking pods mount (detection reads wsrep settings from them).
 */
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { configMapsRead } from '../../policies/detect.ts';
import { isKubeObject, type KubeObject } from '../../policies/index.ts';
import { namespaceOf } from '../../policies/object.ts';
import { auditedKinds } from './kinds.ts';
import { messageOf, retrying } from './retry.ts';

const PAGE = 500;

export class ClusterReadError extends Error {}

export function loadKubeConfig(file: string | undefined, context: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (file !== undefined) kc.loadFromFile(file);
    else kc.loadFromDefault();
  } catch (error) {
    throw new ClusterReadError(`cannot load the kubeconfig${file === undefined ? '' : ` ${file}`}: ${messageOf(error)}`);
  }
  if (context !== undefined) {
    if (kc.getContextObject(context) === null) throw new ClusterReadError(`the kubeconfig has no context ${JSON.stringify(context)}`);
    kc.setCurrentContext(context);
  }
  if (kc.getCurrentCluster() === null) throw new ClusterReadError('the kubeconfig names no cluster: pass --kubeconfig or set KUBECONFIG');
  return kc;
}

export async function readCluster(kc: KubeConfig): Promise<KubeObject[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const objects: KubeObject[] = [];
  for (const { kind, apiVersion } of auditedKinds()) {
    let token: string | undefined;
    do {
      let page;
      try {
        const continueToken = token;
        page = await retrying(() => api.list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, undefined, PAGE, continueToken));
      } catch (error) {
        throw new ClusterReadError(`cannot list ${kind} (${apiVersion}) from ${kc.getCurrentCluster()?.server ?? 'the cluster'}: ${messageOf(error)}`);
      }
      // List items carry no apiVersion and kind of their own.
      objects.push(...page.items.map((item: KubernetesObject) => ({ ...item, apiVersion, kind })).filter(isKubeObject));
      token = page.metadata?._continue;
    } while (token !== undefined && token !== '');
  }
  objects.push(...(await mountedConfigMaps(api, objects)));
  return objects;
}

async function mountedConfigMaps(api: KubernetesObjectApi, objects: readonly KubeObject[]): Promise<KubeObject[]> {
  const wanted = new Set<string>();
  for (const obj of objects) for (const name of configMapsRead(obj)) wanted.add(`${namespaceOf(obj)}/${name}`);
  const found: KubeObject[] = [];
  for (const key of [...wanted].sort()) {
    const [namespace = '', name = ''] = key.split('/');
    try {
      const cm = await retrying(() => api.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } }));
      const obj = { ...cm, apiVersion: 'v1', kind: 'ConfigMap' };
      if (isKubeObject(obj)) found.push(obj);
    } catch {
      // A ConfigMap that is missing, or that the audit may not read, shows nothing; the
      // other signals still apply, as in a bundle without it.
    }
  }
  return found;
}
