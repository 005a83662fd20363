/**
 * Which GitOps object applied this object, from the metadata Argo CD and Flux put on
 * everything they sync, so a denial says where to fix it.
 */
import { annotationsOf, labelsOf } from '../policies/object.ts';
import type { KubeObject } from '../policies/index.ts';

export const ARGOCD_TRACKING_ID = 'argocd.argoproj.io/tracking-id';
export const ARGOCD_INSTANCE = 'app.kubernetes.io/instance';
export const FLUX_NAME = 'kustomize.toolkit.fluxcd.io/name';
export const FLUX_NAMESPACE = 'kustomize.toolkit.fluxcd.io/namespace';

/** "Argo CD Application orders-prod", "Flux Kustomization flux-system/orders-prod", or undefined. */
export function syncedBy(obj: KubeObject): string | undefined {
  const annotations = annotationsOf(obj);
  const labels = labelsOf(obj);
  // tracking-id: <app>:<group>/<kind>:<namespace>/<name>; the app may be <namespace>_<app>.
  const trackingId = annotations[ARGOCD_TRACKING_ID];
  if (trackingId !== undefined && trackingId.includes(':')) {
    const app = trackingId.slice(0, trackingId.indexOf(':')).replace('_', '/');
    return `Argo CD Application ${app}`;
  }
  const flux = labels[FLUX_NAME];
  if (flux !== undefined) {
    const ns = labels[FLUX_NAMESPACE];
    return `Flux Kustomization ${ns === undefined ? '' : `${ns}/`}${flux}`;
  }
  const instance = labels[ARGOCD_INSTANCE];
  if (instance !== undefined) return `Argo CD Application ${instance}`;
  return undefined;
}
