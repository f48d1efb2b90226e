// Turning figures into Markdown, pure: tables, and numbers written so that a reader can
// compare them at a glance (no false precision, thousands separated, "—" for unknown).

type Align = 'left' | 'right';

export interface Table {
  /** a short heading above the table (optional) */
  title?: string;
  headers: string[];
  rows: string[][];
  /** per column; default: the first column left, the others right */
  align?: Align[];
}

/** Pipes and newlines would break a Markdown table cell. */
export function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A GitHub-flavoured Markdown table; short rows are padded, long rows cut to the headers. */
export function markdownTable(table: Table): string {
  const n = table.headers.length;
  if (n === 0) return '';
  const align = (i: number): Align => table.align?.[i] ?? (i === 0 ? 'left' : 'right');
  const cells = (row: string[]): string[] => Array.from({ length: n }, (_, i) => escapeCell(row[i] ?? ''));
  const head = cells(table.headers);
  const body = table.rows.map(cells);
  const widths = head.map((h, i) => Math.max(3, h.length, ...body.map((r) => (r[i] ?? '').length)));
  const pad = (text: string, i: number): string => (align(i) === 'right' ? text.padStart(widths[i] as number) : text.padEnd(widths[i] as number));
  const line = (row: string[]): string => `| ${row.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align(i) === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

const DASH = '—';

/** Milliseconds with 3 significant digits at most (0.412, 4.12, 41.2, 412, 4,120). */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return DASH;
  if (ms === 0) return '0';
  const abs = Math.abs(ms);
  if (abs >= 100) return Math.round(ms).toLocaleString('en-US');
  if (abs >= 10) return ms.toFixed(1);
  if (abs >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** Operations per second: whole numbers from 100 up, one decimal below. */
export function fmtRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return DASH;
  if (Math.abs(perSecond) >= 100) return Math.round(perSecond).toLocaleString('en-US');
  return perSecond.toFixed(1);
}

/** A ratio as "2.31×"; "—" when unknown. */
export function fmtRatio(r: number): string {
  if (Number.isNaN(r)) return DASH;
  if (!Number.isFinite(r)) return '∞';
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** A whole count with thousands separators. */
export function fmtCount(n: number): string {
  if (!Number.isFinite(n)) return DASH;
  return Math.round(n).toLocaleString('en-US');
}

/** Seconds with one decimal ("2.4 s"); "—" when unknown. */
export function fmtSeconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return DASH;
  return `${s.toFixed(1)} s`;
}

/** Bytes in binary units (KiB, MiB, GiB) with one decimal. */
export function fmtBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return DASH;
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** A spread (max/min of run medians), flagged with ⚠ when it is above the threshold. */
export function fmtSpread(spreadValue: number, threshold: number): string {
  if (Number.isNaN(spreadValue)) return DASH;
  const text = fmtRatio(spreadValue);
  return spreadValue > threshold ? `${text} ⚠` : text;
}

/** A share as a signed percentage change ("+12%", "−3%") of a ratio around 1. */
export function fmtChange(r: number): string {
  if (!Number.isFinite(r)) return DASH;
  const pct = Math.round((r - 1) * 100);
  return pct === 0 ? '±0%' : pct > 0 ? `+${pct}%` : `−${Math.abs(pct)}%`;
}
