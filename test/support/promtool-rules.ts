/**
 * The generated PrometheusRule's alerts run by promtool, the way Prometheus evaluates
 * them: `promtool check rules` on the groups as generated, and `promtool test rules` with
 * input series built from members' real scrapes (each value held constant for the test's
 * span, or growing at a given rate per minute for counters), expecting exactly the alerts
 * given. Annotations are left out of the unit-test copy: their text is checked by
 * `check rules`, the firing is what the cases decide.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { run } from './run.ts';
import { tools } from './tools.ts';

export interface RuleGroup {
  name: string;
  rules: { alert: string; expr: string; for: string; labels: Record<string, string>; annotations?: Record<string, string> }[];
}

/** The series of one target (a member's exporter, or kube-state-metrics' view of an object): labels, and each metric's value. */
export interface Target {
  labels: Record<string, string>;
  values: Partial<Record<string, number>>;
}

/** A series that grows: `perMinute` added every minute from `start`. */
export interface Growth {
  member: Target;
  metric: string;
  start: number;
  perMinute: number;
}

export interface RuleCase {
  name: string;
  members: Target[];
  growth?: Growth[];
  /** alert name → the label sets (besides alertname) of the alerts expected to fire; every alert of the rules is checked. */
  firing: Record<string, Record<string, string>[]>;
}

const MINUTES = 40;
const EVAL = '35m';

function selector(metric: string, labels: Record<string, string>): string {
  return `${metric}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}

function inputSeries(c: RuleCase): { series: string; values: string }[] {
  const grown = new Set((c.growth ?? []).map((g) => `${g.member.labels.pod ?? ''}/${g.metric}`));
  const constant = c.members.flatMap((m) =>
    Object.entries(m.values)
      .filter(([metric]) => !grown.has(`${m.labels.pod ?? ''}/${metric}`))
      .map(([metric, value]) => ({ series: selector(metric, m.labels), values: `${String(value)}x${String(MINUTES)}` })),
  );
  const growing = (c.growth ?? []).map((g) => ({ series: selector(g.metric, g.member.labels), values: `${String(g.start)}+${String(g.perMinute)}x${String(MINUTES)}` }));
  return [...constant, ...growing];
}

/** `promtool check rules`: the groups as generated, annotations included. */
export function checkRules(groups: RuleGroup[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'galera-rules-'));
  try {
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }));
    return run(tools().promtool, ['check', 'rules', join(dir, 'rules.yaml')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `promtool test rules` over the cases; throws with promtool's report when one fails. */
export function testRules(groups: RuleGroup[], cases: RuleCase[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'galera-rules-'));
  try {
    const bare = groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations: _, ...rule }) => rule) }));
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: bare }));
    const alertNames = groups.flatMap((g) => g.rules.map((r) => r.alert));
    const tests = cases.map((c) => ({
      name: c.name,
      interval: '1m',
      input_series: inputSeries(c),
      alert_rule_test: alertNames.map((alertname) => ({
        eval_time: EVAL,
        alertname,
        exp_alerts: (c.firing[alertname] ?? []).map((labels) => ({ exp_labels: labels })),
      })),
    }));
    writeFileSync(join(dir, 'tests.yaml'), stringify({ rule_files: ['rules.yaml'], evaluation_interval: '1m', tests }));
    return run(tools().promtool, ['test', 'rules', join(dir, 'tests.yaml')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
