/**
 * The synthetic city: a deterministic city (districts → communities → grids → buildings, residents, responders,
 * depots and stock) built from a seed, and the code that loads it into the services. `lifeline seed`, the tests,
 * the benches and the drill-cost script all use this one city.
 */
export { buildCity, ITEMS, type CityShape, type SyntheticCity } from './city';
export { exampleCommunity, partyOverlay, type RosterPart } from './party';
export { seededRandom } from './random';
export { cityExists, sendCity, type SeedCounts } from './send';
export { suppliesExtras } from './supplies-extras';
export { drillCity, sendCityInSlices } from './drill';
