/** Renders docs/rules.md from the catalogue itself, so the docs cannot drift from the rules. */
import { exportPolicies } from '../policies/admission-policies.ts';
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
    '4. an image whose repository names galera, pxc or percona-xtradb-cluster (not an operator image), or a name that does:',
    '   for a StatefulSet the name alone, for another workload only next to a MySQL server container (a MySQL-family image',
    '   that is no proxy, exporter or backup tool, listening on 3306): seed 001\'s Deployment `galera` of `severalnines/mariadb`',
    '   shows nothing else, while a `galera-haproxy` or `galera-exporter` Deployment sits next to a cluster without being one.',
    '',
    'The image `mariadb` alone is not a signal. The label `galera-gitops.io/ignore: "true"` opts an object out.',
    'Objects controlled by another object (a StatefulSet\'s Pods, a Deployment\'s ReplicaSets, an operator\'s',
    'StatefulSets) are not judged: their owner is. Services, PersistentVolumeClaims, Scales and',
    'HorizontalPodAutoscalers are judged through the Galera StatefulSet they belong to, PodDisruptionBudgets through',
    'the Galera StatefulSets whose pods they select.',
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
  out.push(...asPolicies(), ...NOT_A_RULE);
  return out.join('\n');
}

/** Rules users ask for that the catalogue leaves out on purpose, and why. */
const NOT_A_RULE = [
  '## Not a rule',
  '',
  '**A member list in a ConfigMap that disagrees with `spec.replicas`.** Membership is dynamic, so there is no list to',
  'disagree. The generated start-up script (`generator/scripts/start.sh`, `write_options`, with `generator/scripts/lib.sh`)',
  'writes `wsrep_cluster_address` when a member starts, naming `<statefulset>-<i>.<service>.<namespace>.svc` for as many',
  'members as the largest of: the environment\'s `members` setting, the size this member last saw while Synced, and any',
  'larger size a peer reports (`kubectl scale` can grow a cluster beyond what git says); peers are found through the',
  'governing Service, which publishes not-ready addresses. And a `gcomm://` address is only where a member looks for',
  'the group: it joins through any one peer it reaches, and the group\'s size is what the members agree on (the',
  'primary component), not the list. A hand-written static list that misses members still works the same way, as',
  'long as it names one that is up.',
  '',
];

/** What `galera-gitops export policies` turns into admission policies, and what stays with the webhook. */
function asPolicies(): string[] {
  const result = exportPolicies({ mode: 'enforce', severity: {}, exemptNamespaces: [] });
  return [
    '## Without the webhook: admission policies',
    '',
    '`galera-gitops export policies [--config policy.yaml] [-o file]` writes a ValidatingAdmissionPolicy',
    '`galera-gitops.<rule>` (admissionregistration.k8s.io/v1) for each rule whose deny cases can be decided from the object',
    'alone, with two bindings (Deny in namespaces in enforce mode, Warn in warn mode; the namespace label',
    '`galera-gitops.io/mode` or the policy file\'s default; `kube-system` and exempt namespaces never), and a',
    'MutatingAdmissionPolicy (v1, Kubernetes 1.36 or later) adding `publishNotReadyAddresses: true` to a Galera governing',
    'Service that left it out. Detection is the same as above, from the object alone (a workload that is Galera only through',
    'a mounted ConfigMap is judged by the webhook and `audit` only); a waiver of the rule lets the object through.',
    '',
    `As admission policies: ${result.exported.map((id) => `\`${id}\``).join(', ')}.`,
    '',
    'Webhook only (`galera-gitops serve`, or `galera-gitops audit` for what is already there):',
    '',
    ...result.webhookOnly.map((w) => `- \`${w.rule}\`: ${w.why}`),
    '',
  ];
}
