// The supervisor's figures: counts, response and resolution times, SLA breaches, satisfaction,
// failed deliveries, and the CSV export. Computed from the tickets created in a period.
import { failedDeliveries } from '../messaging/outbox.ts';
import type { Database } from '../storage/database.ts';
import { OPEN_STATUSES, STATUS_NAMES, statusName, typeName, type TicketStatus } from '../tickets/status.ts';
import { channelName, type Catalog } from './catalog.ts';

export interface Figure {
  key: string;
  label: string;
  count: number;
}

export interface Duration {
  count: number;
  /** Minutes. */
  average: number | null;
  median: number | null;
}

function minutes(from: Date, to: Date | null): number | null {
  return to ? Math.max(0, (to.getTime() - from.getTime()) / 60_000) : null;
}

export function duration(values: number[]): Duration {
  if (values.length === 0) return { count: 0, average: null, median: null };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { count: values.length, average: values.reduce((s, v) => s + v, 0) / values.length, median };
}

function countBy<T>(rows: T[], key: (row: T) => string, label: (key: string) => string): Figure[] {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
  return [...counts].map(([k, count]) => ({ key: k, label: label(k), count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'tr'));
}

type StatsTicket = Awaited<ReturnType<Stats['tickets']>>[number];

export class Stats {
  constructor(
    private readonly db: Database,
    private readonly catalog: Catalog,
    private readonly timeZone: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Tickets created in the last `days` days (all of them when days is 0). */
  tickets(days: number) {
    const since = days > 0 ? new Date(this.clock().getTime() - days * 86_400_000) : undefined;
    return this.db.ticket.findMany({
      where: since ? { createdAt: { gte: since } } : {},
      orderBy: { createdAt: 'asc' },
      select: {
        id: true, number: true, type: true, category: true, department: true, status: true, neighbourhood: true,
        createdAt: true, dueAt: true, firstResponseAt: true, resolvedAt: true, closedAt: true, rating: true, ratingComment: true,
        contact: { select: { channel: true } },
        conversation: { select: { channel: true } },
        assignedAgent: { select: { displayName: true } },
      },
    });
  }

  private channelOf(t: StatsTicket): string {
    return t.conversation?.channel ?? t.contact.channel;
  }

  private breach(t: StatsTicket, now: Date): 'open' | 'resolved' | null {
    if ((OPEN_STATUSES as string[]).includes(t.status) && t.dueAt < now) return 'open';
    if (t.resolvedAt && t.resolvedAt > t.dueAt) return 'resolved';
    return null;
  }

  async figures(days: number) {
    const now = this.clock();
    const rows = await this.tickets(days);
    const rated = rows.filter((t) => t.rating !== null);
    const distribution = [1, 2, 3, 4, 5].map((score) => ({ key: String(score), label: `${score}`, count: rated.filter((t) => t.rating === score).length }));
    const byStatus = (Object.keys(STATUS_NAMES) as TicketStatus[]).map((status) => ({ key: status, label: STATUS_NAMES[status], count: rows.filter((t) => t.status === status).length }));
    return {
      days,
      generatedAt: now.toISOString(),
      total: rows.length,
      open: rows.filter((t) => (OPEN_STATUSES as string[]).includes(t.status)).length,
      byStatus,
      byType: countBy(rows, (t) => t.type, typeName),
      byCategory: countBy(rows, (t) => `${t.type}:${t.category ?? ''}`, (k) => {
        const [type, category] = k.split(/:(.*)/s) as [string, string];
        return category ? this.catalog.categoryName(type, category) : `${typeName(type)} (kategorisiz)`;
      }),
      byDepartment: countBy(rows, (t) => t.department, (k) => k),
      byChannel: countBy(rows, (t) => this.channelOf(t), channelName),
      byNeighbourhood: countBy(rows, (t) => t.neighbourhood ?? '', (k) => k || 'Belirtilmemiş'),
      firstResponse: duration(rows.map((t) => minutes(t.createdAt, t.firstResponseAt)).filter((v): v is number => v !== null)),
      resolution: duration(rows.map((t) => minutes(t.createdAt, t.resolvedAt)).filter((v): v is number => v !== null)),
      sla: {
        openOverdue: rows.filter((t) => this.breach(t, now) === 'open').length,
        resolvedLate: rows.filter((t) => this.breach(t, now) === 'resolved').length,
        resolvedOnTime: rows.filter((t) => t.resolvedAt && t.resolvedAt <= t.dueAt).length,
      },
      satisfaction: {
        count: rated.length,
        average: rated.length ? rated.reduce((s, t) => s + t.rating!, 0) / rated.length : null,
        distribution,
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

  /**
   * One row per ticket, for Excel. Semicolon-separated: Excel in a Turkish locale uses the comma
   * as its decimal mark and the semicolon as its list separator, so a double-clicked `;` file
   * opens in columns (a `,` file would land in one column). UTF-8 with a BOM, so that Excel
   * reads ç, ğ, ı, İ, ö, ş, ü. No T.C. numbers, no personal fields: 11-digit runs in free text
   * are masked too.
   */
  async csv(days: number): Promise<string> {
    const now = this.clock();
    const rows = await this.tickets(days);
    const date = new Intl.DateTimeFormat('sv-SE', { timeZone: this.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    const when = (d: Date | null) => (d ? date.format(d) : '');
    const mins = (v: number | null) => (v === null ? '' : String(Math.round(v)));
    const header = [
      'Talep no', 'Tür', 'Kategori', 'Birim', 'Mahalle', 'Kanal', 'Durum', 'Atanan görevli', 'Oluşturulma', 'Son tarih (SLA)',
      'İlk yanıt', 'Çözüm', 'Kapanış', 'İlk yanıt süresi (dk)', 'Çözüm süresi (dk)', 'SLA aşıldı', 'Puan', 'Puan yorumu',
    ];
    const lines = rows.map((t) => [
      t.number, typeName(t.type), this.catalog.categoryName(t.type, t.category), t.department, t.neighbourhood ?? '', channelName(this.channelOf(t)),
      statusName(t.status), t.assignedAgent?.displayName ?? '', when(t.createdAt), when(t.dueAt), when(t.firstResponseAt), when(t.resolvedAt), when(t.closedAt),
      mins(minutes(t.createdAt, t.firstResponseAt)), mins(minutes(t.createdAt, t.resolvedAt)), this.breach(t, now) ? 'Evet' : 'Hayır',
      t.rating === null ? '' : String(t.rating), maskIdNumbers(t.ratingComment ?? ''),
    ]);
    return '\uFEFF' + [header, ...lines].map((cells) => cells.map(csvCell).join(';')).join('\r\n') + '\r\n';
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
