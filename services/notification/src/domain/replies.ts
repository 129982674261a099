/** What a reply leads to: "need help" opens a case (category defaults to other); safe and info are recorded only. */
export function replyDisposition(kind: 'safe' | 'need-help' | 'info', category: string | undefined): { opensCase: boolean; category?: string } {
  if (kind === 'need-help') return { opensCase: true, category: category ?? 'other' };
  return category === undefined ? { opensCase: false } : { opensCase: false, category };
}

const CATEGORY_ZH: Record<string, string> = { medical: '医疗', water: '停水', power: '停电', food: '食物', shelter: '住所', evacuation: '转移', rumour: '谣言', other: '其他' };

/** The grid worker's task for a case: pseudonymous resident, grid and building only. */
export const caseTask = (c: { _id: string; residentId: string; gridId: string; buildingId: string; category: string }) => ({
  zh: `居民求助（${CATEGORY_ZH[c.category] ?? c.category}）：住户 ${c.residentId}，网格 ${c.gridId}，楼栋 ${c.buildingId}。处理后请在任务中报告完成。案件 ${c._id}`,
  en: `Resident needs help (${c.category}): resident ${c.residentId}, grid ${c.gridId}, building ${c.buildingId}. Complete the task once handled. Case ${c._id}`,
});

/** What the resident hears once the grid worker completed the task. */
export const caseAnswer = (category: string) => ({
  zh: `您的求助（${CATEGORY_ZH[category] ?? category}）已由网格员处理完毕。如仍需帮助，请再次回复。`,
  en: `Your request for help (${category}) has been handled by your grid worker. Reply again if you still need help.`,
});

/** The median of a list of numbers (undefined when empty). */
export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
