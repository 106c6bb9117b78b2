// The supervisor's figures: counts, response and resolution times, SLA breaches, satisfaction,
// failed deliveries, and the CSV export, for the tickets created in a period. The database groups
// and counts (storage/ticket-report.ts) in the report worker (reports.ts); this file names what it
// counted.
import { failedDeliveries } from '../messaging/outbox.ts';
import type { Database } from '../storage/database.ts';
import type { FigureCount, ReportRow } from '../storage/ticket-report.ts';
import { OPEN_STATUSES, STATUS_NAMES, statusName, typeName, type TicketStatus } from '../tickets/status.ts';
import { channelName, type Catalog } from './catalog.ts';
import type { ReportWorker } from './reports.ts';

export interface Figure {
  key: string;
  label: string;
  count: number;
}

/** Sums `groups` by `key`, largest first (ties in Turkish alphabetical order of their labels). */
function countBy<T extends { count: number }>(groups: T[], key: (group: T) => string, label: (key: string) => string): Figure[] {
  const counts = new Map<string, number>();
  for (const group of groups) counts.set(key(group), (counts.get(key(group)) ?? 0) + group.count);
  return [...counts].map(([k, count]) => ({ key: k, label: label(k), count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'tr'));
}

const CSV_HEADER = [
  'Talep no', 'Tür', 'Kategori', 'Birim', 'Mahalle', 'Kanal', 'Durum', 'Atanan görevli', 'Oluşturulma', 'Son tarih (SLA)',
  'İlk yanıt', 'Çözüm', 'Kapanış', 'İlk yanıt süresi (dk)', 'Çözüm süresi (dk)', 'SLA aşıldı', 'Puan', 'Puan yorumu', 'Konum', 'Dosyalar',
];

/** The ticket's pin (its columns, else the first among its answers), as an openstreetmap.org link (the map the console shows). */
export function pinLink(data: string, column?: { latitude: number | null; longitude: number | null }): string {
  if (column && column.latitude !== null && column.longitude !== null) return osmLink(column.latitude, column.longitude);
  let values: unknown[] = [];
  try {
    const parsed = JSON.parse(data) as unknown;
    if (parsed && typeof parsed === 'object') values = Object.entries(parsed).filter(([key]) => !key.startsWith('_')).map(([, value]) => value);
  } catch {
    return '';
  }
  const pin = values.find((v): v is { latitude: number; longitude: number } => Boolean(v) && typeof (v as { latitude?: unknown }).latitude === 'number' && typeof (v as { longitude?: unknown }).longitude === 'number');
  return pin ? osmLink(pin.latitude, pin.longitude) : '';
}

function osmLink(latitude: number, longitude: number): string {
  const lat = latitude.toFixed(6);
  const lon = longitude.toFixed(6);
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`;
}

/**
 * The export's lines for `rows` (from storage/ticket-report.ts), header first, each ending in CRLF.
 * Semicolon-separated: Excel in a Turkish locale uses the comma as its decimal mark and the
 * semicolon as its list separator, so a double-clicked `;` file opens in columns (a `,` file would
 * land in one column). The caller puts a BOM first, so that Excel reads ç, ğ, ı, İ, ö, ş, ü. No T.C.
 * numbers, no personal fields: 11-digit runs in free text are masked too.
 */
export function* csvLines(rows: Iterable<ReportRow>, catalog: Catalog, timeZone: string, now: Date, consoleUrl = ''): Generator<string> {
  // Links to the files open for a logged-in agent who may see the conversation (console/routes/media.ts).
  const mediaLinks = (ids: string | null) => (ids ? ids.split(' ').map((id) => `${consoleUrl.replace(/\/+$/, '')}/console/api/media/${id}`).join(' ') : '');
  const date = minuteFormat(timeZone);
  const when = (d: string | null) => (d ? date(Date.parse(d)) : '');
  const mins = (from: string, to: string | null) => (to ? String(Math.round(Math.max(0, (Date.parse(to) - Date.parse(from)) / 60_000))) : '');
  const nowMs = now.getTime();
  const line = (cells: string[]) => `${cells.map(csvCell).join(';')}\r\n`;
  yield line(CSV_HEADER);
  for (const t of rows) {
    const breached = ((OPEN_STATUSES as string[]).includes(t.status) && Date.parse(t.dueAt) < nowMs) || (t.resolvedAt !== null && Date.parse(t.resolvedAt) > Date.parse(t.dueAt));
    yield line([
      t.number, typeName(t.type), catalog.categoryName(t.type, t.category), t.department, t.neighbourhood ?? '', channelName(t.channel),
      statusName(t.status), t.agentName ?? '', when(t.createdAt), when(t.dueAt), when(t.firstResponseAt), when(t.resolvedAt), when(t.closedAt),
      mins(t.createdAt, t.firstResponseAt), mins(t.createdAt, t.resolvedAt), breached ? 'Evet' : 'Hayır',
      t.rating === null ? '' : String(t.rating), maskIdNumbers(t.ratingComment ?? ''), pinLink(t.data, t), mediaLinks(t.mediaIds),
    ]);
  }
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * A moment as `2026-12-07 09:26` in `timeZone`: what Intl.DateTimeFormat('sv-SE', …) writes, for
 * the five dates of every exported row. Intl costs microseconds a call (a year's export made 1.75
 * million); the zone's offset is asked of it at the start and the end of each UTC day instead, and
 * the text put together here. A day whose offset changes (twice a year with summer time) is left to Intl.
 */
export function minuteFormat(timeZone: string): (ms: number) => string {
  const intl = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
  const offsetAt = (ms: number) => {
    const p = Object.fromEntries(parts.formatToParts(ms).map((part) => [part.type, part.value]));
    return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - ms;
  };
  const DAY = 86_400_000;
  const offsets = new Map<number, number | null>();
  return (ms) => {
    const day = Math.floor(ms / DAY);
    let offset = offsets.get(day);
    if (offset === undefined) {
      const start = offsetAt(day * DAY);
      offset = start === offsetAt(day * DAY + DAY - 1000) && start % 60_000 === 0 ? start : null;
      if (offsets.size > 10_000) offsets.clear();
      offsets.set(day, offset);
    }
    if (offset === null || !Number.isFinite(ms)) return intl.format(ms);
    const local = new Date(ms + offset);
    const year = local.getUTCFullYear();
    if (year < 1000 || year > 9999) return intl.format(ms);
    return `${year}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())} ${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}`;
  };
}

export class Stats {
  constructor(
    private readonly db: Database,
    private readonly catalog: Catalog,
    private readonly reports: ReportWorker,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private period(days: number) {
    const now = this.clock();
    return { now, since: days > 0 ? new Date(now.getTime() - days * 86_400_000) : null };
  }

  /** Gets the report worker ready (a supervisor opened a page: the figures will be asked for next). */
  warm(): void {
    this.reports.warm();
  }

  /** The figures of the tickets created in the last `days` days (all of them when days is 0). */
  async figures(days: number) {
    const { now, since } = this.period(days);
    const report = await this.reports.figures({ since, now, openStatuses: OPEN_STATUSES });
    const of = (dimension: string) => report.counts.filter((c) => c.dimension === dimension);
    const count = (dimension: string, key: string) => of(dimension).find((c) => c.key === key)?.count ?? 0;
    const rated = of('rating');
    const ratedCount = rated.reduce((s, c) => s + c.count, 0);
    const byKey = (cells: FigureCount[], label: (key: string) => string) => countBy(cells, (c) => c.key, label);
    return {
      days,
      generatedAt: now.toISOString(),
      total: of('status').reduce((s, c) => s + c.count, 0),
      open: OPEN_STATUSES.reduce((s, status) => s + count('status', status), 0),
      byStatus: (Object.keys(STATUS_NAMES) as TicketStatus[]).map((status) => ({ key: status, label: STATUS_NAMES[status], count: count('status', status) })),
      byType: byKey(of('type'), typeName),
      byCategory: byKey(of('category'), (k) => {
        const [type, category] = k.split(/:(.*)/s) as [string, string];
        return category ? this.catalog.categoryName(type, category) : `${typeName(type)} (kategorisiz)`;
      }),
      byDepartment: byKey(of('department'), (k) => k),
      byChannel: byKey(of('channel'), channelName),
      byNeighbourhood: byKey(of('neighbourhood'), (k) => k || 'Belirtilmemiş'),
      firstResponse: report.firstResponse,
      resolution: report.resolution,
      sla: report.sla,
      satisfaction: {
        count: ratedCount,
        average: ratedCount ? rated.reduce((s, c) => s + Number(c.key) * c.count, 0) / ratedCount : null,
        distribution: [1, 2, 3, 4, 5].map((score) => ({ key: String(score), label: `${score}`, count: count('rating', String(score)) })),
      },
    };
  }

  /** Outbound messages the outbox gave up on, newest first (messaging/outbox.ts). */
  async failedMessages(limit = 50) {
    const rows = await failedDeliveries(this.db, { limit });
    return rows.map((m) => ({
      id: m.id,
      conversationId: m.conversationId,
      channelName: channelName(m.channel),
      author: m.author,
      preview: m.text.length > 120 ? `${m.text.slice(0, 119)}…` : m.text,
      at: m.createdAt.toISOString(),
      attempts: m.attempts,
      lastError: m.lastError,
    }));
  }

  /** The export of the last `days` days, given to `write` a chunk at a time as the report worker reads it (reports.ts). */
  csv(days: number, write: (chunk: Buffer) => Promise<void>): Promise<void> {
    const { now, since } = this.period(days);
    return this.reports.csv({ since, now }, write);
  }
}

/** Runs of exactly 11 digits (a T.C. kimlik number's shape) are replaced by asterisks. */
export function maskIdNumbers(text: string): string {
  return text.replace(/(?<!\d)\d{11}(?!\d)/g, '***********');
}

/** A CSV cell: quoted when needed; formulas (=, +, -, @) defused for spreadsheets. */
export function csvCell(value: string): string {
  let text = value.replace(/\r\n?|\n/g, ' ');
  if (/^[=+\-@\t]/.test(text)) text = `'${text}`;
  return /[";]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
