/**
 * The vocabulary every front end (generator, `check`, webhook) shares with the rules.
 * Nothing here touches the file system, the network or the clock.
 */

/** Where a rule runs: an admission CREATE or UPDATE, or offline over files. */
export type Operation = 'CREATE' | 'UPDATE' | 'OFFLINE';

/** `deny` blocks (webhook) or fails (`check` exit 1); `warn` is reported only. */
export type Severity = 'deny' | 'warn';

/** A Kubernetes object after its top level was narrowed from `unknown`. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  [field: string]: unknown;
}

/** The object a finding is about. */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

/** One problem found by one rule on one object. */
export interface Finding {
  /** Stable rule id, e.g. `odd-replicas`. */
  rule: string;
  severity: Severity;
  object: ObjectRef;
  /** The field, kubectl-explain style: `spec.volumeClaimTemplates[0].spec.accessModes`. */
  path: string;
  /** The value found, what is allowed, how to fix it. */
  message: string;
  /** Why the object was judged as Galera (the matched signal), when it was. */
  detection?: string;
  /** Set when the object waives this rule with `galera-gitops.io/waive`. */
  waived?: string;
  /** Filled in by front ends that read files. */
  file?: string;
  line?: number;
}

/** What a rule reports; the engine adds the rule id, object and detection. */
export interface RawFinding {
  path: string;
  message: string;
  /** Overrides the rule's default severity for this finding (e.g. 1 replica is only a warn). */
  severity?: Severity;
  /** Why the object counts as Galera when that came from a related object (a Service's StatefulSet). */
  detection?: string;
}

/**
 * Other objects a rule may consult. Offline it is the rest of the bundle; online a
 * cache of the cluster; in an audit, what the audit listed. `scope` tells which: in a
 * bundle or an audit every object is itself judged, so a rule does not report a problem
 * of a related object a second time (scope.ts says which scope means what).
 * A view is a snapshot for one evaluation (a bundle, one admission review, one audit run):
 * rules may memoise answers on it, so an online cache hands out a new view per review.
 */
export interface Related {
  /** `none`: nothing around the object is visible (a webhook without cluster credentials). */
  readonly scope: 'bundle' | 'cluster' | 'audit' | 'none';
  get(kind: string, namespace: string, name: string): KubeObject | undefined;
  list(kind: string, namespace: string): readonly KubeObject[];
}

/** Everything a rule is given about the object under judgement. */
export interface Subject {
  /** Normalised to the current API version and defaulted like the apiserver does. */
  object: KubeObject;
  /** The object as written, before API normalisation and defaults. */
  written: KubeObject;
  ref: ObjectRef;
  operation: Operation;
  oldObject: KubeObject | undefined;
  related: Related;
  /** Present when the object itself was recognised as a Galera workload. */
  galera: GaleraVerdict;
}

export interface GaleraVerdict {
  galera: boolean;
  /** Human-readable signals that matched, strongest first; empty when not Galera. */
  signals: readonly string[];
  /** Why the object is not judged at all (opt-out label, operator-managed), if so. */
  skipped?: string;
}

export interface Rule {
  id: string;
  severity: Severity;
  /** One line: what the rule checks. */
  title: string;
  /** The Galera or Kubernetes fact the rule rests on. */
  why: string;
  /** How to fix a finding. */
  fix: string;
  /** Kinds (current API) the rule looks at. */
  kinds: readonly string[];
  check(subject: Subject): readonly RawFinding[];
  /**
   * The rule's deny cases in CEL, for `galera-gitops export policies`, when they can be
   * decided from the object alone; absent for a rule only the webhook and `audit` can judge.
   */
  admission?: AdmissionCel;
  /** Without `admission`: why only the webhook and `audit` can judge this rule. */
  webhookOnly?: string;
}

/** A rule's deny cases as ValidatingAdmissionPolicy validations on the defaulted `object`. */
export interface AdmissionCel {
  /** The kinds the policy matches (a subset of `kinds`: Scales and autoscalers need their StatefulSet). */
  kinds: readonly string[];
  /** Each expression is true when the object passes; `path` names the field, as findings do. */
  validations: readonly { path: string; expression: string }[];
  /** Why the rest of the rule stays with the webhook, if some of it does. */
  webhookOnly?: string;
}
