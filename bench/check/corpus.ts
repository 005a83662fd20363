/**
 * A generated multi-document YAML of a mix of Galera and other workloads, the size of a
 * large GitOps repository's `kustomize build` output: per group of ten objects, a Galera
 * StatefulSet with its two Services and ConfigMap (one in four breaks a rule), a plain
 * MariaDB StatefulSet with its Service, an nginx Deployment, a ConfigMap, a Secret
 * reference and a PodDisruptionBudget. Spread over 50 namespaces.
 */
export function benchCorpus(objects: number): string {
  const docs: string[] = [];
  for (let i = 0; docs.length < objects; i++) {
    const ns = `team-${i % 50}`;
    const replicas = i % 4 === 0 ? 4 : 3;
    docs.push(
      `apiVersion: v1\nkind: Service\nmetadata: {name: db${i}-peers, namespace: ${ns}, labels: {galera-gitops.io/cluster: db${i}}}\nspec:\n  clusterIP: None\n  publishNotReadyAddresses: true\n  selector: {app: db${i}}\n  ports: [{name: mysql, port: 3306}, {name: sst, port: 4444}, {name: group, port: 4567}, {name: ist, port: 4568}]\n`,
      `apiVersion: v1\nkind: Service\nmetadata: {name: db${i}, namespace: ${ns}}\nspec:\n  selector: {app: db${i}}\n  ports: [{name: mysql, port: 3306}]\n`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: db${i}-cnf, namespace: ${ns}}\ndata:\n  galera.cnf: |\n    [galera]\n    wsrep_on = ON\n    wsrep_provider = /usr/lib/galera/libgalera_smm.so\n    wsrep_sst_method = mariabackup\n`,
      `apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db${i}\n  namespace: ${ns}\n  labels: {galera-gitops.io/cluster: db${i}}\nspec:\n  replicas: ${replicas}\n  serviceName: db${i}-peers\n  selector:\n    matchLabels: {app: db${i}}\n  template:\n    metadata:\n      labels: {app: db${i}}\n    spec:\n      terminationGracePeriodSeconds: 600\n      containers:\n        - name: mariadb\n          image: mariadb:11.4\n          ports: [{containerPort: 3306}, {containerPort: 4444}, {containerPort: 4567}, {containerPort: 4568}]\n          env:\n            - name: MARIADB_ROOT_PASSWORD\n              valueFrom: {secretKeyRef: {name: db${i}-root, key: password}}\n          resources: {requests: {cpu: 500m, memory: 2Gi}, limits: {memory: 2Gi}}\n          volumeMounts:\n            - {name: data, mountPath: /var/lib/mysql}\n            - {name: cnf, mountPath: /etc/mysql/conf.d}\n      volumes:\n        - {name: cnf, configMap: {name: db${i}-cnf}}\n  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec:\n        accessModes: [ReadWriteOnce]\n        resources: {requests: {storage: 20Gi}}\n`,
      `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: cache${i}, namespace: ${ns}}\nspec:\n  replicas: 2\n  serviceName: cache${i}\n  selector: {matchLabels: {app: cache${i}}}\n  template:\n    metadata: {labels: {app: cache${i}}}\n    spec:\n      containers:\n        - name: mariadb\n          image: mariadb:11.4\n          ports: [{containerPort: 3306}]\n          volumeMounts: [{name: data, mountPath: /var/lib/mysql}]\n  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5Gi}}}\n`,
      `apiVersion: v1\nkind: Service\nmetadata: {name: cache${i}, namespace: ${ns}}\nspec:\n  clusterIP: None\n  selector: {app: cache${i}}\n  ports: [{port: 3306}]\n`,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web${i}, namespace: ${ns}}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web${i}}}\n  template:\n    metadata: {labels: {app: web${i}}}\n    spec:\n      containers:\n        - name: nginx\n          image: nginx:1.27\n          ports: [{containerPort: 80}]\n          env: [{name: API_PASSWORD, value: not-galera}]\n`,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web${i}, namespace: ${ns}}\ndata: {LOG_LEVEL: info, FEATURE_FLAGS: "a,b,c"}\n`,
      `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web${i}, namespace: ${ns}}\n`,
      `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: db${i}, namespace: ${ns}}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: db${i}}}\n`,
    );
  }
  return docs.slice(0, objects).join('---\n');
}
