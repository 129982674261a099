import type { z } from 'zod';
import type { PlanKind } from './plan';
import type { Item } from './services/supplies';

/**
 * What a plan may name that is not an enum of its own schema: the supplies catalogue, the skills the roster
 * certifies and the hazards of each kind of plan. One list, shared by the plan validator (command-center, CLI,
 * start-up check of the bundled library) and the seeders, so a plan cannot name an item or a skill nothing has.
 * A deployment that stocks a new item or certifies a new skill adds it here.
 */

/** The supplies catalogue every depot is seeded from (`itemCode` of a plan's reserve lines). */
export const SUPPLY_ITEMS: z.infer<typeof Item>[] = [
  { code: 'tent', name: { zh: '帐篷', en: 'Tent' }, unit: 'piece', category: 'shelter' },
  { code: 'quilt', name: { zh: '棉被', en: 'Quilt' }, unit: 'piece', category: 'shelter' },
  { code: 'medicine-kit', name: { zh: '药箱', en: 'Medicine kit' }, unit: 'kit', category: 'medical' },
  { code: 'water-24', name: { zh: '饮用水（24瓶装）', en: 'Drinking water (24 bottles)' }, unit: 'case', category: 'food-water' },
  { code: 'umbrella', name: { zh: '雨伞', en: 'Umbrella' }, unit: 'piece', category: 'protective' },
  { code: 'generator', name: { zh: '发电机', en: 'Generator' }, unit: 'piece', category: 'power' },
];

/** Skills a dispatch step may ask for: the ones the roster records (a skill or a dated qualification). */
export const SKILLS = ['coordination', 'door-knock', 'first-aid', 'psychological-support', 'search-and-rescue'] as const;

const SPECIAL_HAZARDS = {
  'natural-disaster': ['earthquake', 'flood', 'typhoon', 'flood-typhoon', 'rainstorm', 'geological-disaster', 'drought', 'heatwave', 'cold-wave', 'snowstorm', 'forest-fire'],
  'public-health': ['infectious-disease', 'mass-unexplained-illness', 'occupational-poisoning', 'animal-epidemic'],
  'production-safety': ['hazardous-chemical-leak', 'fire', 'gas-explosion', 'building-collapse', 'utility-outage', 'traffic-accident'],
  'food-safety': ['food-poisoning', 'food-contamination'],
} as const satisfies Record<Exclude<z.infer<typeof PlanKind>, 'comprehensive'>, readonly string[]>;

/** The hazards each kind of plan covers: a special plan (专项预案) its own; the comprehensive plan (综合预案) any, or `multi-hazard`. */
export const HAZARDS: Record<z.infer<typeof PlanKind>, readonly string[]> = {
  ...SPECIAL_HAZARDS,
  comprehensive: ['multi-hazard', ...Object.values(SPECIAL_HAZARDS).flat()],
};

/** What the validator checks names against; tests and deployments may pass their own. */
export interface PlanVocabulary {
  itemCodes: readonly string[];
  skills: readonly string[];
  hazards: Readonly<Record<z.infer<typeof PlanKind>, readonly string[]>>;
}

export const PLAN_VOCABULARY: PlanVocabulary = { itemCodes: SUPPLY_ITEMS.map((i) => i.code), skills: SKILLS, hazards: HAZARDS };
