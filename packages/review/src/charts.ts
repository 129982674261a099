/** Small inline SVG charts (no script, no CDN): the HTML report embeds them as markup. */

export const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2'];
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export interface BarSeries {
  name: string;
  values: number[];
}

/** Horizontal bars, one row per label and one bar per series; `max` fixes the scale (e.g. 1 for shares). */
export function barChart(title: string, labels: string[], series: BarSeries[], opts: { max?: number; unit?: string } = {}): string {
  const rowHeight = 16 * series.length + 10;
  const labelWidth = 150;
  const width = 640;
  const plot = width - labelWidth - 60;
  const height = 30 + labels.length * rowHeight + (series.length > 1 ? 20 : 0);
  const max = opts.max ?? Math.max(1, ...series.flatMap((s) => s.values));
  const parts = [`<text x="0" y="16" class="chart-title">${escapeHtml(title)}</text>`];
  labels.forEach((label, row) => {
    const y0 = 30 + row * rowHeight;
    parts.push(`<text x="${labelWidth - 6}" y="${y0 + rowHeight / 2}" text-anchor="end" class="axis">${escapeHtml(label)}</text>`);
    series.forEach((s, i) => {
      const v = s.values[row] ?? 0;
      const w = Math.max(0, Math.round((v / max) * plot));
      const y = y0 + i * 16;
      parts.push(`<rect x="${labelWidth}" y="${y}" width="${w}" height="13" fill="${PALETTE[i % PALETTE.length]}"><title>${escapeHtml(`${s.name}: ${fmt(v)}`)}</title></rect>`);
      parts.push(`<text x="${labelWidth + w + 4}" y="${y + 11}" class="value">${fmt(v)}${opts.unit ?? ''}</text>`);
    });
  });
  if (series.length > 1) {
    series.forEach((s, i) => {
      const x = labelWidth + i * 130;
      parts.push(`<rect x="${x}" y="${height - 14}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text x="${x + 14}" y="${height - 5}" class="axis">${escapeHtml(s.name)}</text>`);
    });
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** A step line of share reached over seconds (points sorted by seconds; unknown points are skipped). */
export function reachChart(title: string, points: { share: number; seconds: number | null }[], xLabel: string): string {
  const known = points.filter((p): p is { share: number; seconds: number } => p.seconds !== null).sort((a, b) => a.seconds - b.seconds);
  const width = 640;
  const height = 220;
  const left = 50;
  const bottom = height - 30;
  const plotW = width - left - 20;
  const plotH = bottom - 30;
  const maxX = Math.max(1, ...known.map((p) => p.seconds));
  const x = (s: number) => left + (s / maxX) * plotW;
  const y = (share: number) => bottom - share * plotH;
  const parts = [
    `<text x="0" y="16" class="chart-title">${escapeHtml(title)}</text>`,
    `<line x1="${left}" y1="${bottom}" x2="${left + plotW}" y2="${bottom}" class="grid"/>`,
    `<line x1="${left}" y1="${bottom}" x2="${left}" y2="30" class="grid"/>`,
    ...[0, 0.5, 0.9, 1].map((s) => `<text x="${left - 6}" y="${y(s) + 4}" text-anchor="end" class="axis">${Math.round(s * 100)}%</text>`),
    `<text x="${left + plotW}" y="${height - 6}" text-anchor="end" class="axis">${escapeHtml(xLabel)} (${fmt(maxX)})</text>`,
  ];
  if (known.length) {
    const path = [`M ${x(0)} ${y(0)}`, ...known.map((p) => `L ${x(p.seconds)} ${y(p.share)}`)].join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${PALETTE[0]}" stroke-width="2"/>`);
    for (const p of known) parts.push(`<circle cx="${x(p.seconds)}" cy="${y(p.share)}" r="4" fill="${PALETTE[0]}"><title>${Math.round(p.share * 100)}% · ${fmt(p.seconds)} s</title></circle>`);
  } else {
    parts.push(`<text x="${left + 10}" y="${bottom - 10}" class="axis">—</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg>`;
}
