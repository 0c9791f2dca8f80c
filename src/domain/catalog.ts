/**
 * The countermeasure catalogue used by inspections, kept as versioned data in
 * `data/catalog/v<N>.json`. Every version stays loadable for ever: a campaign records the
 * version it was opened with, so an item retired in v2 still resolves for v1 campaigns.
 */
import * as z from 'zod';
import v1 from '../../data/catalog/v1.json' with { type: 'json' };
import v2 from '../../data/catalog/v2.json' with { type: 'json' };

/** The seven countermeasure areas, in display order. */
export const AREAS = ['entry', 'internal', 'exit', 'detection', 'training', 'response', 'violation'] as const;
/** A countermeasure area (入口対策, 内部対策, 出口対策, 検知・ログ, 教育・訓練, インシデント対応, 内部不正・規程違反). */
export type Area = (typeof AREAS)[number];

/** Attack stages an item counters (a targeted-attack kill chain, plus `insider` for misuse from within). */
export const STAGES = [
  'delivery',
  'exploitation',
  'installation',
  'command-and-control',
  'lateral-movement',
  'exfiltration',
  'insider',
] as const;
/** An attack stage. */
export type Stage = (typeof STAGES)[number];

/** Cost bands in yen: `min` inclusive, `max` exclusive. */
export const COST_BANDS = {
  S: { min: 0, max: 1_000_000 },
  M: { min: 1_000_000, max: 5_000_000 },
  L: { min: 5_000_000, max: 20_000_000 },
  XL: { min: 20_000_000, max: Number.POSITIVE_INFINITY },
} as const;
/** A cost band: S < ¥1M, M ¥1–5M, L ¥5–20M, XL > ¥20M. */
export type CostBand = keyof typeof COST_BANDS;

/** Items per area a catalogue version must have at least. */
export const MIN_ITEMS_PER_AREA = 5;

const text = z.strictObject({
  title: z.string().trim().min(1).max(80),
  description: z.string().trim().min(1).max(240),
});

const areaSchema = z.strictObject({
  id: z.enum(AREAS),
  ja: z.string().min(1),
  en: z.string().min(1),
  short: z.string().regex(/^[A-Za-z]{1,8}$/, 'short label: 1–8 ASCII letters'),
  weight: z.number().gt(0).lt(1),
});

const itemSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Z]{3}-\d{2}$/, 'id like ENT-01'),
    area: z.enum(AREAS),
    ja: text,
    en: text,
    stages: z.array(z.enum(STAGES)).min(1),
    // below 1: an item never removes all of an area's risk (and the log-space model needs e < 1)
    effectiveness: z.number().gt(0).max(0.95),
    costBand: z.enum(['S', 'M', 'L', 'XL']),
    typicalCost: z.number().int().nonnegative(),
    /** where the measure comes from: documents, by title (required from version 2 on) */
    sources: z.array(z.string().trim().min(1).max(300)).optional(),
  })
  .superRefine((it, ctx) => {
    const band = COST_BANDS[it.costBand];
    if (it.typicalCost < band.min || it.typicalCost >= band.max) {
      ctx.addIssue({ code: 'custom', message: `${it.id}: typicalCost ${it.typicalCost} outside band ${it.costBand}` });
    }
  });

const catalogSchema = z
  .object({
    version: z.number().int().positive(),
    published: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    note: z.string().optional(),
    areas: z.array(areaSchema),
    items: z.array(itemSchema),
    /** Ids of earlier versions that this version no longer asks about. */
    retired: z.array(z.strictObject({ id: z.string(), replacedBy: z.string().optional() })).default([]),
  })
  .superRefine((c, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    const ids = new Set<string>();
    for (const it of c.items) {
      if (ids.has(it.id)) issue(`duplicate item id ${it.id}`);
      ids.add(it.id);
    }
    const areaIds = c.areas.map((a) => a.id);
    for (const a of AREAS) {
      if (areaIds.filter((x) => x === a).length !== 1) issue(`area ${a} must be defined exactly once`);
      const n = c.items.filter((it) => it.area === a).length;
      if (n < MIN_ITEMS_PER_AREA) issue(`area ${a} has ${n} items, needs at least ${MIN_ITEMS_PER_AREA}`);
    }
    const weights = c.areas.reduce((s, a) => s + a.weight, 0);
    if (Math.abs(weights - 1) > 1e-9) issue(`area weights sum to ${weights}, not 1`);
    if (c.version >= 2)
      for (const it of c.items)
        if (!it.sources?.length) issue(`${it.id}: no source (every item from version 2 on names its sources)`);
    for (const r of c.retired) {
      if (ids.has(r.id)) issue(`retired id ${r.id} is still an item`);
      if (r.replacedBy !== undefined && !ids.has(r.replacedBy))
        issue(`retired ${r.id} replaced by unknown ${r.replacedBy}`);
    }
  });

