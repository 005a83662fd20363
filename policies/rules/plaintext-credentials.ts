import { indexed, str } from '../object.ts';
import type { RawFinding, Rule, Subject } from '../types.ts';
import { WORKLOAD_KINDS, containersOf, podSpecOf } from '../workload.ts';
import { withPod } from '../cel.ts';
import { containers, re } from '../match-conditions.ts';

/** Names that hold a credential: *PASSWORD*, *SECRET*, *_PASS (MYSQL_ROOT_PASSWORD, XTRABACKUP_PASS, ...). */
const CREDENTIAL_NAME = /PASSWORD|SECRET|_PASS$/i;

export const plaintextCredentials: Rule = {
  id: 'plaintext-credentials',
  severity: 'deny',
  title: 'Galera credentials come from Secrets, not literal env values',
  why: 'A password written as env[].value is readable by anyone who can read the manifest in git or the object in the cluster (seed 001 ships mypassword123). Secrets have their own RBAC and can be encrypted at rest.',
  fix: 'Replace value with valueFrom.secretKeyRef naming a Secret and key.',
  kinds: ['StatefulSet', 'Deployment', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Pod'],
  admission: {
    kinds: WORKLOAD_KINDS,
    validations: [{ path: 'env', expression: withPod((ps) => `${containers(ps)}.all(c, !has(c.env) || c.env.all(e, !e.name.matches(${re(CREDENTIAL_NAME.source)}) || !has(e.value) || e.value == ''))`) }],
  },
  check(subject: Subject): readonly RawFinding[] {
    if (!subject.galera.galera) return [];
    const pod = podSpecOf(subject.object);
    if (pod === undefined) return [];
    const findings: RawFinding[] = [];
    for (const { container, name, path } of containersOf(pod)) {
      for (const [i, env] of indexed(container.env)) {
        const envName = str(env.name) ?? '';
        const value = str(env.value);
        // The value itself is never repeated: findings end up in logs and CI output.
        if (!CREDENTIAL_NAME.test(envName) || value === undefined || value === '') continue;
        findings.push({
          path: `${path}.env[${i}].value`,
          message: `env ${envName} of container ${JSON.stringify(name)} has a literal value; anyone who can read the manifest or the object can read the credential: use valueFrom.secretKeyRef to read it from a Secret`,
        });
      }
    }
    return findings;
  },
};
