/**
 * Residual-risk model for inspections; the reasoning is in docs/risk-model.md.
 *
 * inherent(system, area) = impact(機密性) × likelihood(area, exposure) × weight(area)
 * residual(system, area) = inherent × exp(−G × H_all / H_applicable)
 * where h_i = −ln(1 − e_i) is item i's strength, G sums the strengths earned by the answers
 * (implemented: h_i, partial: −ln(1 − e_i/2), missing or unanswered: 0) and `na` items leave
 * H_applicable. Without `na` answers this is exactly inherent × Π(1 − e_i·s_i).
 */
import type { Area, Catalog, CatalogItem } from './catalog.ts';
import { AREAS } from './catalog.ts';

/** How a system is reachable: from the internet, only from the internal network, or not at all. */
export type Exposure = 'internet' | 'internal' | 'isolated';
/** A PoC's answer to one item for one system. */
export type AnswerStatus = 'implemented' | 'partial' | 'missing' | 'na';
/** 機密性 (confidentiality class) of the information a system holds, per the unified standards. */
export type Confidentiality = 1 | 2 | 3;

/** Impact by 機密性: roughly ×2–2.5 a class, so that a 機密性3 system outweighs several 機密性1 ones. */
export const IMPACT: Readonly<Record<Confidentiality, number>> = { 1: 2, 2: 5, 3: 10 };
/** Likelihood of an external attack by exposure. */
export const LIKELIHOOD: Readonly<Record<Exposure, number>> = { internet: 1, internal: 0.5, isolated: 0.2 };
/** Insider misuse (the `violation` area) does not depend on network exposure. */
export const INSIDER_LIKELIHOOD = 0.6;
/** Share of its effectiveness a `partial` answer earns. */
export const PARTIAL_SHARE = 0.5;

/** One registered system with its answers for one campaign. */
export interface SystemProfile {
  /** `SYS-…` id. */
  readonly id: string;
  readonly confidentiality: Confidentiality;
  readonly exposure: Exposure;
  /** Answers by item id; an absent item counts as unanswered (treated as missing). */
  readonly answers: Readonly<Partial<Record<string, AnswerStatus>>>;
}

/** Residual risk of one area of one system. */
export interface AreaRisk {
  readonly area: Area;
  /** impact × likelihood × weight, in model units. */
  readonly inherent: number;
  /** inherent × the share of risk the answers leave. */
  readonly residual: number;
  /** 0–100: residual against this area's worst case (機密性3, most exposed, nothing in place). */
  readonly score: number;
  /** Items that apply (not `na`) / of those, how many were answered. */
  readonly applicable: number;
  readonly answered: number;
}

/** Residual risk of one system. */
export interface SystemRisk {
  readonly systemId: string;
  readonly inherent: number;
  readonly residual: number;
  /** 0–100: residual against the worst possible system; additive across systems. */
  readonly score: number;
  /** Share (0–1) of the catalogue's items answered, `na` included. */
  readonly completion: number;
  readonly areas: Readonly<Record<Area, AreaRisk>>;
}

/** Residual risk of one organisation over its systems. */
export interface OrganisationRisk {
  /** Worst system score (weakest link), 0–100; 0 with no systems. */
  readonly score: number;
  /** Sum of system scores: what the budget plan reduces. */
  readonly total: number;
  /** Per area, the worst system's area score; null with no systems. */
  readonly areas: Readonly<Record<Area, number | null>>;
  readonly systems: readonly SystemRisk[];
}

const strength = (e: number): number => -Math.log(1 - e);

function earned(it: CatalogItem, status: AnswerStatus | undefined): number {
  if (status === 'implemented') return strength(it.effectiveness);
  if (status === 'partial') return strength(it.effectiveness * PARTIAL_SHARE);
  return 0;
}

const likelihood = (area: Area, exposure: Exposure): number =>
  area === 'violation' ? INSIDER_LIKELIHOOD : LIKELIHOOD[exposure];

const worstLikelihood = (area: Area): number =>
  area === 'violation' ? INSIDER_LIKELIHOOD : Math.max(...Object.values(LIKELIHOOD));

const weightOf = (c: Catalog, area: Area): number => c.areas.find((a) => a.id === area)?.weight ?? 0;

/** Share (0–1) of an area's inherent risk left by the answers. */
export function residualShare(items: readonly CatalogItem[], answers: SystemProfile['answers']): number {
  let all = 0;
  let applicable = 0;
  let gained = 0;
  for (const it of items) {
    const h = strength(it.effectiveness);
    all += h;
    const status = answers[it.id];
    if (status === 'na') continue;
    applicable += h;
    gained += earned(it, status);
  }
  // every item n/a: the area's attack paths do not exist; leave the same floor as full coverage
  if (applicable === 0) return Math.exp(-all);
  return Math.exp((-gained * all) / applicable);
}

