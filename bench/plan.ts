/**
 * What a run measures: object sizes, samples per way, databases, cold starts. Sample counts are set
 * so that the whole run stays under ~20 minutes on 2 cores: the seed-style way pays a full database
 * load per object (~15-20 s with the official-sized database), so it gets the fewest.
 */
import { type DatabaseSpec, OFFICIAL_SIZED_DATABASE, TEST_DATABASE } from "./database";
import { MB } from "./stats";

export interface SizeCase {
  label: string;
  bytes: number;
  /** Samples per way; half of them (the odd ones) are infected. */
  samples: { raw: number; warm: number; seed: number };
}

export interface DatabaseCase {
  spec: DatabaseSpec;
  /** Cold starts measured: each a new execution environment's first invocation. */
  coldStarts: number;
  /** Seed-style samples are capped per database: each one reloads the whole database. */
  seedSamplesMax: number;
}

export interface BenchPlan {
  sizes: SizeCase[];
  databases: DatabaseCase[];
}

export interface PlanOptions {
  /** Add the 1 GB case. */
  big: boolean;
  /** A few samples and a database a tenth of the size: for trying the benchmark out, not for results. */
  quick: boolean;
}

export function benchPlan(o: PlanOptions): BenchPlan {
  const sizes: SizeCase[] = [
    { label: "1 KB", bytes: 1024, samples: { raw: 40, warm: 40, seed: 10 } },
    { label: "1 MB", bytes: MB, samples: { raw: 20, warm: 20, seed: 6 } },
    { label: "100 MB", bytes: 100 * MB, samples: { raw: 5, warm: 5, seed: 3 } },
  ];
  // One sample each: a 1 GB scan takes ~30 s whichever way, and it is there to show memory and /tmp.
  if (o.big) sizes.push({ label: "1 GB", bytes: 1024 * MB, samples: { raw: 1, warm: 1, seed: 1 } });
  const official = o.quick
    ? {
        ...OFFICIAL_SIZED_DATABASE,
        name: `${OFFICIAL_SIZED_DATABASE.name} (quick: 1/10)`,
        hdb: OFFICIAL_SIZED_DATABASE.hdb / 10,
        ndb: OFFICIAL_SIZED_DATABASE.ndb / 10,
      }
    : OFFICIAL_SIZED_DATABASE;
  return {
    sizes: o.quick
      ? sizes.map((s) => ({
          ...s,
          samples: {
            raw: Math.min(4, s.samples.raw),
            warm: Math.min(4, s.samples.warm),
            seed: Math.min(2, s.samples.seed),
          },
        }))
      : sizes,
    databases: [
      { spec: TEST_DATABASE, coldStarts: o.quick ? 1 : 3, seedSamplesMax: 10 },
      { spec: official, coldStarts: o.quick ? 1 : 2, seedSamplesMax: o.quick ? 1 : 5 },
    ],
  };
}
