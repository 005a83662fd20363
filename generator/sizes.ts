/**
 * The built-in environment sizes (argued in docs/generator.md). Members are always odd:
 * Galera keeps quorum with a strict majority. More members add read capacity and fault
 * tolerance, not write throughput (every write is certified on every member), which is
 * why `medium` grows resources rather than members.
 */
export type SizeName = 'dev' | 'small' | 'medium' | 'large' | 'xlarge';
export type Spread = 'none' | 'host' | 'zone';

export interface Size {
  members: number;
  cpu: string;
  memory: string;
  storage: string;
  spread: Spread;
  /** What the size is for, for the docs. */
  purpose: string;
}

export const SIZES: Readonly<Record<SizeName, Size>> = {
  dev: { members: 1, cpu: '250m', memory: '1Gi', storage: '5Gi', spread: 'none', purpose: 'a laptop or CI: one member, no fault tolerance' },
  small: { members: 3, cpu: '500m', memory: '2Gi', storage: '20Gi', spread: 'none', purpose: 'staging: the smallest size that survives the loss of a member' },
  medium: { members: 3, cpu: '2', memory: '8Gi', storage: '100Gi', spread: 'host', purpose: 'production with moderate load: 3 members on 3 nodes' },
  large: { members: 5, cpu: '4', memory: '16Gi', storage: '500Gi', spread: 'host', purpose: 'production that must survive two lost members (one in maintenance, one failing)' },
  xlarge: { members: 7, cpu: '8', memory: '32Gi', storage: '1Ti', spread: 'zone', purpose: 'multi-zone production: 3+2+2 over three zones keeps a majority when any zone fails' },
};