/** The largest residual a system can have under this catalogue (機密性3, worst exposure, nothing done). */
export function worstResidual(c: Catalog): number {
  return AREAS.reduce((s, a) => s + IMPACT[3] * worstLikelihood(a) * weightOf(c, a), 0);
}

/** Residual risk of one system under a catalogue version. */
export function systemRisk(system: SystemProfile, c: Catalog): SystemRisk {
  const areas = {} as Record<Area, AreaRisk>;
  let inherent = 0;
  let residual = 0;
  for (const area of AREAS) {
    const items = c.items.filter((it) => it.area === area);
    const weight = weightOf(c, area);
    const inh = IMPACT[system.confidentiality] * likelihood(area, system.exposure) * weight;
    const res = inh * residualShare(items, system.answers);
    const worst = IMPACT[3] * worstLikelihood(area) * weight;
    const applicable = items.filter((it) => system.answers[it.id] !== 'na');
    areas[area] = {
      area,
      inherent: inh,
      residual: res,
      score: worst > 0 ? (100 * res) / worst : 0,
      applicable: applicable.length,
      answered: applicable.filter((it) => system.answers[it.id] !== undefined).length,
    };
    inherent += inh;
    residual += res;
  }
  const answered = c.items.filter((it) => system.answers[it.id] !== undefined).length;
  return {
    systemId: system.id,
    inherent,
    residual,
    score: (100 * residual) / worstResidual(c),
    completion: c.items.length ? answered / c.items.length : 1,
    areas,
  };
}

/** Residual risk of an organisation: worst system for display, sum for planning. */
export function organisationRisk(systems: readonly SystemProfile[], c: Catalog): OrganisationRisk {
  const risks = systems.map((s) => systemRisk(s, c));
  const areas = {} as Record<Area, number | null>;
  for (const area of AREAS) {
    areas[area] = risks.length ? Math.max(...risks.map((r) => r.areas[area].score)) : null;
  }
  return {
    score: risks.length ? Math.max(...risks.map((r) => r.score)) : 0,
    total: risks.reduce((s, r) => s + r.score, 0),
    areas,
    systems: risks,
  };
}

/** The system with some items' answers replaced. */
export function withAnswers(system: SystemProfile, itemIds: readonly string[], status: AnswerStatus): SystemProfile {
  const answers: Partial<Record<string, AnswerStatus>> = { ...system.answers };
  for (const id of itemIds) answers[id] = status;
  return { ...system, answers };
}

/**
 * How far the system's score (0–100 scale) drops if the items become implemented, together.
 * Items already implemented or `na` contribute nothing. Within an area the gains combine
 * multiplicatively, so this is at most the sum of the items' single reductions.
 */
export function combinedReduction(system: SystemProfile, itemIds: readonly string[], c: Catalog): number {
  const open = itemIds.filter((id) => system.answers[id] !== 'na' && system.answers[id] !== 'implemented');
  if (open.length === 0) return 0;
  return systemRisk(system, c).score - systemRisk(withAnswers(system, open, 'implemented'), c).score;
}

/** How far the system's score (0–100 scale) drops if this one item becomes implemented. */
export function riskReduction(system: SystemProfile, itemId: string, c: Catalog): number {
  return combinedReduction(system, [itemId], c);
}

/** A missing or partial item on a system, priced and with its reduction against the current state. */
export interface RemediationCandidate {
  /** `SYS-…/ITEM-ID`. */
  readonly key: string;
  readonly systemId: string;
  readonly itemId: string;
  /** Yen: the PoC's estimate if given, else the item's typical cost. */
  readonly cost: number;
  readonly reduction: number;
}

/**
 * Every not-yet-implemented, applicable item of the systems, as budget-plan candidates.
 * `estimates` maps a key to the PoC's cost estimate in yen.
 */
export function remediationCandidates(
  systems: readonly SystemProfile[],
  c: Catalog,
  estimates: ReadonlyMap<string, number> = new Map(),
): RemediationCandidate[] {
  const out: RemediationCandidate[] = [];
  for (const s of systems) {
    for (const it of c.items) {
      const status = s.answers[it.id];
      if (status === 'implemented' || status === 'na') continue;
      const key = `${s.id}/${it.id}`;
      const reduction = riskReduction(s, it.id, c);
      if (reduction <= 0) continue;
      out.push({ key, systemId: s.id, itemId: it.id, cost: estimates.get(key) ?? it.typicalCost, reduction });
    }
  }
  return out;
}
