/**
 * The generated backup and restore Jobs run the way an operator runs them: a backup Job
 * made from the environment's CronJob (`kubectl create job --from=cronjob/...`, what the
 * schedule does), the restore Job as `galera-gitops restore-job` prints it, applied; each
 * awaited to its end, with its log.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GaleraPods } from './galera-pods.ts';
import { ROOT } from './paths.ts';

export interface JobEnd {
  succeeded: boolean;
  log: string;
}

async function awaitJob(cluster: GaleraPods, job: string): Promise<JobEnd> {
  const { node, namespace } = cluster;
  let succeeded = false;
  await node.waitFor(`job ${job} to end`, 10 * 60_000, () => {
    const r = node.kubectl(['get', 'job', job, '-n', namespace, '-o', 'jsonpath={.status.succeeded}/{.status.failed}']);
    const [ok = '', failed = ''] = r.stdout.split('/');
    succeeded = ok === '1';
    return ok === '1' || failed === '1';
  }, 1000);
  const log = node.kubectl(['logs', `job/${job}`, '-n', namespace]).stdout;
  return { succeeded, log };
}

let jobs = 0;

/** One run of the environment's backup CronJob. */
export async function runBackup(cluster: GaleraPods): Promise<JobEnd> {
  const job = `backup-${String(++jobs)}`;
  const r = cluster.node.kubectl(['create', 'job', job, `--from=cronjob/${cluster.name}-backup`, '-n', cluster.namespace]);
  if (r.status !== 0) throw new Error(`kubectl create job: ${r.stderr}`);
  return awaitJob(cluster, job);
}

/** `galera-gitops restore-job` for `backup`, applied and awaited; the Job is deleted afterwards (its claim stays). */
export async function runRestore(cluster: GaleraPods, specFile: string, env: string, backup: string): Promise<JobEnd> {
  const printed = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'restore-job', '-f', specFile, '--env', env, '--backup', backup, '--image', cluster.image.ref], { encoding: 'utf8' });
  if (printed.status !== 0) throw new Error(`galera-gitops restore-job exited ${String(printed.status)}: ${printed.stderr}`);
  const applied = cluster.node.apply(printed.stdout);
  if (applied.status !== 0) throw new Error(`kubectl apply: ${applied.stderr}`);
  const end = await awaitJob(cluster, `${cluster.name}-restore`);
  cluster.node.kubectl(['delete', 'job', `${cluster.name}-restore`, '-n', cluster.namespace, '--wait=true']);
  return end;
}

/** The backups on the backup volume, oldest first. */
export function backupsIn(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.mbstream.gz')).sort();
}
