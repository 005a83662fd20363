/**
 * Installs CustomResourceDefinitions from pinned folders (scripts/tools.sh fetched them from
 * each project's Go module) into a test apiserver and waits until each is Established, so
 * that objects of those kinds apply right after.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Run } from './control-plane.ts';

type Kubectl = (args: readonly string[], input?: string) => Run;

export function installCrds(kubectl: Kubectl, dirs: readonly string[]): void {
  const names: string[] = [];
  for (const dir of dirs) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
      const path = join(dir, file);
      const r = kubectl(['apply', '--server-side', '-f', path]);
      if (r.status !== 0) throw new Error(`kubectl apply -f ${path} failed:\n${r.stderr}`);
      const name = /^metadata:\n(?:\s+.*\n)*?\s+name: (\S+)/m.exec(readFileSync(path, 'utf8'))?.[1];
      if (name !== undefined) names.push(name);
    }
  }
  // kubectl wait gives up on a CRD whose status has no conditions yet, so poll.
  for (const name of names) {
    for (let i = 0; ; i++) {
      if (kubectl(['get', 'crd', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']).stdout === 'True') break;
      if (i > 150) throw new Error(`the CRD ${name} was not Established within 30 s`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}
