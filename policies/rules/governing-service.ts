import { at, str } from '../object.ts';
import { isLive, judgedTogether } from '../scope.ts';
import { galeraServiceReason, serviceProblems } from '../service.ts';
import type { RawFinding, Rule, Subject } from '../types.ts';

export const governingService: Rule = {
  id: 'governing-service',
  severity: 'deny',
  title: 'The governing Service is headless and publishes not-ready addresses',
  why: 'Members find their peers through <pod>.<service>.<namespace>.svc before they are Ready: a joiner is not Ready until it has synced and cannot sync without finding the others. That needs spec.serviceName naming a headless Service (clusterIP: None) with spec.publishNotReadyAddresses: true. The old annotation service.alpha.kubernetes.io/tolerate-unready-endpoints is ignored by current Kubernetes. A StatefulSet whose Service is not in the checked input gets a warning.',
  fix: 'Set spec.serviceName to a Service with clusterIP: None and publishNotReadyAddresses: true; route clients through a second, normal Service that only selects Ready members.',
  kinds: ['StatefulSet', 'Service'],
  webhookOnly: 'a StatefulSet and its governing Service are judged together, and an admission policy sees one object',
  check(subject: Subject): readonly RawFinding[] {
    if (subject.object.kind === 'Service') return checkService(subject);
    if (subject.object.kind === 'StatefulSet' && subject.galera.galera) return checkStatefulSet(subject);
    return [];
  },
};

function checkService(subject: Subject): RawFinding[] {
  const reason = galeraServiceReason(subject.object, subject.related);
  if (reason === undefined) return [];
  return serviceProblems(subject.object).map((p) => ({
    path: p.path,
    message: `${p.problem}: ${p.fix}`,
    detection: reason,
  }));
}

function checkStatefulSet(subject: Subject): RawFinding[] {
  const { related, ref } = subject;
  const serviceName = str(at(subject.object, 'spec', 'serviceName')) ?? '';
  if (serviceName === '') {
    return [
      {
        path: 'spec.serviceName',
        message: 'spec.serviceName is not set; Galera members find each other through the DNS names of a governing headless Service (<pod>.<service>.<namespace>.svc): name a Service with clusterIP: None and publishNotReadyAddresses: true',
      },
    ];
  }
  if (related.scope === 'none') return [];
  const service = related.get('Service', ref.namespace, serviceName);
  if (service === undefined) {
    const where = !isLive(related)
      ? 'is not in the checked input, so it cannot be verified: check it together with the Service (for example the whole kustomize build output)'
      : `does not exist in namespace ${JSON.stringify(ref.namespace)}: create it with clusterIP: None and publishNotReadyAddresses: true before the members start`;
    return [
      {
        path: 'spec.serviceName',
        severity: 'warn',
        message: `spec.serviceName is ${JSON.stringify(serviceName)}; that Service ${where}`,
      },
    ];
  }
  // In a bundle or an audit the Service is judged itself; in a cluster it was admitted
  // earlier, so the StatefulSet that relies on it is where the problem shows.
  if (judgedTogether(related)) return [];
  return serviceProblems(service).map((p) => ({
    path: 'spec.serviceName',
    message: `spec.serviceName is ${JSON.stringify(serviceName)}, whose ${p.problem}: ${p.fix} on Service ${JSON.stringify(serviceName)}`,
  }));
}
