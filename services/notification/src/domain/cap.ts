/** What a CAP 1.2 alert is built from: a broadcast job as stored (no personal data). */
export interface CapSource {
  jobId: string;
  incidentId: string;
  communityId: string;
  stepId: string;
  severity: string;
  drill: boolean;
  message: { zh: string; en: string };
  audience: { groups: readonly string[]; gridIds?: readonly string[]; buildingIds?: readonly string[] };
  createdAt: Date;
}

/** China's four levels onto CAP's severities: I 特别重大 Extreme … IV 一般 Minor. */
export const CAP_SEVERITY: Record<string, 'Extreme' | 'Severe' | 'Moderate' | 'Minor'> = { I: 'Extreme', II: 'Severe', III: 'Moderate', IV: 'Minor' };

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** CAP's dateTime: seconds precision with an explicit offset (`Z` is not allowed), e.g. 2026-11-23T19:30:40+00:00. */
export const capTime = (d: Date) => `${d.toISOString().slice(0, 19)}+00:00`;

export const capIdentifier = (jobId: string) => `lifeline.${jobId}`;

const LEVEL_NAME: Record<string, { zh: string; en: string }> = {
  I: { zh: 'I级（特别重大）', en: 'Level I (red)' },
  II: { zh: 'II级（重大）', en: 'Level II (orange)' },
  III: { zh: 'III级（较大）', en: 'Level III (yellow)' },
  IV: { zh: 'IV级（一般）', en: 'Level IV (blue)' },
};

function areaDesc(source: CapSource, language: 'zh' | 'en'): string {
  const parts = [language === 'zh' ? `社区 ${source.communityId}` : `community ${source.communityId}`];
  if (source.audience.gridIds?.length) parts.push(`${language === 'zh' ? '网格' : 'grids'} ${source.audience.gridIds.join(' ')}`);
  if (source.audience.buildingIds?.length) parts.push(`${language === 'zh' ? '楼栋' : 'buildings'} ${source.audience.buildingIds.join(' ')}`);
  return parts.join(language === 'zh' ? '，' : ', ');
}

function info(source: CapSource, language: 'zh' | 'en'): string {
  const level = LEVEL_NAME[source.severity] ?? { zh: source.severity, en: source.severity };
  const headline = language === 'zh' ? `${level.zh}应急预警` : `${level.en} emergency warning`;
  return [
    '  <info>',
    `    <language>${language === 'zh' ? 'zh-CN' : 'en'}</language>`,
    '    <category>Safety</category>',
    `    <event>${escapeXml(language === 'zh' ? '社区应急预警' : 'Community emergency warning')}</event>`,
    '    <urgency>Immediate</urgency>',
    `    <severity>${CAP_SEVERITY[source.severity] ?? 'Unknown'}</severity>`,
    '    <certainty>Likely</certainty>',
    `    <audience>${escapeXml(source.audience.groups.join(' '))}</audience>`,
    `    <senderName>${escapeXml(language === 'zh' ? 'Lifeline 社区应急' : 'Lifeline community emergency office')}</senderName>`,
    `    <headline>${escapeXml(headline)}</headline>`,
    `    <description>${escapeXml(source.message[language])}</description>`,
    '    <area>',
    `      <areaDesc>${escapeXml(areaDesc(source, language))}</areaDesc>`,
    '    </area>',
    '  </info>',
  ].join('\n');
}

/**
 * A broadcast as a CAP 1.2 alert: one `<info>` per language (zh-CN, en), status `Exercise` for drills (`Actual`
 * otherwise), the incident id in `<incidents>`. Pure: the same job gives the same document.
 */
export function capAlert(source: CapSource): { identifier: string; xml: string } {
  const identifier = capIdentifier(source.jobId);
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">',
    `  <identifier>${escapeXml(identifier)}</identifier>`,
    `  <sender>lifeline.${escapeXml(source.communityId)}</sender>`,
    `  <sent>${capTime(source.createdAt)}</sent>`,
    `  <status>${source.drill ? 'Exercise' : 'Actual'}</status>`,
    '  <msgType>Alert</msgType>',
    '  <scope>Public</scope>',
    ...(source.drill ? [`  <note>${escapeXml('演练 Drill: no action required')}</note>`] : []),
    `  <incidents>${escapeXml(source.incidentId)}</incidents>`,
    info(source, 'zh'),
    info(source, 'en'),
    '</alert>',
    '',
  ].join('\n');
  return { identifier, xml };
}
