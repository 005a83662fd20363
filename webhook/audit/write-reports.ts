/**
 * Writes an audit's PolicyReports to the cluster by server-side apply (field manager
 * `galera-gitops`, so a second audit replaces what the first wrote), and deletes the
 * reports of earlier audits in namespaces that no longer hold a finding: a report that
 * outlives the problem would be a false alarm.
 */
import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { MANAGED_BY, REPORT_API_VERSION, REPORT_NAME, type PolicyReport } from './policy-reports.ts';
import { ClusterReadError } from './read.ts';
import { messageOf, retrying } from './retry.ts';

export interface WrittenReports {
  written: string[];
  deleted: string[];
}

const where = (r: { kind: string; metadata?: { namespace?: string } }): string => `${r.kind} ${r.metadata?.namespace === undefined ? '' : `${r.metadata.namespace}/`}${REPORT_NAME}`;

export async function writePolicyReports(kc: KubeConfig, reports: readonly PolicyReport[]): Promise<WrittenReports> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const written: string[] = [];
  for (const report of reports) {
    try {
      await retrying(() => api.patch(report as unknown as KubernetesObject, undefined, undefined, 'galera-gitops', true, PatchStrategy.ServerSideApply));
    } catch (error) {
      throw new ClusterReadError(`cannot write ${where(report)} (is the wgpolicyk8s.io PolicyReport CRD installed?): ${messageOf(error)}`);
    }
    written.push(where(report));
  }
  const keep = new Set(written);
  const deleted: string[] = [];
  const selector = Object.entries(MANAGED_BY).map(([k, v]) => `${k}=${v}`).join(',');
  for (const kind of ['PolicyReport', 'ClusterPolicyReport']) {
    try {
      const list = await retrying(() => api.list(REPORT_API_VERSION, kind, undefined, undefined, undefined, undefined, undefined, selector));
      for (const item of list.items) {
        const old = { ...item, apiVersion: REPORT_API_VERSION, kind };
        if (old.metadata?.name !== REPORT_NAME || keep.has(where(old))) continue;
        await retrying(() => api.delete(old));
        deleted.push(where(old));
      }
    } catch (error) {
      throw new ClusterReadError(`cannot remove earlier ${kind}s that no finding backs any more: ${messageOf(error)}`);
    }
  }
  return { written, deleted };
}