/** Bilingual text of an item. */
export interface ItemText {
  readonly title: string;
  readonly description: string;
}

/** One countermeasure a PoC answers per system. */
export interface CatalogItem {
  /** Stable id (`ENT-01`); never reused for a different countermeasure. */
  readonly id: string;
  readonly area: Area;
  readonly ja: ItemText;
  readonly en: ItemText;
  readonly stages: readonly Stage[];
  /** Share (0–0.95) of its area's risk the item removes when fully implemented. */
  readonly effectiveness: number;
  readonly costBand: CostBand;
  /** Typical initial cost per system, yen; lies within `costBand`. */
  readonly typicalCost: number;
  /** The documents the measure comes from (every item from version 2 on has at least one). */
  readonly sources?: readonly string[] | undefined;
}

/** An area's labels and its weight in a system's inherent risk (weights sum to 1). */
export interface AreaDefinition {
  readonly id: Area;
  readonly ja: string;
  readonly en: string;
  /** ASCII label of at most 8 letters, for pictures. */
  readonly short: string;
  readonly weight: number;
}

/** One validated catalogue version. */
export interface Catalog {
  readonly version: number;
  /** ISO date the version took effect. */
  readonly published: string;
  readonly areas: readonly AreaDefinition[];
  readonly items: readonly CatalogItem[];
  readonly retired: readonly { readonly id: string; readonly replacedBy?: string | undefined }[];
}

/** Thrown when catalogue data is invalid or a version is unknown. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
}

/** Validate raw catalogue data; throws a `CatalogError` listing every problem. */
export function parseCatalog(raw: unknown): Catalog {
  const r = catalogSchema.safeParse(raw);
  if (!r.success) throw new CatalogError(`invalid catalogue: ${z.prettifyError(r.error)}`);
  return r.data;
}

/** Versions on hand, with lookups; `createCatalogRegistry` lets tests add versions. */
export interface CatalogRegistry {
  readonly versions: readonly number[];
  readonly latestVersion: number;
  /** A version (default: the latest); throws `CatalogError` for an unknown version. */
  catalog(version?: number): Catalog;
  /** An item as worded in that version, or undefined if the version does not have it. */
  item(version: number, id: string): CatalogItem | undefined;
}

/** A registry over raw versions; each is validated on first use and then cached. */
export function createCatalogRegistry(raws: readonly unknown[]): CatalogRegistry {
  const byVersion = new Map<number, unknown>();
  for (const raw of raws) {
    const v = (raw as { version?: unknown } | null)?.version;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new CatalogError('catalogue without an integer version');
    if (byVersion.has(v)) throw new CatalogError(`catalogue version ${v} given twice`);
    byVersion.set(v, raw);
  }
  if (byVersion.size === 0) throw new CatalogError('no catalogue versions');
  const versions = [...byVersion.keys()].sort((a, b) => a - b);
  const latestVersion = versions[versions.length - 1]!;
  const parsed = new Map<number, { catalog: Catalog; index: Map<string, CatalogItem> }>();

  const load = (version: number) => {
    let hit = parsed.get(version);
    if (!hit) {
      const raw = byVersion.get(version);
      if (raw === undefined) throw new CatalogError(`unknown catalogue version ${version}`);
      const catalog = parseCatalog(raw);
      hit = { catalog, index: new Map(catalog.items.map((it) => [it.id, it])) };
      parsed.set(version, hit);
    }
    return hit;
  };

  return {
    versions,
    latestVersion,
    catalog: (version = latestVersion) => load(version).catalog,
    item: (version, id) => load(version).index.get(id),
  };
}

const builtIn = createCatalogRegistry([v1, v2]);

/** Catalogue versions shipped with the bot, oldest first. */
export const catalogVersions: readonly number[] = builtIn.versions;
/** The newest shipped catalogue version; new campaigns use it. */
export const latestVersion: number = builtIn.latestVersion;
/** A shipped catalogue version (default: the latest). */
export const catalog = (version?: number): Catalog => builtIn.catalog(version);
/** An item of a shipped version, or undefined. */
export const item = (version: number, id: string): CatalogItem | undefined => builtIn.item(version, id);
