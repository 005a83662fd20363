/** Renders docs/rules.md from the catalogue itself, so the docs cannot drift from the rules. */
import { CATALOGUE } from '../policies/index.ts';

export function renderRulesDoc(): string {
  const out: string[] = [
    '<!-- Generated from policies/catalogue.ts by `npm run docs:rules`; a test fails when this file is stale. -->',
    '# The rule catalogue',
    '',
    'Every rule runs in the generator, in `galera-gitops check` and in the admission webhook.',
    'A `deny` finding fails `check` (exit 1) and rejects an admission; a `warn` finding is reported only.',
    'Some rules report a milder case as `warn` (noted below).',
    '',
    '## Which objects are judged',
    '',
    'Only Galera workloads. An object counts as Galera when one of these signals matches (the finding says which):',
    '',
    '1. the label `galera-gitops.io/cluster` on the object or its pod template (explicit opt-in);',
    '2. Galera replication ports (4567, 4568, 4444) on a container, next to 3306 or with a second replication port',
    '   (4444 alone is Selenium Grid, 4567 alone Sinatra);',
    '3. `wsrep` settings or a `gcomm://` address in a container command, args or env, or in a mounted ConfigMap that is visible;',
    '4. an image whose repository names galera, pxc or percona-xtradb-cluster (not an operator image), or, for a StatefulSet, its name.',
    '',
    'The image `mariadb` alone is not a signal. The label `galera-gitops.io/ignore: "true"` opts an object out.',
    'Objects controlled by another object (a StatefulSet\'s Pods, a Deployment\'s ReplicaSets, an operator\'s',
    'StatefulSets) are not judged: their owner is. Services, PersistentVolumeClaims, Scales and',
    'HorizontalPodAutoscalers are judged through the Galera StatefulSet they belong to.',
    '',
    'Objects are judged the way the apiserver stores them: a removed API version as its current equivalent, and',
    'omitted fields with the apiserver\'s defaults (`podManagementPolicy: OrderedReady`,',
    '`terminationGracePeriodSeconds: 30`, `replicas: 1`, ...).',
    '',
    '## Waivers',
    '',
    'The annotation `galera-gitops.io/waive: "<rule>: <reason>"` (one waiver per line) waives that rule on that object.',
    'Waived findings are still shown, marked waived, and never block. A waiver without a reason or naming an unknown',
    'rule is not honoured and gets a `waiver-syntax` warning.',
    '',
    '## Rules',
    '',
    '| id | severity | checks | kinds |',
    '| --- | --- | --- | --- |',
    ...CATALOGUE.map((r) => `| [\`${r.id}\`](#${r.id}) | ${r.severity} | ${r.title} | ${r.kinds.join(', ').replace('*', 'any')} |`),
    '',
  ];
  for (const rule of CATALOGUE) {
    out.push(`### ${rule.id}`, '', `**${rule.title}.** Default severity: \`${rule.severity}\`. Kinds: ${rule.kinds.join(', ').replace('*', 'any')}.`, '', `Why: ${rule.why}`, '', `Fix: ${rule.fix}`, '');
  }
  return out.join('\n');
}
