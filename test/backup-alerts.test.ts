/**
 * The backup alerts of the generated PrometheusRule, evaluated by promtool. They read
 * kube-state-metrics' CronJob series, which no test here runs: the series are synthetic,
 * with kube-state-metrics' metric names and labels (namespace, cronjob), and the clock is
 * promtool's (the evaluation happens 35 minutes, 2100 s, after time zero).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpec } from '../generator/spec.ts';
import { renderTree } from '../generator/render/tree.ts';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './support/paths.ts';
import { checkRules, testRules, type RuleGroup, type Target } from './support/promtool-rules.ts';

const spec = parseSpec(readFileSync(join(ROOT, 'examples', 'orders-db.galera.yaml'), 'utf8'), 'examples/orders-db.galera.yaml');
const monitoring = renderTree(spec).generated.get('envs/staging/monitoring.yaml') ?? '';
const rule = parseAllDocuments(monitoring).map((d) => d.toJS() as { kind: string; spec: { groups: RuleGroup[] } }).find((d) => d.kind === 'PrometheusRule');
const all = rule?.spec.groups ?? [];
// The Galera alerts are tested over real exporter output in galera-production.test.ts.
const groups = all.map((g) => ({ ...g, rules: g.rules.filter((r) => r.alert.startsWith('GaleraBackup')) }));
const labels = { namespace: 'orders-staging', cronjob: 'orders-db-backup' };
const cron = (values: Partial<Record<string, number>>): Target => ({ labels, values });
const DAY = 86_400;

describe('the backup alerts', () => {
  it('pass promtool check rules, and fire exactly when the last run failed or no backup is recent', () => {
    assert.match(checkRules(all), /SUCCESS: 10 rules found/);
    const output = testRules(groups, [
      { name: 'a success 5 minutes ago', members: [cron({ kube_cronjob_created: -10 * DAY, kube_cronjob_status_last_schedule_time: 1800, kube_cronjob_status_last_successful_time: 1800, kube_cronjob_status_active: 0 })], firing: {} },
      { name: 'a run in progress after yesterday\'s success', members: [cron({ kube_cronjob_created: -10 * DAY, kube_cronjob_status_last_schedule_time: 1800, kube_cronjob_status_last_successful_time: 1800 - DAY, kube_cronjob_status_active: 1 })], firing: {} },
      {
        name: 'the last run failed',
        members: [cron({ kube_cronjob_created: -10 * DAY, kube_cronjob_status_last_schedule_time: 600, kube_cronjob_status_last_successful_time: 600 - DAY, kube_cronjob_status_active: 0 })],
        firing: { GaleraBackupFailed: [{ ...labels, severity: 'warning' }] },
      },
      {
        name: 'no success for two days',
        members: [cron({ kube_cronjob_created: -10 * DAY, kube_cronjob_status_last_schedule_time: 600, kube_cronjob_status_last_successful_time: 600 - 2 * DAY, kube_cronjob_status_active: 0 })],
        firing: { GaleraBackupFailed: [{ ...labels, severity: 'warning' }], GaleraBackupTooOld: [{ ...labels, severity: 'critical' }] },
      },
      { name: 'never succeeded, created 2 days ago', members: [cron({ kube_cronjob_created: -2 * DAY, kube_cronjob_status_active: 0 })], firing: { GaleraBackupTooOld: [{ ...labels, severity: 'critical' }] } },
      { name: 'never succeeded, created an hour ago', members: [cron({ kube_cronjob_created: -3600, kube_cronjob_status_active: 0 })], firing: {} },
    ]);
    assert.match(output, /SUCCESS/);
  });
});
