/** What parseSpec says of a spec text: its problems, or none. For the generator's tests. */
import { parseSpec, SpecError } from '../../generator/spec.ts';

export function specProblems(source: string, file = 'x.yaml'): string[] {
  try {
    parseSpec(source, file);
    return [];
  } catch (error) {
    return error instanceof SpecError ? error.problems : [String(error)];
  }
}
