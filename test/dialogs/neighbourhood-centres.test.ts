// bot/neighbourhoods.yaml as a municipality edits it: a name the district's list does not have
// stops start-up with the file and line; no file means no suggestion from a pin.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NeighbourhoodCentres } from '../../src/dialogs/neighbourhood-centres.ts';
import { NeighbourhoodMatcher } from '../../src/dialogs/validators/index.ts';
import { tempDir } from '../support/cozum.ts';

const names = new NeighbourhoodMatcher('İzmir', 'Bornova').names;
const temp = tempDir('cozum-centres-');
afterAll(() => temp.remove());

function botDir(name: string, yaml?: string): string {
  const dir = path.join(temp.dir, name);
  mkdirSync(dir, { recursive: true });
  if (yaml !== undefined) writeFileSync(path.join(dir, 'neighbourhoods.yaml'), yaml);
  return dir;
}

describe('neighbourhood centres', () => {
  it('names the file and line of a neighbourhood the district does not have', () => {
    const dir = botDir('unknown', 'centres:\n  - { name: Erzene Mahallesi, latitude: 38.461, longitude: 27.223 }\n  - { name: Kadıköy Mahallesi, latitude: 38.47, longitude: 27.22 }\n');
    expect(() => NeighbourhoodCentres.load(dir, names)).toThrow(/neighbourhoods\.yaml:3: centres\.1\.name: ilçenin mahalle listesinde yok/);
  });

  it('offers the nearest centre within the distance, and nothing beyond it or without the file', () => {
    const dir = botDir('two', 'maxDistanceKm: 2\ncentres:\n  - { name: Erzene Mahallesi, latitude: 38.461, longitude: 27.223 }\n  - { name: Mevlana Mahallesi, latitude: 38.452, longitude: 27.200 }\n');
    const centres = NeighbourhoodCentres.load(dir, names);
    expect(centres.nearest({ latitude: 38.455, longitude: 27.203 })).toBe('Mevlana Mahallesi');
    expect(centres.nearest({ latitude: 38.462, longitude: 27.221 })).toBe('Erzene Mahallesi');
    // About 3 km east of Erzene's centre.
    expect(centres.nearest({ latitude: 38.461, longitude: 27.258 })).toBeUndefined();
    expect(NeighbourhoodCentres.load(botDir('none'), names).nearest({ latitude: 38.461, longitude: 27.223 })).toBeUndefined();
  });
});
